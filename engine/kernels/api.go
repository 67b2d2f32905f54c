package kernels

// Gemm computes C = op(A)·op(B) + beta·C, row-major, where op(X) is X or its
// transpose. op(A) is (m, k), op(B) is (k, n), C is (m, n).
// lda, ldb and ldc are the row strides of A, B and C as stored.
// beta = 0 overwrites C (NaNs in C are not propagated); beta = 1 accumulates.
//
// It panics if a slice is too short for the sizes given.
func Gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	clearUpper() // the caller's vector code may have left the upper halves dirty
	if m == 0 || n == 0 {
		return
	}
	if !transA && transB && k >= dotMinK() {
		gemmNTDot(m, n, k, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemm(transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc)
}

func checkGemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic("kernels: negative dimension")
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	need := func(rows, cols, ld int, s []float32, name string) {
		if rows == 0 || cols == 0 {
			return
		}
		if ld < cols {
			panic("kernels: leading dimension of " + name + " too small")
		}
		if len(s) < (rows-1)*ld+cols {
			panic("kernels: slice " + name + " too short")
		}
	}
	need(ar, ac, lda, a, "A")
	need(br, bc, ldb, b, "B")
	need(m, n, ldc, c, "C")
}
