package engine

// Private loops the layers need besides GEMM: im2col/col2im over a whole
// batch, bias broadcasts and reductions, ReLU. They mirror the kernels API so
// each can switch to the kernels package's version when that is faster.

// im2col copies the patches of one example x (C, H, W) into columns
// col0..col0+OH·OW of cols, a row-major (C·KH·KW, ldc) matrix: row
// (c·KH + i)·KW + j, column col0 + oh·OW + ow holds
// x[c, oh·sh - ph + i, ow·sw - pw + j], or 0 in the padding.
func im2col(x []float32, c, h, w, kh, kw, sh, sw, ph, pw int, cols []float32, ldc, col0 int) {
	oh := (h+2*ph-kh)/sh + 1
	ow := (w+2*pw-kw)/sw + 1
	row := 0
	for ci := 0; ci < c; ci++ {
		plane := x[ci*h*w : (ci+1)*h*w] // (H, W)
		for i := 0; i < kh; i++ {
			for j := 0; j < kw; j++ {
				dst := cols[row*ldc+col0 : row*ldc+col0+oh*ow] // (OH, OW)
				row++
				// columns ow in [lo, hi) read inside the image: 0 <= ow·sw - pw + j < w
				lo, hi := validRange(ow, sw, j-pw, w)
				for y := 0; y < oh; y++ {
					d := dst[y*ow : y*ow+ow]
					iy := y*sh - ph + i
					if iy < 0 || iy >= h || lo >= hi {
						clear(d)
						continue
					}
					clear(d[:lo])
					clear(d[hi:])
					src := plane[iy*w : iy*w+w]
					if sw == 1 {
						copy(d[lo:hi], src[lo+j-pw:hi+j-pw])
					} else {
						ix := lo*sw + j - pw
						for q := lo; q < hi; q++ {
							d[q] = src[ix]
							ix += sw
						}
					}
				}
			}
		}
	}
}

// col2im is im2col's adjoint: it adds columns col0..col0+OH·OW of cols back
// into x (C, H, W).
func col2im(x []float32, c, h, w, kh, kw, sh, sw, ph, pw int, cols []float32, ldc, col0 int) {
	oh := (h+2*ph-kh)/sh + 1
	ow := (w+2*pw-kw)/sw + 1
	row := 0
	for ci := 0; ci < c; ci++ {
		plane := x[ci*h*w : (ci+1)*h*w] // (H, W)
		for i := 0; i < kh; i++ {
			for j := 0; j < kw; j++ {
				src := cols[row*ldc+col0 : row*ldc+col0+oh*ow] // (OH, OW)
				row++
				lo, hi := validRange(ow, sw, j-pw, w)
				if lo >= hi {
					continue
				}
				for y := 0; y < oh; y++ {
					iy := y*sh - ph + i
					if iy < 0 || iy >= h {
						continue
					}
					s := src[y*ow+lo : y*ow+hi]
					dst := plane[iy*w : iy*w+w]
					if sw == 1 {
						d := dst[lo+j-pw : hi+j-pw]
						d = d[:len(s)]
						for q, v := range s {
							d[q] += v
						}
					} else {
						ix := lo*sw + j - pw
						for _, v := range s {
							dst[ix] += v
							ix += sw
						}
					}
				}
			}
		}
	}
}

// validRange returns the output columns [lo, hi) of n whose input index
// q·s + off lies in [0, w).
func validRange(n, s, off, w int) (lo, hi int) {
	if off < 0 {
		lo = (-off + s - 1) / s
	}
	// q·s + off <= w-1  <=>  q <= (w-1-off)/s
	if w-1-off < 0 {
		return 0, 0
	}
	hi = (w-1-off)/s + 1
	if hi > n {
		hi = n
	}
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

// sumRowsInto adds each row's sum of m (rows, cols) to dst (rows).
func sumRowsInto(dst, m []float32, rows, cols int) {
	for r := range rows {
		var s float32
		for _, v := range m[r*cols : r*cols+cols] {
			s += v
		}
		dst[r] += s
	}
}

// addRowVector adds v (cols) to every row of m (rows, cols).
func addRowVector(m []float32, rows, cols int, v []float32) {
	v = v[:cols]
	for r := range rows {
		row := m[r*cols : r*cols+cols]
		for j, b := range v {
			row[j] += b
		}
	}
}

// sumColumnsInto adds the column sums of m (rows, cols) to dst (cols).
func sumColumnsInto(dst, m []float32, rows, cols int) {
	dst = dst[:cols]
	for r := range rows {
		row := m[r*cols : r*cols+cols]
		for j, v := range row {
			dst[j] += v
		}
	}
}

// relu sets dst = max(x, 0).
func relu(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		if v < 0 {
			v = 0
		}
		dst[i] = v
	}
}

// reluBackward sets dx = dy where y > 0, else 0.
func reluBackward(dx, dy, y []float32) {
	dx = dx[:len(y)]
	dy = dy[:len(y)]
	for i, v := range y {
		if v > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = 0
		}
	}
}

// grow returns buf resliced to n, reallocating only when its capacity is short.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}
