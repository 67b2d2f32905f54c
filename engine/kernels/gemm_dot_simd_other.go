//go:build goexperiment.simd && !wasm

package kernels

import "simd"

// dot2x4Generic adds to acc the dot products of rows a0, a1 with rows b0..b3, all
// len(a0) long: acc.c(4i+j) gathers row i of A times row j of B. (Not
// unrolled: see microKernel in gemm_simd_other.go.)
func dot2x4Generic(a0, a1, b0, b1, b2, b3 []float32, acc *dotAcc) {
	n := len(a0)
	a1, b0, b1, b2, b3 = a1[:n], b0[:n], b1[:n], b2[:n], b3[:n]
	c00, c01, c02, c03 := acc.c0, acc.c1, acc.c2, acc.c3
	c10, c11, c12, c13 := acc.c4, acc.c5, acc.c6, acc.c7
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
	acc.c0, acc.c1, acc.c2, acc.c3 = c00, c01, c02, c03
	acc.c4, acc.c5, acc.c6, acc.c7 = c10, c11, c12, c13
	acc.vec = true
	clearUpper()
	for ; i < n; i++ {
		acc.tail2x4(a0[i], a1[i], b0[i], b1[i], b2[i], b3[i])
	}
}
