package kernels

// ConvOutSize returns the output length of a convolution or pooling window
// along one axis: floor((in + 2·pad - k) / stride) + 1. The result is < 1
// when the window does not fit.
func ConvOutSize(in, k, stride, pad int) int {
	if stride <= 0 {
		return 0
	}
	d := in + 2*pad - k
	if d < 0 {
		return 0
	}
	return d/stride + 1
}

// Im2col unfolds one image x, (C, H, W) in NCHW order, into columns of a
// row-major matrix cols with row stride ldc, so that a convolution becomes a
// GEMM: W (F, C·KH·KW) · cols (C·KH·KW, OH·OW).
//
// Row r = (ci·KH + ky)·KW + kx of cols, columns [col0, col0+OH·OW), receives
// x[ci, oy·sh-ph+ky, ox·sw-pw+kx] at column col0 + oy·OW + ox, or 0 where that
// position falls in the zero padding. OH = (H+2·ph-kh)/sh+1 and
// OW = (W+2·pw-kw)/sw+1 (see ConvOutSize). Other columns are not touched, so a
// batch of N images can be laid side by side as one (C·KH·KW, N·OH·OW) matrix
// by calling Im2col with col0 = n·OH·OW and ldc = N·OH·OW.
//
// It panics if a size is not positive, the window does not fit (OH or OW < 1),
// ldc < col0+OH·OW, or x or cols is too short.
func Im2col(x []float32, c, h, w, kh, kw, sh, sw, ph, pw int, cols []float32, ldc, col0 int) {
	oh, ow := checkIm2col(x, c, h, w, kh, kw, sh, sw, ph, pw, cols, ldc, col0)
	for ci := 0; ci < c; ci++ {
		img := x[ci*h*w : (ci+1)*h*w] // (H, W)
		for ky := 0; ky < kh; ky++ {
			for kx := 0; kx < kw; kx++ {
				r := (ci*kh+ky)*kw + kx
				dst := cols[r*ldc+col0 : r*ldc+col0+oh*ow] // (OH, OW)
				lo, hi := validRange(ow, w, sw, pw, kx)
				for oy := 0; oy < oh; oy++ {
					drow := dst[oy*ow : oy*ow+ow]
					iy := oy*sh - ph + ky
					if iy < 0 || iy >= h || lo >= hi {
						zero(drow)
						continue
					}
					if lo > 0 {
						zero(drow[:lo])
					}
					if hi < ow {
						zero(drow[hi:])
					}
					srow := img[iy*w : iy*w+w]
					ix := lo*sw - pw + kx
					if sw == 1 {
						// Rows are short (OW values): a plain loop beats a
						// call to memmove, especially under wasm.
						copyShort(drow[lo:hi], srow[ix:])
						continue
					}
					for ox := lo; ox < hi; ox++ {
						drow[ox] = srow[ix]
						ix += sw
					}
				}
			}
		}
	}
}

// Col2im is the adjoint of Im2col and takes the same arguments in the same
// order, but data flows the other way: it adds every entry of cols back into
// the position of x (C, H, W) it would have been copied from, skipping
// padding. Overlapping windows accumulate. x is not cleared first: zero it
// before the call to get the plain gradient of Im2col.
//
// It panics in the same cases as Im2col.
func Col2im(x []float32, c, h, w, kh, kw, sh, sw, ph, pw int, cols []float32, ldc, col0 int) {
	oh, ow := checkIm2col(x, c, h, w, kh, kw, sh, sw, ph, pw, cols, ldc, col0)
	for ci := 0; ci < c; ci++ {
		img := x[ci*h*w : (ci+1)*h*w] // (H, W)
		for ky := 0; ky < kh; ky++ {
			for kx := 0; kx < kw; kx++ {
				r := (ci*kh+ky)*kw + kx
				src := cols[r*ldc+col0 : r*ldc+col0+oh*ow] // (OH, OW)
				lo, hi := validRange(ow, w, sw, pw, kx)
				if lo >= hi {
					continue
				}
				for oy := 0; oy < oh; oy++ {
					iy := oy*sh - ph + ky
					if iy < 0 || iy >= h {
						continue
					}
					srow := src[oy*ow+lo : oy*ow+hi]
					ix := lo*sw - pw + kx
					if sw == 1 {
						addShort(img[iy*w+ix:iy*w+ix+len(srow)], srow)
						continue
					}
					drow := img[iy*w : iy*w+w]
					for _, v := range srow {
						drow[ix] += v
						ix += sw
					}
				}
			}
		}
	}
}

// copyShort copies len(d) values of s to d, 4 per iteration: under wasm
// every loop iteration costs a jump through the function's dispatch table,
// so short loops are unrolled rather than handed to memmove.
func copyShort(d, s []float32) {
	s = s[:len(d)]
	for len(d) >= 4 && len(s) >= 4 {
		d[0], d[1], d[2], d[3] = s[0], s[1], s[2], s[3]
		d, s = d[4:], s[4:]
	}
	for i := range d {
		d[i] = s[i]
	}
}

// addShort adds s into d (same length), 4 per iteration.
func addShort(d, s []float32) {
	s = s[:len(d)]
	for len(d) >= 4 && len(s) >= 4 {
		d[0] += s[0]
		d[1] += s[1]
		d[2] += s[2]
		d[3] += s[3]
		d, s = d[4:], s[4:]
	}
	for i := range d {
		d[i] += s[i]
	}
}

// zero clears s. (The compiler turns it into a memclr call, which is costly
// under wasm: callers skip empty slices.)
func zero(s []float32) {
	for i := range s {
		s[i] = 0
	}
}

// validRange returns the output columns [lo, hi) whose input column
// ox·s - p + kx lies inside [0, w).
func validRange(ow, w, s, p, kx int) (lo, hi int) {
	// ox·s >= p - kx  =>  ox >= ceil((p-kx)/s)
	off := p - kx
	if off > 0 {
		lo = (off + s - 1) / s
	}
	// ox·s - p + kx <= w-1  =>  ox <= floor((w-1+p-kx)/s)
	lim := w - 1 + off
	if lim < 0 {
		return 0, 0
	}
	hi = min(lim/s+1, ow)
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

func checkIm2col(x []float32, c, h, w, kh, kw, sh, sw, ph, pw int, cols []float32, ldc, col0 int) (oh, ow int) {
	if c <= 0 || h <= 0 || w <= 0 || kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0 || ph < 0 || pw < 0 || col0 < 0 {
		panic("kernels: im2col: non-positive size, negative padding or negative col0")
	}
	oh, ow = ConvOutSize(h, kh, sh, ph), ConvOutSize(w, kw, sw, pw)
	if oh < 1 || ow < 1 {
		panic("kernels: im2col: window larger than the padded image")
	}
	if len(x) < c*h*w {
		panic("kernels: im2col: image slice too short")
	}
	if ldc < col0+oh*ow {
		panic("kernels: im2col: ldc too small")
	}
	if len(cols) < (c*kh*kw-1)*ldc+col0+oh*ow {
		panic("kernels: im2col: cols slice too short")
	}
	return oh, ow
}
