//go:build goexperiment.simd && !wasm

package kernels

import "simd"

// tileSizeGeneric returns the micro-kernel's tile: mr rows by nr columns of C.
func tileSizeGeneric() (mr, nr int) { return 4, 2 * simd.BroadcastFloat32s(0).Len() }

// microKernelGeneric (not unrolled: on amd64 the unrolled loop makes the compiler
// spill scalars with SSE moves inside AVX code, which is ~40x slower) computes np adjacent 4 x 2V tiles (V = vector length) of C:
// tile t is C[:, t·2V : (t+1)·2V] = Ap·Bp_t + beta·C, where ap is a packed
// (kc, 4) panel of op(A) and bp holds np packed (kc, 2V) panels of op(B);
// beta 0 overwrites C. Each tile is held in 8 vector accumulators; each step
// broadcasts 4 values of A and loads 2 vectors of B. Looping over the tiles
// here rather than in the caller saves a (costly, under wasm) call per tile.
func microKernelGeneric(kc, np int, ap, bp []float32, c []float32, ldc int, beta float32) {
	v := simd.BroadcastFloat32s(0).Len()
	nr := 2 * v
	ap = ap[:kc*4]
	bv := simd.BroadcastFloat32s(beta)
	for t := 0; t < np; t++ {
		var c00, c01, c10, c11, c20, c21, c30, c31 simd.Float32s
		a := ap
		b := bp[t*kc*nr : (t+1)*kc*nr]
		for len(a) >= 4 && len(b) >= nr {
			b0 := simd.LoadFloat32s(b)
			b1 := simd.LoadFloat32s(b[v:])
			a0 := simd.BroadcastFloat32s(a[0])
			c00 = a0.MulAdd(b0, c00)
			c01 = a0.MulAdd(b1, c01)
			a1 := simd.BroadcastFloat32s(a[1])
			c10 = a1.MulAdd(b0, c10)
			c11 = a1.MulAdd(b1, c11)
			a2 := simd.BroadcastFloat32s(a[2])
			c20 = a2.MulAdd(b0, c20)
			c21 = a2.MulAdd(b1, c21)
			a3 := simd.BroadcastFloat32s(a[3])
			c30 = a3.MulAdd(b0, c30)
			c31 = a3.MulAdd(b1, c31)
			a = a[4:]
			b = b[nr:]
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
	clearUpper()
}
