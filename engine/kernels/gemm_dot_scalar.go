//go:build !goexperiment.simd

package kernels

// dotAcc holds the running sums of a 2x4 dot-product tile.
type dotAcc struct {
	t [8]float32
}

// sum sets s[q] to the total of accumulator q.
func (d *dotAcc) sum(s *[8]float32) { *s = d.t }

// dot2x4Generic adds to acc the dot products of rows a0, a1 with rows b0..b3, all
// len(a0) long: acc.t[4i+j] gathers row i of A times row j of B.
func dot2x4Generic(a0, a1, b0, b1, b2, b3 []float32, acc *dotAcc) {
	n := len(a0)
	a1, b0, b1, b2, b3 = a1[:n], b0[:n], b1[:n], b2[:n], b3[:n]
	s0, s1, s2, s3, s4, s5, s6, s7 := acc.t[0], acc.t[1], acc.t[2], acc.t[3], acc.t[4], acc.t[5], acc.t[6], acc.t[7]
	for q, x0 := range a0 {
		x1 := a1[q]
		y0, y1, y2, y3 := b0[q], b1[q], b2[q], b3[q]
		s0 += x0 * y0
		s1 += x0 * y1
		s2 += x0 * y2
		s3 += x0 * y3
		s4 += x1 * y0
		s5 += x1 * y1
		s6 += x1 * y2
		s7 += x1 * y3
	}
	acc.t = [8]float32{s0, s1, s2, s3, s4, s5, s6, s7}
}

// dot1x4 adds to acc.t[j] the dot products of a0 with row j of
// (b0, b1, b2, b3).
func dot1x4(a0, b0, b1, b2, b3 []float32, acc *dotAcc) {
	n := len(a0)
	b0, b1, b2, b3 = b0[:n], b1[:n], b2[:n], b3[:n]
	s0, s1, s2, s3 := acc.t[0], acc.t[1], acc.t[2], acc.t[3]
	for q, x0 := range a0 {
		s0 += x0 * b0[q]
		s1 += x0 * b1[q]
		s2 += x0 * b2[q]
		s3 += x0 * b3[q]
	}
	acc.t[0], acc.t[1], acc.t[2], acc.t[3] = s0, s1, s2, s3
}

// dotTile sets s to the sums of a tile of rows (1 or 2) rows of A, the
// first at a[pa] and the next lda further on, by the 4 rows of B starting at
// b[o[j]], over nseg segments of l values (A's g-th at +g·sa, B's at +g·sb):
// s[4i+j] for row i of A and row j of B.
func dotTile(rows int, a []float32, pa, lda, sa int, b []float32, o *[4]int, sb, l, nseg int, s *[8]float32) {
	var acc dotAcc
	for g := 0; g < nseg; g++ {
		p, q := pa+g*sa, g*sb
		b0, b1, b2, b3 := b[o[0]+q:o[0]+q+l], b[o[1]+q:o[1]+q+l], b[o[2]+q:o[2]+q+l], b[o[3]+q:o[3]+q+l]
		if rows == 2 {
			dot2x4(a[p:p+l], a[p+lda:p+lda+l], b0, b1, b2, b3, &acc)
		} else {
			dot1x4(a[p:p+l], b0, b1, b2, b3, &acc)
		}
	}
	acc.sum(s)
}

// dot2x4 adds to acc the dot products of rows a0, a1 with rows b0..b3, all
// len(a0) long, in assembly where the CPU allows (dot2x4Native).
func dot2x4(a0, a1, b0, b1, b2, b3 []float32, acc *dotAcc) {
	if !dot2x4Native(a0, a1, b0, b1, b2, b3, &acc.t) {
		dot2x4Generic(a0, a1, b0, b1, b2, b3, acc)
	}
}
