package kernels

// GemmRowOffsets computes, for s < nseg, i < m and j < n,
//
//	C[i·ldc + s·sc + j] = Σ_{p<k} A[i·lda + p] · b[boff[p] + s·sb + j]
//
// that is C_s = A·B_s where row p of B_s starts at b[boff[p] + s·sb] and is
// contiguous. It is a convolution with stride 1 and no padding without
// im2col: with the input laid out (C, H, W, N), boff[p] the offset of the
// kernel tap p = (ci·K + ky)·K + kx, ci·H·W·N + ky·W·N + kx·N, and segment s
// the output row oy (sb = W·N, n = OW·N), C_s is output row oy of every
// channel. A is (m, k) row-major; C is overwritten.
//
// It panics if a slice is too short for the sizes given or boff is shorter
// than k.
func GemmRowOffsets(m, n, k, nseg int, a []float32, lda int, b []float32, boff []int32, sb int, c []float32, ldc, sc int) {
	if m < 0 || n < 0 || k < 0 || nseg < 0 || len(boff) < k {
		panic("kernels: GemmRowOffsets: bad sizes")
	}
	clearUpper() // as in Gemm
	if m == 0 || n == 0 || nseg == 0 {
		return
	}
	if lda < k || len(a) < (m-1)*lda+k || len(c) < (m-1)*ldc+(nseg-1)*sc+n {
		panic("kernels: GemmRowOffsets: slice A or C too short")
	}
	for _, o := range boff[:k] {
		if o < 0 || int(o)+(nseg-1)*sb+n > len(b) {
			panic("kernels: GemmRowOffsets: slice B too short")
		}
	}
	if k == 0 {
		for s := 0; s < nseg; s++ {
			scaleC(m, n, 0, c[s*sc:], ldc)
		}
		return
	}
	bufs := getPackBufs()
	defer putPackBufs(bufs)
	mr, nr := tileSize()
	mc := gemmMC / mr * mr
	nfull := n / nr
	for pc := 0; pc < k; pc += gemmKC {
		kc := min(gemmKC, k-pc)
		beta := float32(1)
		if pc == 0 {
			beta = 0
		}
		off := boff[pc : pc+kc]
		for ic := 0; ic < m; ic += mc {
			mcc := min(mc, m-ic)
			packA(mr, false, mcc, kc, a, lda, ic, pc, bufs.a)
			for s := 0; s < nseg; s++ {
				bs := b[s*sb:]
				for ir := 0; ir < mcc; ir += mr {
					mrr := min(mr, mcc-ir)
					ap := bufs.a[ir*kc : (ir+mr)*kc]
					crow := c[(ic+ir)*ldc+s*sc:]
					if mrr == mr {
						if nfull > 0 {
							microKernelOff(kc, nfull, ap, off, bs, crow, ldc, beta)
						}
					} else {
						// Partial row panel: compute gemmNC-wide blocks into a
						// scratch strip and merge the valid rows.
						for jc := 0; jc < nfull*nr; jc += gemmNC {
							nc := min(gemmNC, nfull*nr-jc)
							microKernelOff(kc, nc/nr, ap, off, bs[jc:], bufs.rows, nc, 0)
							for i := 0; i < mrr; i++ {
								mergeRow(crow[i*ldc+jc:i*ldc+jc+nc], bufs.rows[i*nc:i*nc+nc], beta)
							}
						}
					}
					// Tail columns, fewer than nr: a plain loop.
					for i := 0; i < mrr; i++ {
						arow := a[(ic+ir+i)*lda+pc : (ic+ir+i)*lda+pc+kc]
						ct := crow[i*ldc+nfull*nr : i*ldc+n]
						if beta == 0 {
							clear(ct)
						}
						for p, av := range arow {
							o := int(off[p]) + s*sb + nfull*nr
							for j, bv := range b[o : o+len(ct)] {
								ct[j] += av * bv
							}
						}
					}
				}
			}
		}
	}
}
