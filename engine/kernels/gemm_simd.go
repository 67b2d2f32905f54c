//go:build goexperiment.simd

package kernels

// TODO(kernels helper): register-blocked simd micro-kernel.
func gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemmScalar(transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc)
}
