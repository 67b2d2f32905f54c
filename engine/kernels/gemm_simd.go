//go:build goexperiment.simd

package kernels

import "simd"

func gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemmPacked(transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc)
}

// packPanelGeneric copies kc rows of nr = 2V values, row stride ldb, from b to d
// (kc, nr).
func packPanelGeneric(d, b []float32, ldb, kc, nr int) {
	v := nr / 2
	for p := 0; p < kc; p++ {
		src := b[p*ldb : p*ldb+nr]
		dst := d[p*nr : p*nr+nr]
		simd.LoadFloat32s(src).Store(dst)
		simd.LoadFloat32s(src[v:]).Store(dst[v:])
	}
	clearUpper()
}
