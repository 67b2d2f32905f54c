package kernels

import "sync"

// Blocking parameters of the packed GEMM (GotoBLAS loop order):
//
//	for jc in n step gemmNC:          pack op(B)[pc:pc+kc, jc:jc+nc] into NR-wide panels
//	  for pc in k step gemmKC:
//	    for ic in m step mc:          pack op(A)[ic:ic+mc, pc:pc+kc] into MR-tall panels
//	      for jr, ir:                 micro-kernel on one MR x NR tile of C
//
// Packing turns every transpose combination into the same access pattern, so
// one micro-kernel serves all four.
const (
	gemmKC    = 256 // depth of one packed block
	gemmNC    = 256 // width of one packed B block; a multiple of every NR
	gemmMC    = 96  // height of one packed A block, rounded down to a multiple of MR
	maxTileMR = 8
	maxTileNR = 64 // 2 vectors of up to 512 bits
)

// packBufs are the packing buffers of one Gemm call.
type packBufs struct {
	a    []float32                      // (gemmMC/MR panels, kc, MR)
	b    []float32                      // (gemmNC/NR panels, kc, NR)
	tile [maxTileMR * maxTileNR]float32 // (mr, nr) edge tile
	rows []float32                      // (mr, gemmNC rounded up to nr) partial row panel
}

// packCache is a free list of packing buffers: concurrent calls never share
// one, and unlike a sync.Pool it is not emptied by the garbage collector, so
// steady-state calls neither allocate nor re-make ~450 KB after every GC.
var packCache struct {
	sync.Mutex
	free []*packBufs
}

func getPackBufs() *packBufs {
	packCache.Lock()
	if n := len(packCache.free); n > 0 {
		b := packCache.free[n-1]
		packCache.free = packCache.free[:n-1]
		packCache.Unlock()
		return b
	}
	packCache.Unlock()
	return &packBufs{
		a:    make([]float32, (gemmMC+maxTileMR)*gemmKC),
		b:    make([]float32, (gemmNC+maxTileNR)*gemmKC),
		rows: make([]float32, maxTileMR*(gemmNC+maxTileNR)),
	}
}

func putPackBufs(b *packBufs) {
	packCache.Lock()
	packCache.free = append(packCache.free, b)
	packCache.Unlock()
}

// gemmPacked computes C = op(A)·op(B) + beta·C with the build's mr x nr
// micro-kernel (see tileSize and microKernel). m, n > 0.
func gemmPacked(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if k == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	bufs := getPackBufs()
	defer putPackBufs(bufs)
	mr, nr := tileSize()
	mc := gemmMC / mr * mr
	tile := bufs.tile[:mr*nr]
	for jc := 0; jc < n; jc += gemmNC {
		nc := min(gemmNC, n-jc)
		for pc := 0; pc < k; pc += gemmKC {
			kc := min(gemmKC, k-pc)
			bet := beta
			if pc > 0 {
				bet = 1
			}
			packB(nr, transB, kc, nc, b, ldb, pc, jc, bufs.b)
			for ic := 0; ic < m; ic += mc {
				mcc := min(mc, m-ic)
				packA(mr, transA, mcc, kc, a, lda, ic, pc, bufs.a)
				nfull := nc / nr           // full-width column tiles
				npan := (nc + nr - 1) / nr // all column tiles
				for ir := 0; ir < mcc; ir += mr {
					mrr := min(mr, mcc-ir)
					ap := bufs.a[ir*kc : (ir+mr)*kc]
					off := (ic+ir)*ldc + jc
					if mrr < mr {
						// Partial row panel: compute all its tiles into a
						// scratch strip, then merge the valid rows.
						ld := npan * nr
						microKernel(kc, npan, ap, bufs.b, bufs.rows, ld, 0)
						for i := 0; i < mrr; i++ {
							mergeRow(c[off+i*ldc:off+i*ldc+nc], bufs.rows[i*ld:i*ld+nc], bet)
						}
						continue
					}
					if nfull > 0 {
						microKernel(kc, nfull, ap, bufs.b, c[off:], ldc, bet)
					}
					if jr := nfull * nr; jr < nc {
						// Partial column tile: compute into tile, merge the valid part.
						microKernel(kc, 1, ap, bufs.b[jr*kc:(jr+nr)*kc], tile, nr, 0)
						for i := 0; i < mr; i++ {
							mergeRow(c[off+jr+i*ldc:off+jr+i*ldc+nc-jr], tile[i*nr:i*nr+nc-jr], bet)
						}
					}
				}
			}
		}
	}
}

// mergeRow sets c = s + beta·c; beta 0 overwrites.
func mergeRow(c, s []float32, beta float32) {
	switch beta {
	case 0:
		copy(c, s)
	case 1:
		axpy(1, s, c)
	default:
		scale(beta, c)
		axpy(1, s, c)
	}
}

// scaleC sets C = beta·C (beta 0 overwrites, so NaNs do not survive).
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		crow := c[i*ldc : i*ldc+n]
		switch beta {
		case 0:
			clear(crow)
		case 1:
		default:
			for j := range crow {
				crow[j] *= beta
			}
		}
	}
}

// packA copies op(A)[ic:ic+mc, pc:pc+kc] into dst as consecutive (kc, mr)
// panels, zero-padding the last panel to mr rows.
func packA(mr int, transA bool, mc, kc int, a []float32, lda, ic, pc int, dst []float32) {
	for i0 := 0; i0 < mc; i0 += mr {
		rows := min(mr, mc-i0)
		d := dst[i0*kc : (i0+mr)*kc]
		if transA {
			// op(A)[i][p] = a[p*lda+i]: each p reads rows contiguous values.
			if rows == 4 && mr == 4 {
				for p := 0; p < kc; p++ {
					src := a[(pc+p)*lda+ic+i0 : (pc+p)*lda+ic+i0+4]
					dp := d[p*4 : p*4+4]
					dp[0], dp[1], dp[2], dp[3] = src[0], src[1], src[2], src[3]
				}
				continue
			}
			if rows == 5 && mr == 5 { // the relaxed wasm build's tile
				for p := 0; p < kc; p++ {
					src := a[(pc+p)*lda+ic+i0 : (pc+p)*lda+ic+i0+5]
					dp := d[p*5 : p*5+5]
					dp[0], dp[1], dp[2], dp[3], dp[4] = src[0], src[1], src[2], src[3], src[4]
				}
				continue
			}
			for p := 0; p < kc; p++ {
				src := a[(pc+p)*lda+ic+i0 : (pc+p)*lda+ic+i0+rows]
				dp := d[p*mr : p*mr+mr]
				for r := range dp {
					if r < len(src) {
						dp[r] = src[r]
					} else {
						dp[r] = 0
					}
				}
			}
			continue
		}
		gatherRows(d, mr, rows, kc, a[(ic+i0)*lda+pc:], lda)
	}
}

// packB copies op(B)[pc:pc+kc, jc:jc+nc] into dst as consecutive (kc, nr)
// panels, zero-padding the last panel to nr columns.
func packB(nr int, transB bool, kc, nc int, b []float32, ldb, pc, jc int, dst []float32) {
	for j0 := 0; j0 < nc; j0 += nr {
		cols := min(nr, nc-j0)
		d := dst[j0*kc : (j0+nr)*kc]
		if !transB && cols == nr {
			packPanel(d, b[pc*ldb+jc+j0:], ldb, kc, nr)
			continue
		}
		if !transB {
			for p := 0; p < kc; p++ {
				src := b[(pc+p)*ldb+jc+j0 : (pc+p)*ldb+jc+j0+cols]
				dp := d[p*nr : p*nr+nr]
				copy(dp, src)
				clear(dp[cols:])
			}
			continue
		}
		// op(B)[p][j] = b[j*ldb+p]: read each stored row contiguously.
		gatherRows(d, nr, cols, kc, b[(jc+j0)*ldb+pc:], ldb)
	}
}

// gatherRows transposes rows of src (row stride lds) into the (kc, w) panel
// d: d[p*w+r] = src[r*lds+p] for r < rows, and 0 for rows <= r < w. It moves
// 4 source rows at a time so each step writes 4 adjacent values.
func gatherRows(d []float32, w, rows, kc int, src []float32, lds int) {
	d = d[:kc*w]
	r := 0
	for ; r+4 <= rows; r += 4 {
		s0 := src[r*lds : r*lds+kc]
		s1 := src[(r+1)*lds : (r+1)*lds+kc]
		s2 := src[(r+2)*lds : (r+2)*lds+kc]
		s3 := src[(r+3)*lds : (r+3)*lds+kc]
		for p := range s0 {
			dp := d[p*w+r : p*w+r+4]
			dp[0], dp[1], dp[2], dp[3] = s0[p], s1[p], s2[p], s3[p]
		}
	}
	for ; r < rows; r++ {
		s0 := src[r*lds : r*lds+kc]
		for p, v := range s0 {
			d[p*w+r] = v
		}
	}
	for ; r < w; r++ {
		for p := 0; p < kc; p++ {
			d[p*w+r] = 0
		}
	}
}
