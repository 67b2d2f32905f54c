//go:build goexperiment.simd

package kernels

import "simd"

// dotAcc holds the running sums of a 2x4 dot-product tile: 8 vectors, and
// 8 scalars for the elements past the last full vector.
type dotAcc struct {
	c0, c1, c2, c3, c4, c5, c6, c7 simd.Float32s
	t                              [8]float32
	vec                            bool // the vectors hold sums (not so after dot2x4Native)
}

// sum sets s[q] to the total of accumulator q.
func (d *dotAcc) sum(s *[8]float32) {
	if !d.vec {
		*s = d.t
		return
	}
	s[0], s[1], s[2], s[3] = hsum(d.c0)+d.t[0], hsum(d.c1)+d.t[1], hsum(d.c2)+d.t[2], hsum(d.c3)+d.t[3]
	s[4], s[5], s[6], s[7] = hsum(d.c4)+d.t[4], hsum(d.c5)+d.t[5], hsum(d.c6)+d.t[6], hsum(d.c7)+d.t[7]
}

// tail2x4 adds the products of one element of each row to the scalar sums.
func (d *dotAcc) tail2x4(x0, x1, y0, y1, y2, y3 float32) {
	d.t[0] += x0 * y0
	d.t[1] += x0 * y1
	d.t[2] += x0 * y2
	d.t[3] += x0 * y3
	d.t[4] += x1 * y0
	d.t[5] += x1 * y1
	d.t[6] += x1 * y2
	d.t[7] += x1 * y3
}

// dot1x4 adds to acc.c(j) the dot products of a0 with row j of
// (b0, b1, b2, b3).
func dot1x4(a0, b0, b1, b2, b3 []float32, acc *dotAcc) {
	n := len(a0)
	b0, b1, b2, b3 = b0[:n], b1[:n], b2[:n], b3[:n]
	c0, c1, c2, c3 := acc.c0, acc.c1, acc.c2, acc.c3
	v := c0.Len()
	i := 0
	for ; i+v <= n; i += v {
		x0 := simd.LoadFloat32s(a0[i : i+v])
		c0 = x0.MulAdd(simd.LoadFloat32s(b0[i:i+v]), c0)
		c1 = x0.MulAdd(simd.LoadFloat32s(b1[i:i+v]), c1)
		c2 = x0.MulAdd(simd.LoadFloat32s(b2[i:i+v]), c2)
		c3 = x0.MulAdd(simd.LoadFloat32s(b3[i:i+v]), c3)
	}
	acc.c0, acc.c1, acc.c2, acc.c3 = c0, c1, c2, c3
	acc.vec = true
	clearUpper()
	for ; i < n; i++ {
		acc.tail2x4(a0[i], 0, b0[i], b1[i], b2[i], b3[i])
	}
}

// hsum returns the sum of x's lanes.
func hsum(x simd.Float32s) float32 {
	var lanes [16]float32 // up to 512-bit vectors
	x.Store(lanes[:])
	clearUpper()
	var s float32
	for _, l := range lanes[:x.Len()] {
		s += l
	}
	return s
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
