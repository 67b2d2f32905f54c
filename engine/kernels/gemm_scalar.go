//go:build !goexperiment.simd

package kernels

func gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemmPacked(transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc)
}

// tileSize returns the micro-kernel's tile: mr rows by nr columns of C.
func tileSize() (mr, nr int) { return 4, 4 }

// microKernel computes the 4x4 tile C = Ap·Bp + beta·C where ap is a packed
// (kc, 4) panel of op(A) and bp a packed (kc, 4) panel of op(B); beta 0
// overwrites C. The tile is held in 16 scalar locals.
func microKernel(kc int, ap, bp []float32, c []float32, ldc int, beta float32) {
	var c00, c01, c02, c03 float32
	var c10, c11, c12, c13 float32
	var c20, c21, c22, c23 float32
	var c30, c31, c32, c33 float32
	ap = ap[:kc*4]
	bp = bp[:kc*4]
	for len(ap) >= 4 && len(bp) >= 4 {
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
		ap = ap[4:]
		bp = bp[4:]
	}
	storeRow4(c[0*ldc:0*ldc+4], beta, c00, c01, c02, c03)
	storeRow4(c[1*ldc:1*ldc+4], beta, c10, c11, c12, c13)
	storeRow4(c[2*ldc:2*ldc+4], beta, c20, c21, c22, c23)
	storeRow4(c[3*ldc:3*ldc+4], beta, c30, c31, c32, c33)
}

func storeRow4(c []float32, beta float32, v0, v1, v2, v3 float32) {
	c = c[:4]
	switch beta {
	case 0:
		c[0], c[1], c[2], c[3] = v0, v1, v2, v3
	case 1:
		c[0] += v0
		c[1] += v1
		c[2] += v2
		c[3] += v3
	default:
		c[0] = beta*c[0] + v0
		c[1] = beta*c[1] + v1
		c[2] = beta*c[2] + v2
		c[3] = beta*c[3] + v3
	}
}
