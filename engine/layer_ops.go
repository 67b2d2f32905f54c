package engine

import "mnistplay/engine/kernels"

// Small helpers the layers share; the hot loops are in package kernels.

// grow returns buf resliced to n, reallocating only when its capacity is short.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}

// convGeom is the geometry of a square-kernel convolution over a batch.
type convGeom struct {
	n, c, h, w int // input (N, C, H, W)
	k, s, p    int // kernel, stride, zero padding
	oh, ow     int // output height and width
}

// im2colCHWN lays the patches of the whole batch, given transposed as
// xT (C, H, W, N), out as cols (C·K·K, OH·OW·N): row (ci·K + ky)·K + kx,
// column (oy·OW + ox)·N + i holds x[i, ci, oy·s - p + ky, ox·s - p + kx], or 0
// in the padding. With stride 1 each output row oy is one contiguous copy of
// (hi-lo)·N floats.
func im2colCHWN(g convGeom, xT, cols []float32) {
	n := g.n
	wn := g.w * n   // one input row (W, N)
	hwn := g.h * wn // one input channel (H, W, N)
	own := g.ow * n // one output row (OW, N)
	pn := g.oh * own
	for ci := range g.c {
		plane := xT[ci*hwn : ci*hwn+hwn] // (H, W, N)
		for ky := range g.k {
			for kx := range g.k {
				r := (ci*g.k+ky)*g.k + kx
				row := cols[r*pn : r*pn+pn] // (OH, OW, N)
				lo, hi := outRange(g.ow, g.s, kx-g.p, g.w)
				for oy := range g.oh {
					d := row[oy*own : oy*own+own] // (OW, N)
					iy := oy*g.s - g.p + ky
					if iy < 0 || iy >= g.h || lo >= hi {
						clear(d)
						continue
					}
					clear(d[:lo*n])
					clear(d[hi*n:])
					src := plane[iy*wn : iy*wn+wn] // (W, N)
					ix := lo*g.s + kx - g.p
					if g.s == 1 {
						copy(d[lo*n:hi*n], src[ix*n:])
						continue
					}
					for q := lo; q < hi; q++ {
						copy(d[q*n:q*n+n], src[ix*n:ix*n+n])
						ix += g.s
					}
				}
			}
		}
	}
}

// col2imCHWN is im2colCHWN's adjoint: it adds every entry of
// cols (C·K·K, OH·OW·N) into the element of dxT (C, H, W, N) it was copied
// from. dxT is not cleared first.
func col2imCHWN(g convGeom, dxT, cols []float32) {
	n := g.n
	wn := g.w * n
	hwn := g.h * wn
	own := g.ow * n
	pn := g.oh * own
	for ci := range g.c {
		plane := dxT[ci*hwn : ci*hwn+hwn] // (H, W, N)
		for ky := range g.k {
			for kx := range g.k {
				r := (ci*g.k+ky)*g.k + kx
				row := cols[r*pn : r*pn+pn] // (OH, OW, N)
				lo, hi := outRange(g.ow, g.s, kx-g.p, g.w)
				if lo >= hi {
					continue
				}
				for oy := range g.oh {
					iy := oy*g.s - g.p + ky
					if iy < 0 || iy >= g.h {
						continue
					}
					src := row[oy*own : oy*own+own] // (OW, N)
					dst := plane[iy*wn : iy*wn+wn]  // (W, N)
					ix := lo*g.s + kx - g.p
					if g.s == 1 {
						kernels.Axpy(1, src[lo*n:hi*n], dst[ix*n:ix*n+(hi-lo)*n])
						continue
					}
					for q := lo; q < hi; q++ {
						kernels.Axpy(1, src[q*n:q*n+n], dst[ix*n:ix*n+n])
						ix += g.s
					}
				}
			}
		}
	}
}

// transposeBlock is the tile edge of the blocked transposes.
const transposeBlock = 32

// transpose sets dst (cols, rows) = src (rows, cols)ᵀ. It works on tiles
// and moves four source rows at a time, so each destination write is four
// contiguous floats.
func transpose(dst, src []float32, rows, cols int) {
	src = src[:rows*cols]
	dst = dst[:rows*cols]
	for i0 := 0; i0 < rows; i0 += transposeBlock {
		i1 := min(i0+transposeBlock, rows)
		for j0 := 0; j0 < cols; j0 += transposeBlock {
			j1 := min(j0+transposeBlock, cols)
			i := i0
			for ; i+4 <= i1; i += 4 {
				s0 := src[i*cols+j0 : i*cols+j1]
				s1 := src[(i+1)*cols+j0 : (i+1)*cols+j1]
				s2 := src[(i+2)*cols+j0 : (i+2)*cols+j1]
				s3 := src[(i+3)*cols+j0 : (i+3)*cols+j1]
				s1 = s1[:len(s0)]
				s2 = s2[:len(s0)]
				s3 = s3[:len(s0)]
				o := j0*rows + i
				for j, v := range s0 {
					d := dst[o : o+4]
					d[0], d[1], d[2], d[3] = v, s1[j], s2[j], s3[j]
					o += rows
				}
			}
			for ; i < i1; i++ {
				s := src[i*cols+j0 : i*cols+j1]
				for j, v := range s {
					dst[(j0+j)*rows+i] = v
				}
			}
		}
	}
}

// transposeAddBias sets y (n, C·P) = yT (C·P, n)ᵀ + b[c] for channel c.
func transposeAddBias(y, yT []float32, c, p, n int, b []float32) {
	rows := c * p // of yT
	yT = yT[:rows*n]
	y = y[:rows*n]
	for r := range rows {
		bias := b[r/p]
		for i, v := range yT[r*n : r*n+n] {
			y[i*rows+r] = v + bias
		}
	}
}

// transposeSumBias sets dyT (C·P, n) = dy (n, C·P)ᵀ and adds each channel's
// sum of dy to db (C), using sums (C·P) as scratch.
func transposeSumBias(dyT, dy []float32, c, p, n int, db, sums []float32) {
	rows := c * p
	transpose(dyT, dy, n, rows)
	sums = sums[:rows]
	clear(sums)
	kernels.SumRows(sums, dy, n, rows) // sums (C·P) = Σ over n of dy
	for ci := range c {
		var s float32
		for _, v := range sums[ci*p : ci*p+p] {
			s += v
		}
		db[ci] += s
	}
}

// outRange returns the output columns [lo, hi) of n whose input column
// q·s + off lies in [0, w).
func outRange(n, s, off, w int) (lo, hi int) {
	if off < 0 {
		lo = (-off + s - 1) / s
	}
	if w-1-off < 0 {
		return 0, 0
	}
	hi = min((w-1-off)/s+1, n)
	lo = min(lo, hi)
	return lo, hi
}
