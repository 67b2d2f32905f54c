//go:build goexperiment.simd && wasm

package kernels

import "unsafe"

// tileSizeGeneric returns the micro-kernel's tile: mr rows by nr columns of
// C. The height is the assembly's (gemm_tile_wasm.go, from the generator).
func tileSizeGeneric() (mr, nr int) { return asmTileMR, 8 }

// microKernelGeneric computes np adjacent mr x 8 tiles of C (mr =
// asmTileMR): tile t is C[:, 8t : 8t+8] = Ap·Bp_t + beta·C, where ap is a
// packed (kc, mr) panel of op(A) and bp holds np packed (kc, 8) panels of
// op(B); beta 0 overwrites C. Each tile is held in 2·mr vector
// accumulators; each step broadcasts mr values of A and loads 2 vectors of
// B. The loop is in WebAssembly (microKernelAsm, gemm_wasm.s); the checks
// here keep it inside the slices.
//
// It panics if ap, bp or c is shorter than the panels and tiles it should
// hold.
func microKernelGeneric(kc, np int, ap, bp []float32, c []float32, ldc int, beta float32) {
	const mr, nr = asmTileMR, 8
	if kc <= 0 || np <= 0 {
		return
	}
	if len(ap) < kc*mr || len(bp) < np*kc*nr || len(c) < (mr-1)*ldc+np*nr {
		panic("kernels: microKernel: packed panels or C too short")
	}
	microKernelAsm(kc, np, unsafe.SliceData(ap), unsafe.SliceData(bp), unsafe.SliceData(c), ldc, beta)
}

// microKernelAsm is microKernel's loop written in WebAssembly: compiled from
// Go, the loop over k jumps back through the function's dispatch table and
// part of the tile is spilled to the stack; by hand, it is a native wasm
// loop with the tile, a B row and the broadcast value in 12 vector locals,
// which V8 keeps in registers (1.5-2x the speed of the Go version).
//
//go:noescape
func microKernelAsm(kc, np int, ap *float32, bp *float32, c *float32, ldc int, beta float32)
