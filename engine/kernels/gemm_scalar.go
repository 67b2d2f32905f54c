//go:build !goexperiment.simd

package kernels

func gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemmPacked(transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc)
}

// tileSizeGeneric returns the micro-kernel's tile: mr rows by nr columns of C.
func tileSizeGeneric() (mr, nr int) { return 4, 4 }

// microKernelGeneric computes np adjacent 4x4 tiles of C: tile t is
// C[:, 4t : 4t+4] = Ap·Bp_t + beta·C, where ap is a packed (kc, 4) panel of
// op(A) and bp holds np packed (kc, 4) panels of op(B); beta 0 overwrites C.
// Each tile is held in 16 scalar locals.
func microKernelGeneric(kc, np int, ap, bp []float32, c []float32, ldc int, beta float32) {
	ap = ap[:kc*4]
	for t := 0; t < np; t++ {
		var c00, c01, c02, c03 float32
		var c10, c11, c12, c13 float32
		var c20, c21, c22, c23 float32
		var c30, c31, c32, c33 float32
		a := ap
		b := bp[t*kc*4 : (t+1)*kc*4]
		for len(a) >= 4 && len(b) >= 4 {
			a0, a1, a2, a3 := a[0], a[1], a[2], a[3]
			b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
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
			a = a[4:]
			b = b[4:]
		}
		o := t * 4
		merge4(c[o:o+4], beta, c00, c01, c02, c03)
		merge4(c[ldc+o:ldc+o+4], beta, c10, c11, c12, c13)
		merge4(c[2*ldc+o:2*ldc+o+4], beta, c20, c21, c22, c23)
		merge4(c[3*ldc+o:3*ldc+o+4], beta, c30, c31, c32, c33)
	}
}

// merge4 sets c = s + beta·c for 4 values; beta 0 overwrites.
func merge4(c []float32, beta float32, s0, s1, s2, s3 float32) {
	c = c[:4]
	switch beta {
	case 0:
		c[0], c[1], c[2], c[3] = s0, s1, s2, s3
	case 1:
		c[0] += s0
		c[1] += s1
		c[2] += s2
		c[3] += s3
	default:
		c[0] = beta*c[0] + s0
		c[1] = beta*c[1] + s1
		c[2] = beta*c[2] + s2
		c[3] = beta*c[3] + s3
	}
}

// packPanelGeneric copies kc rows of nr = 4 values, row stride ldb, from b to d
// (kc, 4).
func packPanelGeneric(d, b []float32, ldb, kc, nr int) {
	for p := 0; p < kc; p++ {
		src := b[p*ldb : p*ldb+4]
		dst := d[p*4 : p*4+4]
		dst[0], dst[1], dst[2], dst[3] = src[0], src[1], src[2], src[3]
	}
}
