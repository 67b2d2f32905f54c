//go:build goexperiment.simd

package kernels

import "simd"

// dot1x4 sets s[j] to the dot product of a0 with row j of (b0, b1, b2, b3).
func dot1x4(a0, b0, b1, b2, b3 []float32, s *[8]float32) {
	n := len(a0)
	b0, b1, b2, b3 = b0[:n], b1[:n], b2[:n], b3[:n]
	var c0, c1, c2, c3 simd.Float32s
	v := c0.Len()
	for len(a0) >= v && len(b0) >= v && len(b1) >= v && len(b2) >= v && len(b3) >= v {
		x0 := simd.LoadFloat32s(a0)
		c0 = x0.MulAdd(simd.LoadFloat32s(b0), c0)
		c1 = x0.MulAdd(simd.LoadFloat32s(b1), c1)
		c2 = x0.MulAdd(simd.LoadFloat32s(b2), c2)
		c3 = x0.MulAdd(simd.LoadFloat32s(b3), c3)
		a0, b0, b1, b2, b3 = a0[v:], b0[v:], b1[v:], b2[v:], b3[v:]
	}
	s[0], s[1], s[2], s[3] = hsum(c0), hsum(c1), hsum(c2), hsum(c3)
	b0, b1, b2, b3 = b0[:len(a0)], b1[:len(a0)], b2[:len(a0)], b3[:len(a0)]
	for q, x0 := range a0 {
		s[0] += x0 * b0[q]
		s[1] += x0 * b1[q]
		s[2] += x0 * b2[q]
		s[3] += x0 * b3[q]
	}
}

// hsum returns the sum of x's lanes.
func hsum(x simd.Float32s) float32 {
	var lanes [16]float32 // up to 512-bit vectors
	x.Store(lanes[:])
	var s float32
	for _, l := range lanes[:x.Len()] {
		s += l
	}
	return s
}
