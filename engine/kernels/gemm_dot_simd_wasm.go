//go:build goexperiment.simd && wasm

package kernels

import (
	"simd"
	"unsafe"
)

// dot2x4Generic adds to acc the dot products of rows a0, a1 with rows b0..b3, all
// len(a0) long: acc.c(4i+j) gathers row i of A times row j of B. It holds
// the 8 accumulators in registers: each step loads one vector of each of the
// 6 rows and makes 8 multiply-adds. The vector loop is in WebAssembly
// (dot2x4Asm, gemm_dot_wasm.s), after the rows are cut to a common length;
// the last len(a0) mod 4 values go through acc's scalar sums.
func dot2x4Generic(a0, a1, b0, b1, b2, b3 []float32, acc *dotAcc) {
	const v = 4 // wasm vectors are 128 bits
	n := len(a0)
	a1, b0, b1, b2, b3 = a1[:n], b0[:n], b1[:n], b2[:n], b3[:n]
	nv := n / v
	acc.vec = true
	if nv > 0 {
		dot2x4Asm(nv/4, nv%4, &a0[0], &a1[0], &b0[0], &b1[0], &b2[0], &b3[0], (*[32]float32)(unsafe.Pointer(&acc.c0)))
	}
	for i := nv * v; i < n; i++ {
		acc.tail2x4(a0[i], a1[i], b0[i], b1[i], b2[i], b3[i])
	}
}

// dot2x4Asm runs dot2x4's vector loop, 4·groups + singles vectors of each
// row, written in WebAssembly for the reasons microKernelAsm gives. acc
// holds dotAcc's c0 to c7 (its parameter is no *dotAcc: the compiler makes
// one copy per vector size of a function with simd types in its signature).
//
//go:noescape
func dot2x4Asm(groups, singles int, a0, a1, b0, b1, b2, b3 *float32, acc *[32]float32)

// init checks the layout of dotAcc that dot2x4Asm relies on (simd types
// have no constant size, so the compiler cannot).
func init() {
	var d dotAcc
	if unsafe.Offsetof(d.c0) != 0 || unsafe.Offsetof(d.c7) != 7*16 || simd.BroadcastFloat32s(0).Len() != 4 {
		panic("kernels: dotAcc's vectors are not 8 consecutive 16-byte values")
	}
}
