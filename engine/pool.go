package engine

import (
	"fmt"

	"mnistplay/engine/kernels"
)

// Pool2d is max, average or min pooling over k×k windows with stride s and
// no padding; an output pixel is floor((n_in - k)/s) + 1 wide, as PyTorch's
// default (ceil_mode=False). Max and min remember where each output came
// from (the first such element on ties) and route the whole gradient there;
// average spreads it evenly over the window. Overlapping windows (s < k)
// add their gradients.
type Pool2d struct {
	name    string
	kind    PoolKind
	in, out Shape
	k, s    int

	// inCHWN: the input comes from a Conv2d as (C, H, W, N) and Backward
	// returns dx in that layout too (see Conv2d); the output stays NCHW.
	inCHWN bool
	// outCHWN (only with inCHWN): the next layer is a Conv2d, possibly
	// after a ReLU, that reads (C, OH, OW, N): Forward returns yT untransposed
	// and Backward takes dy in that layout.
	outCHWN bool

	n   int
	y   []float32 // (N, C, OH, OW)
	arg []int32   // (N, C, OH, OW), or (C, OH, OW, N) if inCHWN: max/min: index in the (H, W) input plane
	dx  []float32 // (N, C, H, W), or (C, H, W, N) if inCHWN
	yT  []float32 // (C, OH, OW, N) if inCHWN: the output before its transpose; Backward reuses it for dyᵀ
}

// NewPool2d returns a pooling layer. It panics if kind is unknown or the
// sizes give an empty output.
func NewPool2d(name string, kind PoolKind, in Shape, k, s int) *Pool2d {
	oh, err := outSize(name, in.H, k, s, 0)
	ow, err2 := outSize(name, in.W, k, s, 0)
	if err != nil || err2 != nil || k < 1 || s < 1 || in.C < 1 || (kind != PoolMax && kind != PoolAvg && kind != PoolMin) {
		panic(fmt.Sprintf("engine: NewPool2d(%q, %q, %v, k=%d, s=%d): bad kind or sizes", name, kind, in, k, s))
	}
	return &Pool2d{name: name, kind: kind, in: in, out: Shape{in.C, oh, ow}, k: k, s: s}
}

func (l *Pool2d) Name() string     { return l.name }
func (l *Pool2d) InShape() Shape   { return l.in }
func (l *Pool2d) OutShape() Shape  { return l.out }
func (l *Pool2d) Params() []*Param { return nil }

// Forward maps x (n, C, H, W) to y (n, C, OH, OW).
func (l *Pool2d) Forward(x []float32, n int, train bool) []float32 {
	in, out := l.in, l.out
	planes := n * in.C
	hw, ohw := in.H*in.W, out.H*out.W
	x = x[:planes*hw]
	l.n = n
	if !l.outCHWN {
		l.y = grow(l.y, planes*ohw)
	}
	if l.inCHWN {
		l.forwardCHWN(x, n)
		if l.outCHWN {
			return l.yT
		}
		return l.y
	}
	if l.kind == PoolAvg {
		inv := 1 / float32(l.k*l.k)
		for pl := range planes {
			src := x[pl*hw : pl*hw+hw]      // (H, W)
			dst := l.y[pl*ohw : pl*ohw+ohw] // (OH, OW)
			for oy := range out.H {
				for ox := range out.W {
					var s float32
					base := oy*l.s*in.W + ox*l.s
					for i := range l.k {
						row := src[base+i*in.W : base+i*in.W+l.k]
						for _, v := range row {
							s += v
						}
					}
					dst[oy*out.W+ox] = s * inv
				}
			}
		}
		return l.y
	}
	if cap(l.arg) < planes*ohw {
		l.arg = make([]int32, planes*ohw)
	}
	l.arg = l.arg[:planes*ohw]
	isMax := l.kind == PoolMax
	if l.k == 2 && l.s == 2 {
		l.forward2x2(x, planes, isMax)
		return l.y
	}
	for pl := range planes {
		src := x[pl*hw : pl*hw+hw]        // (H, W)
		dst := l.y[pl*ohw : pl*ohw+ohw]   // (OH, OW)
		arg := l.arg[pl*ohw : pl*ohw+ohw] // (OH, OW)
		for oy := range out.H {
			for ox := range out.W {
				base := oy*l.s*in.W + ox*l.s
				best, bi := src[base], base
				for i := range l.k {
					r := base + i*in.W
					for j, v := range src[r : r+l.k] {
						if (isMax && v > best) || (!isMax && v < best) {
							best, bi = v, r+j
						}
					}
				}
				dst[oy*out.W+ox] = best
				arg[oy*out.W+ox] = int32(bi)
			}
		}
	}
	return l.y
}

// forward2x2 is Forward's max/min loop for the common 2×2 stride 2 window.
func (l *Pool2d) forward2x2(x []float32, planes int, isMax bool) {
	in, out := l.in, l.out
	hw, ohw := in.H*in.W, out.H*out.W
	w := in.W
	for pl := range planes {
		src := x[pl*hw : pl*hw+hw]        // (H, W)
		dst := l.y[pl*ohw : pl*ohw+ohw]   // (OH, OW)
		arg := l.arg[pl*ohw : pl*ohw+ohw] // (OH, OW)
		for oy := range out.H {
			i0 := 2 * oy * w
			r0 := src[i0 : i0+w]
			r1 := src[i0+w : i0+2*w]
			d := dst[oy*out.W : oy*out.W+out.W]
			a := arg[oy*out.W : oy*out.W+out.W]
			if isMax {
				max2x2(d, a, r0, r1, int32(i0), int32(w))
			} else {
				min2x2(d, a, r0, r1, int32(i0), int32(w))
			}
		}
	}
}

// max2x2 sets d[q] to the largest of r0[2q], r0[2q+1], r1[2q], r1[2q+1]
// (the first on ties) and a[q] to its index in the plane, where r0 starts
// at index i0 and r1 at i0+w.
func max2x2(d []float32, a []int32, r0, r1 []float32, i0, w int32) {
	a = a[:len(d)]
	r0 = r0[:2*len(d)]
	r1 = r1[:2*len(d)]
	for q := range d {
		j := 2 * q
		best, bi := r0[j], i0+int32(j)
		if v := r0[j+1]; v > best {
			best, bi = v, i0+int32(j)+1
		}
		if v := r1[j]; v > best {
			best, bi = v, i0+w+int32(j)
		}
		if v := r1[j+1]; v > best {
			best, bi = v, i0+w+int32(j)+1
		}
		d[q] = best
		a[q] = bi
	}
}

// min2x2 is max2x2 for the smallest element.
func min2x2(d []float32, a []int32, r0, r1 []float32, i0, w int32) {
	a = a[:len(d)]
	r0 = r0[:2*len(d)]
	r1 = r1[:2*len(d)]
	for q := range d {
		j := 2 * q
		best, bi := r0[j], i0+int32(j)
		if v := r0[j+1]; v < best {
			best, bi = v, i0+int32(j)+1
		}
		if v := r1[j]; v < best {
			best, bi = v, i0+w+int32(j)
		}
		if v := r1[j+1]; v < best {
			best, bi = v, i0+w+int32(j)+1
		}
		d[q] = best
		a[q] = bi
	}
}

// Backward maps dy (n, C, OH, OW) to dx (n, C, H, W).
func (l *Pool2d) Backward(dy []float32) []float32 {
	in, out := l.in, l.out
	planes := l.n * in.C
	hw, ohw := in.H*in.W, out.H*out.W
	dy = dy[:planes*ohw]
	l.dx = grow(l.dx, planes*hw)
	if l.inCHWN {
		l.backwardCHWN(dy)
		return l.dx
	}
	clear(l.dx)
	if l.kind == PoolAvg {
		inv := 1 / float32(l.k*l.k)
		for pl := range planes {
			g := dy[pl*ohw : pl*ohw+ohw]  // (OH, OW)
			dst := l.dx[pl*hw : pl*hw+hw] // (H, W)
			for oy := range out.H {
				for ox := range out.W {
					v := g[oy*out.W+ox] * inv
					base := oy*l.s*in.W + ox*l.s
					for i := range l.k {
						row := dst[base+i*in.W : base+i*in.W+l.k]
						for j := range row {
							row[j] += v
						}
					}
				}
			}
		}
		return l.dx
	}
	for pl := range planes {
		g := dy[pl*ohw : pl*ohw+ohw]      // (OH, OW)
		arg := l.arg[pl*ohw : pl*ohw+ohw] // (OH, OW)
		dst := l.dx[pl*hw : pl*hw+hw]     // (H, W)
		for q, a := range arg {
			dst[a] += g[q]
		}
	}
	return l.dx
}

// forwardCHWN pools x (C, H, W, N) into yT (C, OH, OW, N), each window a set
// of K·K contiguous vectors of N, and transposes yT into y (N, C, OH, OW).
func (l *Pool2d) forwardCHWN(x []float32, n int) {
	in, out := l.in, l.out
	wn := in.W * n
	hwn := in.H * wn
	own := out.W * n
	ohwn := out.H * own
	l.yT = grow(l.yT, in.C*ohwn)
	if l.kind != PoolAvg && cap(l.arg) < in.C*ohwn {
		l.arg = make([]int32, in.C*ohwn)
	}
	l.arg = l.arg[:cap(l.arg)]
	isMax := l.kind == PoolMax
	if l.kind != PoolAvg && l.k == 2 && l.s == 2 {
		for c := range in.C {
			plane := x[c*hwn : c*hwn+hwn] // (H, W, N)
			for oy := range out.H {
				o := c*ohwn + oy*own
				r0 := plane[2*oy*wn : 2*oy*wn+wn]      // (W, N)
				r1 := plane[(2*oy+1)*wn : (2*oy+2)*wn] // (W, N)
				poolRow2x2(l.yT[o:o+own], l.arg[o:o+own], r0, r1, n, int32(2*oy*in.W), int32(in.W), isMax)
			}
		}
		if !l.outCHWN {
			// y (N, C·OH·OW) = yT (C·OH·OW, N)ᵀ
			transpose(l.y, l.yT, in.C*out.H*out.W, n)
		}
		return
	}
	inv := 1 / float32(l.k*l.k)
	for c := range in.C {
		plane := x[c*hwn : c*hwn+hwn] // (H, W, N)
		for oy := range out.H {
			for ox := range out.W {
				o := c*ohwn + oy*own + ox*n
				d := l.yT[o : o+n] // (N)
				iy0, ix0 := oy*l.s, ox*l.s
				first := plane[(iy0*in.W+ix0)*n : (iy0*in.W+ix0)*n+n]
				if l.kind == PoolAvg {
					clear(d)
					for i := range l.k {
						for j := range l.k {
							q := (iy0+i)*in.W + ix0 + j
							kernels.Axpy(inv, plane[q*n:q*n+n], d)
						}
					}
					continue
				}
				a := l.arg[o : o+n] // (N)
				copy(d, first)
				q0 := int32(iy0*in.W + ix0)
				for i := range a {
					a[i] = q0
				}
				for i := range l.k {
					for j := range l.k {
						if i == 0 && j == 0 {
							continue
						}
						q := (iy0+i)*in.W + ix0 + j
						v := plane[q*n : q*n+n]
						if isMax {
							maxInto(d, a, v, int32(q))
						} else {
							minInto(d, a, v, int32(q))
						}
					}
				}
			}
		}
	}
	if !l.outCHWN {
		// y (N, C·OH·OW) = yT (C·OH·OW, N)ᵀ
		transpose(l.y, l.yT, in.C*out.H*out.W, n)
	}
}

// backwardCHWN maps dy (N, C, OH, OW), or (C, OH, OW, N) if outCHWN, to
// dx (C, H, W, N). The 2×2 stride-2 max/min rows store every element their
// windows cover, so only the rest (a last odd row and column) is cleared.
func (l *Pool2d) backwardCHWN(dy []float32) {
	in, out := l.in, l.out
	n := l.n
	wn := in.W * n
	hwn := in.H * wn
	own := out.W * n
	ohwn := out.H * own
	var dyT []float32 // (C, OH, OW, N)
	if l.outCHWN {
		dyT = dy[:in.C*ohwn]
	} else {
		dyT = l.yT[:in.C*ohwn]
		transpose(dyT, dy, n, in.C*out.H*out.W)
	}
	if l.kind != PoolAvg && l.k == 2 && l.s == 2 {
		for c := range in.C {
			plane := l.dx[c*hwn : c*hwn+hwn] // (H, W, N)
			for iy := range in.H {
				if iy < 2*out.H {
					clear(plane[iy*wn+2*out.W*n : iy*wn+wn]) // columns past the last window
				} else {
					clear(plane[iy*wn : iy*wn+wn])
				}
			}
			for oy := range out.H {
				o := c*ohwn + oy*own
				d0 := plane[2*oy*wn : 2*oy*wn+wn]      // (W, N)
				d1 := plane[(2*oy+1)*wn : (2*oy+2)*wn] // (W, N)
				unpoolRow2x2(d0, d1, dyT[o:o+own], l.arg[o:o+own], n, int32(2*oy*in.W), int32(in.W))
			}
		}
		return
	}
	clear(l.dx)
	inv := 1 / float32(l.k*l.k)
	for c := range in.C {
		plane := l.dx[c*hwn : c*hwn+hwn] // (H, W, N)
		for oy := range out.H {
			for ox := range out.W {
				o := c*ohwn + oy*own + ox*n
				g := dyT[o : o+n] // (N)
				if l.kind == PoolAvg {
					iy0, ix0 := oy*l.s, ox*l.s
					for i := range l.k {
						for j := range l.k {
							q := (iy0+i)*in.W + ix0 + j
							kernels.Axpy(inv, g, plane[q*n:q*n+n])
						}
					}
					continue
				}
				a := l.arg[o : o+n] // (N)
				iy0, ix0 := oy*l.s, ox*l.s
				for i := range l.k {
					for j := range l.k {
						q := (iy0+i)*in.W + ix0 + j
						addWhere(plane[q*n:q*n+n], g, a, int32(q))
					}
				}
			}
		}
	}
}

// best2x2 returns the largest (isMax) or smallest of one 2×2 window's
// values v0, v1 (row q) and v2, v3 (row q+w), the first on ties, and its
// plane index q, q+1, q+w or q+w+1: poolRow2x2's scalar step.
func best2x2(v0, v1, v2, v3 float32, q, w int32, isMax bool) (float32, int32) {
	best, bi := v0, q
	if (isMax && v1 > best) || (!isMax && v1 < best) {
		best, bi = v1, q+1
	}
	if (isMax && v2 > best) || (!isMax && v2 < best) {
		best, bi = v2, q+w
	}
	if (isMax && v3 > best) || (!isMax && v3 < best) {
		best, bi = v3, q+w+1
	}
	return best, bi
}
