//go:build !goexperiment.simd

package kernels

// microKernelOffGeneric is microKernel with B unpacked: row p of tile t is the 4
// values at bp[off[p] + 4t].
func microKernelOffGeneric(kc, np int, ap []float32, off []int32, bp []float32, c []float32, ldc int, beta float32) {
	ap = ap[:kc*4]
	for t := 0; t < np; t++ {
		var c00, c01, c02, c03 float32
		var c10, c11, c12, c13 float32
		var c20, c21, c22, c23 float32
		var c30, c31, c32, c33 float32
		a := ap
		offs := off[:kc]
		bt := bp[t*4:]
		for len(a) >= 4 && len(offs) >= 1 {
			b := bt[offs[0]:]
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
			offs = offs[1:]
		}
		o := t * 4
		merge4(c[o:o+4], beta, c00, c01, c02, c03)
		merge4(c[ldc+o:ldc+o+4], beta, c10, c11, c12, c13)
		merge4(c[2*ldc+o:2*ldc+o+4], beta, c20, c21, c22, c23)
		merge4(c[3*ldc+o:3*ldc+o+4], beta, c30, c31, c32, c33)
	}
}
