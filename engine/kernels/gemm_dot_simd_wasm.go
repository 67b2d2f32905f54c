//go:build goexperiment.simd && wasm

package kernels

import "simd"

// dot2x4 adds to acc the dot products of rows a0, a1 with rows b0..b3, all
// len(a0) long: acc.c(4i+j) gathers row i of A times row j of B. It holds
// the 8 accumulators in registers: each step loads one vector of each of the
// 6 rows and makes 8 multiply-adds.
//
// Four steps per iteration, loads at constant offsets and one length test of
// the six rows per iteration: under wasm each loop back edge is a jump
// through the function's dispatch table, and a bounds check per load costs
// more than the load.
func dot2x4(a0, a1, b0, b1, b2, b3 []float32, acc *dotAcc) {
	n := len(a0)
	a1, b0, b1, b2, b3 = a1[:n], b0[:n], b1[:n], b2[:n], b3[:n]
	c00, c01, c02, c03 := acc.c0, acc.c1, acc.c2, acc.c3
	c10, c11, c12, c13 := acc.c4, acc.c5, acc.c6, acc.c7
	const v = 4 // wasm vectors are 128 bits
	for len(a0) >= 4*v && len(a1) >= 4*v && len(b0) >= 4*v && len(b1) >= 4*v && len(b2) >= 4*v && len(b3) >= 4*v {
		x0 := simd.LoadFloat32s(a0)
		x1 := simd.LoadFloat32s(a1)
		y := simd.LoadFloat32s(b0)
		c00 = x0.MulAdd(y, c00)
		c10 = x1.MulAdd(y, c10)
		y = simd.LoadFloat32s(b1)
		c01 = x0.MulAdd(y, c01)
		c11 = x1.MulAdd(y, c11)
		y = simd.LoadFloat32s(b2)
		c02 = x0.MulAdd(y, c02)
		c12 = x1.MulAdd(y, c12)
		y = simd.LoadFloat32s(b3)
		c03 = x0.MulAdd(y, c03)
		c13 = x1.MulAdd(y, c13)
		x0 = simd.LoadFloat32s(a0[4:])
		x1 = simd.LoadFloat32s(a1[4:])
		y = simd.LoadFloat32s(b0[4:])
		c00 = x0.MulAdd(y, c00)
		c10 = x1.MulAdd(y, c10)
		y = simd.LoadFloat32s(b1[4:])
		c01 = x0.MulAdd(y, c01)
		c11 = x1.MulAdd(y, c11)
		y = simd.LoadFloat32s(b2[4:])
		c02 = x0.MulAdd(y, c02)
		c12 = x1.MulAdd(y, c12)
		y = simd.LoadFloat32s(b3[4:])
		c03 = x0.MulAdd(y, c03)
		c13 = x1.MulAdd(y, c13)
		x0 = simd.LoadFloat32s(a0[8:])
		x1 = simd.LoadFloat32s(a1[8:])
		y = simd.LoadFloat32s(b0[8:])
		c00 = x0.MulAdd(y, c00)
		c10 = x1.MulAdd(y, c10)
		y = simd.LoadFloat32s(b1[8:])
		c01 = x0.MulAdd(y, c01)
		c11 = x1.MulAdd(y, c11)
		y = simd.LoadFloat32s(b2[8:])
		c02 = x0.MulAdd(y, c02)
		c12 = x1.MulAdd(y, c12)
		y = simd.LoadFloat32s(b3[8:])
		c03 = x0.MulAdd(y, c03)
		c13 = x1.MulAdd(y, c13)
		x0 = simd.LoadFloat32s(a0[12:])
		x1 = simd.LoadFloat32s(a1[12:])
		y = simd.LoadFloat32s(b0[12:])
		c00 = x0.MulAdd(y, c00)
		c10 = x1.MulAdd(y, c10)
		y = simd.LoadFloat32s(b1[12:])
		c01 = x0.MulAdd(y, c01)
		c11 = x1.MulAdd(y, c11)
		y = simd.LoadFloat32s(b2[12:])
		c02 = x0.MulAdd(y, c02)
		c12 = x1.MulAdd(y, c12)
		y = simd.LoadFloat32s(b3[12:])
		c03 = x0.MulAdd(y, c03)
		c13 = x1.MulAdd(y, c13)
		a0, a1, b0, b1, b2, b3 = a0[4*v:], a1[4*v:], b0[4*v:], b1[4*v:], b2[4*v:], b3[4*v:]
	}
	for len(a0) >= v && len(a1) >= v && len(b0) >= v && len(b1) >= v && len(b2) >= v && len(b3) >= v {
		x0 := simd.LoadFloat32s(a0)
		x1 := simd.LoadFloat32s(a1)
		y := simd.LoadFloat32s(b0)
		c00 = x0.MulAdd(y, c00)
		c10 = x1.MulAdd(y, c10)
		y = simd.LoadFloat32s(b1)
		c01 = x0.MulAdd(y, c01)
		c11 = x1.MulAdd(y, c11)
		y = simd.LoadFloat32s(b2)
		c02 = x0.MulAdd(y, c02)
		c12 = x1.MulAdd(y, c12)
		y = simd.LoadFloat32s(b3)
		c03 = x0.MulAdd(y, c03)
		c13 = x1.MulAdd(y, c13)
		a0, a1, b0, b1, b2, b3 = a0[v:], a1[v:], b0[v:], b1[v:], b2[v:], b3[v:]
	}
	acc.c0, acc.c1, acc.c2, acc.c3 = c00, c01, c02, c03
	acc.c4, acc.c5, acc.c6, acc.c7 = c10, c11, c12, c13
	a1, b0, b1, b2, b3 = a1[:len(a0)], b0[:len(a0)], b1[:len(a0)], b2[:len(a0)], b3[:len(a0)]
	for i, x0 := range a0 {
		acc.tail2x4(x0, a1[i], b0[i], b1[i], b2[i], b3[i])
	}
}
