//go:build goexperiment.simd && wasm

package kernels

import "unsafe"

// microKernelOffGeneric is microKernel with B unpacked: row p of tile t is the 8
// values at bp[off[p] + 8t], so tile t is C[:, 8t : 8t+8] = Ap·B_t + beta·C,
// where ap is a packed (kc, asmTileMR) panel of A; beta 0 overwrites C. Only
// GemmRowOffsets calls it, after checking that every row of every tile lies
// inside bp; the checks here cover A, off and C, so that the loop, in
// WebAssembly (microKernelOffAsm, gemm_wasm.s), reads and writes only
// inside the slices.
func microKernelOffGeneric(kc, np int, ap []float32, off []int32, bp []float32, c []float32, ldc int, beta float32) {
	const mr, nr = asmTileMR, 8
	if kc <= 0 || np <= 0 {
		return
	}
	if len(ap) < kc*mr || len(off) < kc || len(c) < (mr-1)*ldc+np*nr {
		panic("kernels: microKernelOff: packed panel, offsets or C too short")
	}
	microKernelOffAsm(kc, np, unsafe.SliceData(ap), unsafe.SliceData(off), unsafe.SliceData(bp), unsafe.SliceData(c), ldc, beta)
}

// microKernelOffAsm is microKernelOff's loop in WebAssembly, for the same
// reasons as microKernelAsm.
//
//go:noescape
func microKernelOffAsm(kc, np int, ap *float32, off *int32, bp *float32, c *float32, ldc int, beta float32)
