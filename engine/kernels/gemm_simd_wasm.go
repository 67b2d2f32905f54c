//go:build goexperiment.simd && wasm

package kernels

import (
	"simd"
	"unsafe"
)

// microKernel computes np adjacent 4 x 2V tiles (V = vector length) of C:
// tile t is C[:, t·2V : (t+1)·2V] = Ap·Bp_t + beta·C, where ap is a packed
// (kc, 4) panel of op(A) and bp holds np packed (kc, 2V) panels of op(B);
// beta 0 overwrites C. Each tile is held in 8 vector accumulators; each step
// broadcasts 4 values of A and loads 2 vectors of B. Looping over the tiles
// here rather than in the caller saves a (costly, under wasm) call per tile.
//
// The panels are read through pointers, four steps per iteration at
// constant offsets, after one check of their lengths: under wasm each loop
// back edge is a jump through the function's dispatch table, and a bounds
// check per load costs more than the load.
//
// It panics if ap or bp is shorter than the panels it should hold.
func microKernel(kc, np int, ap, bp []float32, c []float32, ldc int, beta float32) {
	const v = 4 // wasm vectors are 128 bits: a row of a tile is [8]float32
	const nr = 2 * v
	if kc <= 0 || np <= 0 {
		return
	}
	if len(ap) < kc*4 || len(bp) < np*kc*nr {
		panic("kernels: microKernel: packed panels too short")
	}
	bv := simd.BroadcastFloat32s(beta)
	pa0 := unsafe.Pointer(unsafe.SliceData(ap))
	for t := 0; t < np; t++ {
		var c00, c01, c10, c11, c20, c21, c30, c31 simd.Float32s
		var a, b0, b1 simd.Float32s
		pa := pa0
		pb := unsafe.Pointer(&bp[t*kc*nr])
		p := 0
		for ; p+4 <= kc; p += 4 {
			b0 = simd.LoadFloat32s((*[4]float32)(unsafe.Add(pb, 0))[:])
			b1 = simd.LoadFloat32s((*[4]float32)(unsafe.Add(pb, 16))[:])
			a = simd.BroadcastFloat32s(*(*float32)(unsafe.Add(pa, 0)))
			c00 = a.MulAdd(b0, c00)
			c01 = a.MulAdd(b1, c01)
			a = simd.BroadcastFloat32s(*(*float32)(unsafe.Add(pa, 4)))
			c10 = a.MulAdd(b0, c10)
			c11 = a.MulAdd(b1, c11)
			a = simd.BroadcastFloat32s(*(*float32)(unsafe.Add(pa, 8)))
			c20 = a.MulAdd(b0, c20)
			c21 = a.MulAdd(b1, c21)
			a = simd.BroadcastFloat32s(*(*float32)(unsafe.Add(pa, 12)))
			c30 = a.MulAdd(b0, c30)
			c31 = a.MulAdd(b1, c31)
			b0 = simd.LoadFloat32s((*[4]float32)(unsafe.Add(pb, 32))[:])
			b1 = simd.LoadFloat32s((*[4]float32)(unsafe.Add(pb, 48))[:])
			a = simd.BroadcastFloat32s(*(*float32)(unsafe.Add(pa, 16)))
			c00 = a.MulAdd(b0, c00)
			c01 = a.MulAdd(b1, c01)
			a = simd.BroadcastFloat32s(*(*float32)(unsafe.Add(pa, 20)))
			c10 = a.MulAdd(b0, c10)
			c11 = a.MulAdd(b1, c11)
			a = simd.BroadcastFloat32s(*(*float32)(unsafe.Add(pa, 24)))
			c20 = a.MulAdd(b0, c20)
			c21 = a.MulAdd(b1, c21)
			a = simd.BroadcastFloat32s(*(*float32)(unsafe.Add(pa, 28)))
			c30 = a.MulAdd(b0, c30)
			c31 = a.MulAdd(b1, c31)
			b0 = simd.LoadFloat32s((*[4]float32)(unsafe.Add(pb, 64))[:])
			b1 = simd.LoadFloat32s((*[4]float32)(unsafe.Add(pb, 80))[:])
			a = simd.BroadcastFloat32s(*(*float32)(unsafe.Add(pa, 32)))
			c00 = a.MulAdd(b0, c00)
			c01 = a.MulAdd(b1, c01)
			a = simd.BroadcastFloat32s(*(*float32)(unsafe.Add(pa, 36)))
			c10 = a.MulAdd(b0, c10)
			c11 = a.MulAdd(b1, c11)
			a = simd.BroadcastFloat32s(*(*float32)(unsafe.Add(pa, 40)))
			c20 = a.MulAdd(b0, c20)
			c21 = a.MulAdd(b1, c21)
			a = simd.BroadcastFloat32s(*(*float32)(unsafe.Add(pa, 44)))
			c30 = a.MulAdd(b0, c30)
			c31 = a.MulAdd(b1, c31)
			b0 = simd.LoadFloat32s((*[4]float32)(unsafe.Add(pb, 96))[:])
			b1 = simd.LoadFloat32s((*[4]float32)(unsafe.Add(pb, 112))[:])
			a = simd.BroadcastFloat32s(*(*float32)(unsafe.Add(pa, 48)))
			c00 = a.MulAdd(b0, c00)
			c01 = a.MulAdd(b1, c01)
			a = simd.BroadcastFloat32s(*(*float32)(unsafe.Add(pa, 52)))
			c10 = a.MulAdd(b0, c10)
			c11 = a.MulAdd(b1, c11)
			a = simd.BroadcastFloat32s(*(*float32)(unsafe.Add(pa, 56)))
			c20 = a.MulAdd(b0, c20)
			c21 = a.MulAdd(b1, c21)
			a = simd.BroadcastFloat32s(*(*float32)(unsafe.Add(pa, 60)))
			c30 = a.MulAdd(b0, c30)
			c31 = a.MulAdd(b1, c31)
			pa = unsafe.Add(pa, 64)
			pb = unsafe.Add(pb, 128)
		}
		for ; p < kc; p++ {
			b0 = simd.LoadFloat32s((*[4]float32)(unsafe.Add(pb, 0))[:])
			b1 = simd.LoadFloat32s((*[4]float32)(unsafe.Add(pb, 16))[:])
			a = simd.BroadcastFloat32s(*(*float32)(unsafe.Add(pa, 0)))
			c00 = a.MulAdd(b0, c00)
			c01 = a.MulAdd(b1, c01)
			a = simd.BroadcastFloat32s(*(*float32)(unsafe.Add(pa, 4)))
			c10 = a.MulAdd(b0, c10)
			c11 = a.MulAdd(b1, c11)
			a = simd.BroadcastFloat32s(*(*float32)(unsafe.Add(pa, 8)))
			c20 = a.MulAdd(b0, c20)
			c21 = a.MulAdd(b1, c21)
			a = simd.BroadcastFloat32s(*(*float32)(unsafe.Add(pa, 12)))
			c30 = a.MulAdd(b0, c30)
			c31 = a.MulAdd(b1, c31)
			pa = unsafe.Add(pa, 16)
			pb = unsafe.Add(pb, 32)
		}
		r0 := c[t*nr : t*nr+nr]
		r1 := c[ldc+t*nr : ldc+t*nr+nr]
		r2 := c[2*ldc+t*nr : 2*ldc+t*nr+nr]
		r3 := c[3*ldc+t*nr : 3*ldc+t*nr+nr]
		if beta == 1 {
			c00 = c00.Add(simd.LoadFloat32s(r0))
			c01 = c01.Add(simd.LoadFloat32s(r0[v:]))
			c10 = c10.Add(simd.LoadFloat32s(r1))
			c11 = c11.Add(simd.LoadFloat32s(r1[v:]))
			c20 = c20.Add(simd.LoadFloat32s(r2))
			c21 = c21.Add(simd.LoadFloat32s(r2[v:]))
			c30 = c30.Add(simd.LoadFloat32s(r3))
			c31 = c31.Add(simd.LoadFloat32s(r3[v:]))
		} else if beta != 0 {
			c00 = bv.MulAdd(simd.LoadFloat32s(r0), c00)
			c01 = bv.MulAdd(simd.LoadFloat32s(r0[v:]), c01)
			c10 = bv.MulAdd(simd.LoadFloat32s(r1), c10)
			c11 = bv.MulAdd(simd.LoadFloat32s(r1[v:]), c11)
			c20 = bv.MulAdd(simd.LoadFloat32s(r2), c20)
			c21 = bv.MulAdd(simd.LoadFloat32s(r2[v:]), c21)
			c30 = bv.MulAdd(simd.LoadFloat32s(r3), c30)
			c31 = bv.MulAdd(simd.LoadFloat32s(r3[v:]), c31)
		}
		c00.Store(r0)
		c01.Store(r0[v:])
		c10.Store(r1)
		c11.Store(r1[v:])
		c20.Store(r2)
		c21.Store(r2[v:])
		c30.Store(r3)
		c31.Store(r3[v:])
	}
}
