//go:build !goexperiment.simd

package kernels

// dot2x4 sets s[4i+j] to the dot product of row i of (a0, a1) and row j of
// (b0, b1, b2, b3), all len(a0) long.
func dot2x4(a0, a1, b0, b1, b2, b3 []float32, s *[8]float32) {
	n := len(a0)
	a1, b0, b1, b2, b3 = a1[:n], b0[:n], b1[:n], b2[:n], b3[:n]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
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
	s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7] = s0, s1, s2, s3, s4, s5, s6, s7
}

// dot1x4 sets s[j] to the dot product of a0 with row j of (b0, b1, b2, b3).
func dot1x4(a0, b0, b1, b2, b3 []float32, s *[8]float32) {
	n := len(a0)
	b0, b1, b2, b3 = b0[:n], b1[:n], b2[:n], b3[:n]
	var s0, s1, s2, s3 float32
	for q, x0 := range a0 {
		s0 += x0 * b0[q]
		s1 += x0 * b1[q]
		s2 += x0 * b2[q]
		s3 += x0 * b3[q]
	}
	s[0], s[1], s[2], s[3] = s0, s1, s2, s3
}
