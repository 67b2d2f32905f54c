//go:build goexperiment.simd && !wasm

package kernels

import "simd"

// dot2x4 sets s[4i+j] to the dot product of row i of (a0, a1) and row j of
// (b0, b1, b2, b3), all len(a0) long, with 8 vector accumulators: each step
// loads one vector of each of the 6 rows and makes 8 multiply-adds. (Not
// unrolled: see microKernel in gemm_simd_other.go.)
func dot2x4(a0, a1, b0, b1, b2, b3 []float32, s *[8]float32) {
	n := len(a0)
	a1, b0, b1, b2, b3 = a1[:n], b0[:n], b1[:n], b2[:n], b3[:n]
	var c00, c01, c02, c03, c10, c11, c12, c13 simd.Float32s
	v := c00.Len()
	i := 0
	for ; i+v <= n; i += v {
		x0 := simd.LoadFloat32s(a0[i : i+v])
		x1 := simd.LoadFloat32s(a1[i : i+v])
		y := simd.LoadFloat32s(b0[i : i+v])
		c00 = x0.MulAdd(y, c00)
		c10 = x1.MulAdd(y, c10)
		y = simd.LoadFloat32s(b1[i : i+v])
		c01 = x0.MulAdd(y, c01)
		c11 = x1.MulAdd(y, c11)
		y = simd.LoadFloat32s(b2[i : i+v])
		c02 = x0.MulAdd(y, c02)
		c12 = x1.MulAdd(y, c12)
		y = simd.LoadFloat32s(b3[i : i+v])
		c03 = x0.MulAdd(y, c03)
		c13 = x1.MulAdd(y, c13)
	}
	s[0], s[1], s[2], s[3] = hsum(c00), hsum(c01), hsum(c02), hsum(c03)
	s[4], s[5], s[6], s[7] = hsum(c10), hsum(c11), hsum(c12), hsum(c13)
	for ; i < n; i++ {
		x0, x1 := a0[i], a1[i]
		s[0] += x0 * b0[i]
		s[1] += x0 * b1[i]
		s[2] += x0 * b2[i]
		s[3] += x0 * b3[i]
		s[4] += x1 * b0[i]
		s[5] += x1 * b1[i]
		s[6] += x1 * b2[i]
		s[7] += x1 * b3[i]
	}
}
