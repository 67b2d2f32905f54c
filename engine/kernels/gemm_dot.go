package kernels

// The dot-product GEMM: C = A·Bᵀ where A (m, k) and B (n, k) are both
// contiguous along k, as in a convolution's weight gradient
// dW = dy·colsᵀ. No packing: tiles of 2 rows of A by 4 rows of B are summed
// in 8 vector accumulators straight from A and B, and reduced at the end.
// Long k is cut into segments of dotKC so both stay in cache.

// dotKC is the segment length of the dot-product GEMM.
const dotKC = 1024

// dotMinKGeneric is the smallest k for which Gemm(false, true, ...) takes
// the dot-product path with the Go (or wasm) loops; below it the packed
// kernel's broadcast form wins. With the amd64 assembly the dot path wins
// from much shorter k, as it skips packing (dotMinK; BenchmarkGemmNTPath).
const dotMinKGeneric = 1024

// gemmNTDot computes C = A·Bᵀ + beta·C, A (m, k) with row stride lda and
// B (n, k) with row stride ldb, in blocks of dotKC along k.
func gemmNTDot(m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for p := 0; p < k; p += dotKC {
		l := min(dotKC, k-p)
		ntDot(m, n, l, 1, a[p:], lda, 0, b, ldb, nil, p, 0, p == 0, beta, c, ldc)
	}
}

// ntDot computes, for i < m and j < n, the sum over nseg segments
// s = Σ_{g<nseg} Σ_{q<l} a[i·lda + g·sa + q] · b[o_j + g·sb + q], where
// o_j = boff[j]+bshift if boff is not nil and j·ldb+bshift otherwise, and
// merges it into C[i][j]: when first, C = s + beta·C (beta 0 overwrites),
// else C += s. A tile's vector accumulators carry over from one segment to
// the next (dotTile), so each tile is reduced once.
func ntDot(m, n, l, nseg int, a []float32, lda, sa int, b []float32, ldb int, boff []int32, bshift, sb int, first bool, beta float32, c []float32, ldc int) {
	var s [8]float32
	j := 0
	for ; j+4 <= n; j += 4 {
		o := [4]int{rowOff(boff, ldb, bshift, j), rowOff(boff, ldb, bshift, j+1), rowOff(boff, ldb, bshift, j+2), rowOff(boff, ldb, bshift, j+3)}
		i := 0
		for ; i+2 <= m; i += 2 {
			dotTile(2, a, i*lda, lda, sa, b, &o, sb, l, nseg, &s)
			mergeDot(c[i*ldc+j:i*ldc+j+4], s[:4], first, beta)
			mergeDot(c[(i+1)*ldc+j:(i+1)*ldc+j+4], s[4:], first, beta)
		}
		if i < m {
			dotTile(1, a, i*lda, lda, sa, b, &o, sb, l, nseg, &s)
			mergeDot(c[i*ldc+j:i*ldc+j+4], s[:4], first, beta)
		}
	}
	// Tail columns, fewer than 4: tiles of 1 or 2 of them by 4 rows of A,
	// the roles of A and B swapped (a tile loads 3 or 6 vectors for 4 or 8
	// multiply-adds where a plain dot product loads 2 for 1), then single
	// dot products for the last rows.
	for j < n {
		r := min(2, n-j)
		o := rowOff(boff, ldb, bshift, j)
		d := 0 // from row j of B to row j+1
		if r == 2 {
			d = rowOff(boff, ldb, bshift, j+1) - o
		}
		i := 0
		for ; i+4 <= m; i += 4 {
			oa := [4]int{i * lda, (i + 1) * lda, (i + 2) * lda, (i + 3) * lda}
			dotTile(r, b, o, d, sb, a, &oa, sa, l, nseg, &s)
			for q := range 4 {
				t := [2]float32{s[q], s[4+q]} // C[i+q, j], C[i+q, j+1]
				mergeDot(c[(i+q)*ldc+j:(i+q)*ldc+j+r], t[:r], first, beta)
			}
		}
		for ; i < m; i++ {
			for jj := j; jj < j+r; jj++ {
				oj := rowOff(boff, ldb, bshift, jj)
				var sum float32
				for g := 0; g < nseg; g++ {
					sum += dot(a[i*lda+g*sa:i*lda+g*sa+l], b[oj+g*sb:oj+g*sb+l])
				}
				s[0] = sum
				mergeDot(c[i*ldc+jj:i*ldc+jj+1], s[:1], first, beta)
			}
		}
		j += r
	}
}

// rowOff is where row j of B starts: boff[j]+bshift, or j·ldb+bshift.
func rowOff(boff []int32, ldb, bshift, j int) int {
	if boff != nil {
		return int(boff[j]) + bshift
	}
	return j*ldb + bshift
}

// mergeDot sets c = s + beta·c when first (beta 0 overwrites), else c += s.
func mergeDot(c, s []float32, first bool, beta float32) {
	s = s[:len(c)]
	switch {
	case !first || beta == 1:
		for i, v := range s {
			c[i] += v
		}
	case beta == 0:
		copy(c, s)
	default:
		for i, v := range s {
			c[i] = beta*c[i] + v
		}
	}
}

// GemmNTRowOffsets computes, for i < m and j < n,
//
//	C[i·ldc + j] = beta·C[i·ldc + j] + Σ_{s<nseg} Σ_{q<l} A[i·lda + s·sa + q] · b[boff[j] + s·sb + q]
//
// a sum of dot products of rows of A with rows of B that both run in nseg
// contiguous segments of l values; row j of B starts at b[boff[j]]. It is a
// convolution's weight gradient without im2col (see GemmRowOffsets):
// dW (OutC, C·K·K) += Σ over output rows oy of dyᵀ_oy · patches_oy, with
// A = dyᵀ (OutC, OH·OW·N), l = OW·N, sa = l, and B the (C, H, W, N) input
// with sb = W·N. beta 0 overwrites C.
//
// It panics if a slice is too short for the sizes given or boff is shorter
// than n.
func GemmNTRowOffsets(m, n, l, nseg int, a []float32, lda, sa int, b []float32, boff []int32, sb int, beta float32, c []float32, ldc int) {
	if m < 0 || n < 0 || l < 0 || nseg < 0 || len(boff) < n {
		panic("kernels: GemmNTRowOffsets: bad sizes")
	}
	clearUpper() // as in Gemm
	if m == 0 || n == 0 {
		return
	}
	if ldc < n || len(c) < (m-1)*ldc+n {
		panic("kernels: GemmNTRowOffsets: slice C too short")
	}
	if nseg == 0 || l == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	if len(a) < (m-1)*lda+(nseg-1)*sa+l {
		panic("kernels: GemmNTRowOffsets: slice A too short")
	}
	for _, o := range boff[:n] {
		if o < 0 || int(o)+(nseg-1)*sb+l > len(b) {
			panic("kernels: GemmNTRowOffsets: slice B too short")
		}
	}
	ntDot(m, n, l, nseg, a, lda, sa, b, 0, boff, 0, sb, true, beta, c, ldc)
}
