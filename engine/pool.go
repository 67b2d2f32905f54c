package engine

import "fmt"

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

	n   int
	y   []float32 // (N, C, OH, OW)
	arg []int32   // (N, C, OH, OW) max/min: index in the (H, W) input plane
	dx  []float32 // (N, C, H, W)
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
	l.y = grow(l.y, planes*ohw)
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
			r0 := src[2*oy*w : 2*oy*w+w]
			r1 := src[(2*oy+1)*w : (2*oy+1)*w+w]
			d := dst[oy*out.W : oy*out.W+out.W]
			a := arg[oy*out.W : oy*out.W+out.W]
			for ox := range d {
				j := 2 * ox
				best, bi := r0[j], 2*oy*w+j
				if v := r0[j+1]; (isMax && v > best) || (!isMax && v < best) {
					best, bi = v, 2*oy*w+j+1
				}
				if v := r1[j]; (isMax && v > best) || (!isMax && v < best) {
					best, bi = v, (2*oy+1)*w+j
				}
				if v := r1[j+1]; (isMax && v > best) || (!isMax && v < best) {
					best, bi = v, (2*oy+1)*w+j+1
				}
				d[ox] = best
				a[ox] = int32(bi)
			}
		}
	}
}

// Backward maps dy (n, C, OH, OW) to dx (n, C, H, W).
func (l *Pool2d) Backward(dy []float32) []float32 {
	in, out := l.in, l.out
	planes := l.n * in.C
	hw, ohw := in.H*in.W, out.H*out.W
	dy = dy[:planes*ohw]
	l.dx = grow(l.dx, planes*hw)
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
