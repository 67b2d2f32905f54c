package engine

import (
	"fmt"

	"mnistplay/engine/kernels"
)

// Conv2d is a 2-D convolution (cross-correlation, as PyTorch's Conv2d) with a
// square kernel, stride and zero padding.
//
// Forward lays the patches of the whole batch out as one matrix,
// cols (InC·K·K, N·OH·OW), and multiplies it by the weight matrix
// (OutC, InC·K·K) in a single GEMM; the result (OutC, N·OH·OW) is then
// reordered to (N, OutC, OH, OW) while the bias is added. Backward does the
// reverse: one GEMM for dW, one for dcols, then col2im into dx.
type Conv2d struct {
	name    string
	in, out Shape
	k, s, p int
	Weight  *Param // (OutC, InC, K, K)
	Bias    *Param // (OutC)
	noDx    bool   // first layer of a model: Backward skips dx

	n    int
	cols []float32 // (InC·K·K, N·OH·OW) patches; Backward overwrites it with dcols
	yT   []float32 // (OutC, N·OH·OW) GEMM output; Backward reuses it for dyᵀ
	y    []float32 // (N, OutC, OH, OW)
	dx   []float32 // (N, InC, H, W)
}

// NewConv2d returns a convolution from in (C, H, W) to outC channels with
// zero parameters. It panics if the sizes give an empty output; Spec.Validate
// is the place that turns such sizes into an error.
func NewConv2d(name string, in Shape, outC, k, s, p int) *Conv2d {
	oh, err := outSize(name, in.H, k, s, p)
	ow, err2 := outSize(name, in.W, k, s, p)
	if err != nil || err2 != nil || outC < 1 || in.C < 1 || k < 1 || s < 1 || p < 0 {
		panic(fmt.Sprintf("engine: NewConv2d(%q, %v, %d, k=%d, s=%d, p=%d): bad sizes", name, in, outC, k, s, p))
	}
	return &Conv2d{
		name: name, in: in, out: Shape{outC, oh, ow}, k: k, s: s, p: p,
		Weight: newParam(name+".weight", true, outC, in.C, k, k),
		Bias:   newParam(name+".bias", false, outC),
	}
}

func (l *Conv2d) Name() string     { return l.name }
func (l *Conv2d) InShape() Shape   { return l.in }
func (l *Conv2d) OutShape() Shape  { return l.out }
func (l *Conv2d) Params() []*Param { return []*Param{l.Weight, l.Bias} }
func (l *Conv2d) fanIn() int       { return l.in.C * l.k * l.k }

// Forward maps x (n, InC, H, W) to y (n, OutC, OH, OW).
func (l *Conv2d) Forward(x []float32, n int, train bool) []float32 {
	in, out := l.in, l.out
	ckk := in.C * l.k * l.k
	p := out.H * out.W // output pixels per example
	np := n * p
	x = x[:n*in.Size()]
	l.n = n
	l.cols = grow(l.cols, ckk*np)
	l.yT = grow(l.yT, out.C*np)
	l.y = grow(l.y, n*out.Size())
	for i := range n {
		kernels.Im2col(x[i*in.Size():(i+1)*in.Size()], in.C, in.H, in.W, l.k, l.k, l.s, l.s, l.p, l.p, l.cols, np, i*p)
	}
	// yT (OutC, n·P) = W (OutC, C·K·K) · cols (C·K·K, n·P)
	kernels.Gemm(false, false, out.C, np, ckk, l.Weight.W, ckk, l.cols, np, 0, l.yT, np)
	// y (n, OutC, P) = yT (OutC, n, P) + b
	for o := range out.C {
		b := l.Bias.W[o]
		for i := range n {
			src := l.yT[o*np+i*p : o*np+i*p+p]
			dst := l.y[(i*out.C+o)*p : (i*out.C+o)*p+p]
			dst = dst[:len(src)]
			for j, v := range src {
				dst[j] = v + b
			}
		}
	}
	return l.y
}

// Backward maps dy (n, OutC, OH, OW) to dx (n, InC, H, W), adding into
// dW and db.
func (l *Conv2d) Backward(dy []float32) []float32 {
	in, out := l.in, l.out
	n := l.n
	ckk := in.C * l.k * l.k
	p := out.H * out.W
	np := n * p
	dy = dy[:n*out.Size()]
	dyT := l.yT // (OutC, n·P)
	// dyT (OutC, n, P) = dy (n, OutC, P); db += sums over n and P
	for o := range out.C {
		var db float32
		for i := range n {
			src := dy[(i*out.C+o)*p : (i*out.C+o)*p+p]
			dst := dyT[o*np+i*p : o*np+i*p+p]
			dst = dst[:len(src)]
			var s float32
			for j, v := range src {
				dst[j] = v
				s += v
			}
			db += s
		}
		l.Bias.G[o] += db
	}
	// dW (OutC, C·K·K) += dyT (OutC, n·P) · colsᵀ (n·P, C·K·K)
	kernels.Gemm(false, true, out.C, ckk, np, dyT, np, l.cols, np, 1, l.Weight.G, ckk)
	if l.noDx {
		return nil
	}
	dcols := l.cols // (C·K·K, n·P); cols is no longer needed
	// dcols (C·K·K, n·P) = Wᵀ (C·K·K, OutC) · dyT (OutC, n·P)
	kernels.Gemm(true, false, ckk, np, out.C, l.Weight.W, ckk, dyT, np, 0, dcols, np)
	l.dx = grow(l.dx, n*in.Size())
	clear(l.dx)
	for i := range n {
		kernels.Col2im(l.dx[i*in.Size():(i+1)*in.Size()], in.C, in.H, in.W, l.k, l.k, l.s, l.s, l.p, l.p, dcols, np, i*p)
	}
	return l.dx
}
