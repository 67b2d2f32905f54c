//go:build goexperiment.simd && wasm

package kernels

import (
	"simd"
	"unsafe"
)

// dot2x4 adds to acc the dot products of rows a0, a1 with rows b0..b3, all
// len(a0) long: acc.c(4i+j) gathers row i of A times row j of B. It holds
// the 8 accumulators in registers: each step loads one vector of each of the
// 6 rows and makes 8 multiply-adds.
//
// Four steps per iteration and loads through pointers at one running
// offset, after the rows are cut to a common length: under wasm each loop
// back edge is a jump through the function's dispatch table, and a bounds
// check per load costs more than the load.
func dot2x4(a0, a1, b0, b1, b2, b3 []float32, acc *dotAcc) {
	n := len(a0)
	a1, b0, b1, b2, b3 = a1[:n], b0[:n], b1[:n], b2[:n], b3[:n]
	c00, c01, c02, c03 := acc.c0, acc.c1, acc.c2, acc.c3
	c10, c11, c12, c13 := acc.c4, acc.c5, acc.c6, acc.c7
	const v = 4 // wasm vectors are 128 bits
	i := 0
	if n >= v {
		p0, p1 := unsafe.Pointer(&a0[0]), unsafe.Pointer(&a1[0])
		q0, q1, q2, q3 := unsafe.Pointer(&b0[0]), unsafe.Pointer(&b1[0]), unsafe.Pointer(&b2[0]), unsafe.Pointer(&b3[0])
		// All six rows hold n values; q is the byte offset of value i.
		for ; i+4*v <= n; i += 4 * v {
			q := uintptr(i) * 4
			x0 := simd.LoadFloat32s((*[4]float32)(unsafe.Add(p0, q+0))[:])
			x1 := simd.LoadFloat32s((*[4]float32)(unsafe.Add(p1, q+0))[:])
			y := simd.LoadFloat32s((*[4]float32)(unsafe.Add(q0, q+0))[:])
			c00 = x0.MulAdd(y, c00)
			c10 = x1.MulAdd(y, c10)
			y = simd.LoadFloat32s((*[4]float32)(unsafe.Add(q1, q+0))[:])
			c01 = x0.MulAdd(y, c01)
			c11 = x1.MulAdd(y, c11)
			y = simd.LoadFloat32s((*[4]float32)(unsafe.Add(q2, q+0))[:])
			c02 = x0.MulAdd(y, c02)
			c12 = x1.MulAdd(y, c12)
			y = simd.LoadFloat32s((*[4]float32)(unsafe.Add(q3, q+0))[:])
			c03 = x0.MulAdd(y, c03)
			c13 = x1.MulAdd(y, c13)
			x0 = simd.LoadFloat32s((*[4]float32)(unsafe.Add(p0, q+16))[:])
			x1 = simd.LoadFloat32s((*[4]float32)(unsafe.Add(p1, q+16))[:])
			y = simd.LoadFloat32s((*[4]float32)(unsafe.Add(q0, q+16))[:])
			c00 = x0.MulAdd(y, c00)
			c10 = x1.MulAdd(y, c10)
			y = simd.LoadFloat32s((*[4]float32)(unsafe.Add(q1, q+16))[:])
			c01 = x0.MulAdd(y, c01)
			c11 = x1.MulAdd(y, c11)
			y = simd.LoadFloat32s((*[4]float32)(unsafe.Add(q2, q+16))[:])
			c02 = x0.MulAdd(y, c02)
			c12 = x1.MulAdd(y, c12)
			y = simd.LoadFloat32s((*[4]float32)(unsafe.Add(q3, q+16))[:])
			c03 = x0.MulAdd(y, c03)
			c13 = x1.MulAdd(y, c13)
			x0 = simd.LoadFloat32s((*[4]float32)(unsafe.Add(p0, q+32))[:])
			x1 = simd.LoadFloat32s((*[4]float32)(unsafe.Add(p1, q+32))[:])
			y = simd.LoadFloat32s((*[4]float32)(unsafe.Add(q0, q+32))[:])
			c00 = x0.MulAdd(y, c00)
			c10 = x1.MulAdd(y, c10)
			y = simd.LoadFloat32s((*[4]float32)(unsafe.Add(q1, q+32))[:])
			c01 = x0.MulAdd(y, c01)
			c11 = x1.MulAdd(y, c11)
			y = simd.LoadFloat32s((*[4]float32)(unsafe.Add(q2, q+32))[:])
			c02 = x0.MulAdd(y, c02)
			c12 = x1.MulAdd(y, c12)
			y = simd.LoadFloat32s((*[4]float32)(unsafe.Add(q3, q+32))[:])
			c03 = x0.MulAdd(y, c03)
			c13 = x1.MulAdd(y, c13)
			x0 = simd.LoadFloat32s((*[4]float32)(unsafe.Add(p0, q+48))[:])
			x1 = simd.LoadFloat32s((*[4]float32)(unsafe.Add(p1, q+48))[:])
			y = simd.LoadFloat32s((*[4]float32)(unsafe.Add(q0, q+48))[:])
			c00 = x0.MulAdd(y, c00)
			c10 = x1.MulAdd(y, c10)
			y = simd.LoadFloat32s((*[4]float32)(unsafe.Add(q1, q+48))[:])
			c01 = x0.MulAdd(y, c01)
			c11 = x1.MulAdd(y, c11)
			y = simd.LoadFloat32s((*[4]float32)(unsafe.Add(q2, q+48))[:])
			c02 = x0.MulAdd(y, c02)
			c12 = x1.MulAdd(y, c12)
			y = simd.LoadFloat32s((*[4]float32)(unsafe.Add(q3, q+48))[:])
			c03 = x0.MulAdd(y, c03)
			c13 = x1.MulAdd(y, c13)
		}
		for ; i+v <= n; i += v {
			q := uintptr(i) * 4
			x0 := simd.LoadFloat32s((*[4]float32)(unsafe.Add(p0, q+0))[:])
			x1 := simd.LoadFloat32s((*[4]float32)(unsafe.Add(p1, q+0))[:])
			y := simd.LoadFloat32s((*[4]float32)(unsafe.Add(q0, q+0))[:])
			c00 = x0.MulAdd(y, c00)
			c10 = x1.MulAdd(y, c10)
			y = simd.LoadFloat32s((*[4]float32)(unsafe.Add(q1, q+0))[:])
			c01 = x0.MulAdd(y, c01)
			c11 = x1.MulAdd(y, c11)
			y = simd.LoadFloat32s((*[4]float32)(unsafe.Add(q2, q+0))[:])
			c02 = x0.MulAdd(y, c02)
			c12 = x1.MulAdd(y, c12)
			y = simd.LoadFloat32s((*[4]float32)(unsafe.Add(q3, q+0))[:])
			c03 = x0.MulAdd(y, c03)
			c13 = x1.MulAdd(y, c13)
		}
	}
	acc.c0, acc.c1, acc.c2, acc.c3 = c00, c01, c02, c03
	acc.c4, acc.c5, acc.c6, acc.c7 = c10, c11, c12, c13
	for ; i < n; i++ {
		acc.tail2x4(a0[i], a1[i], b0[i], b1[i], b2[i], b3[i])
	}
}
