//go:build goexperiment.simd

package kernels

import "simd"

func gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemmPacked(transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc)
}

// tileSize returns the micro-kernel's tile: mr rows by nr columns of C.
func tileSize() (mr, nr int) { return 4, 2 * simd.BroadcastFloat32s(0).Len() }

// microKernel computes the 4 x 2V tile (V = vector length) C = Ap·Bp + beta·C
// where ap is a packed (kc, 4) panel of op(A) and bp a packed (kc, 2V) panel
// of op(B); beta 0 overwrites C. The tile is held in 8 vector accumulators;
// each step broadcasts 4 values of A and loads 2 vectors of B.
func microKernel(kc int, ap, bp []float32, c []float32, ldc int, beta float32) {
	var c00, c01, c10, c11, c20, c21, c30, c31 simd.Float32s
	v := c00.Len()
	nr := 2 * v
	ap = ap[:kc*4]
	bp = bp[:kc*nr]
	for len(ap) >= 4 && len(bp) >= nr {
		b0 := simd.LoadFloat32s(bp)
		b1 := simd.LoadFloat32s(bp[v:])
		a0 := simd.BroadcastFloat32s(ap[0])
		c00 = a0.MulAdd(b0, c00)
		c01 = a0.MulAdd(b1, c01)
		a1 := simd.BroadcastFloat32s(ap[1])
		c10 = a1.MulAdd(b0, c10)
		c11 = a1.MulAdd(b1, c11)
		a2 := simd.BroadcastFloat32s(ap[2])
		c20 = a2.MulAdd(b0, c20)
		c21 = a2.MulAdd(b1, c21)
		a3 := simd.BroadcastFloat32s(ap[3])
		c30 = a3.MulAdd(b0, c30)
		c31 = a3.MulAdd(b1, c31)
		ap = ap[4:]
		bp = bp[nr:]
	}
	storeRow2v(c[0*ldc:], v, beta, c00, c01)
	storeRow2v(c[1*ldc:], v, beta, c10, c11)
	storeRow2v(c[2*ldc:], v, beta, c20, c21)
	storeRow2v(c[3*ldc:], v, beta, c30, c31)
}

func storeRow2v(c []float32, v int, beta float32, x0, x1 simd.Float32s) {
	c = c[:2*v]
	switch beta {
	case 0:
	case 1:
		x0 = x0.Add(simd.LoadFloat32s(c))
		x1 = x1.Add(simd.LoadFloat32s(c[v:]))
	default:
		bv := simd.BroadcastFloat32s(beta)
		x0 = bv.MulAdd(simd.LoadFloat32s(c), x0)
		x1 = bv.MulAdd(simd.LoadFloat32s(c[v:]), x1)
	}
	x0.Store(c)
	x1.Store(c[v:])
}
