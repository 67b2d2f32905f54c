package engine

import (
	"fmt"

	"mnistplay/engine/kernels"
)

// Conv2d is a 2-D convolution (cross-correlation, as PyTorch's Conv2d) with a
// square kernel, stride and zero padding. Its input and output are NCHW.
//
// Inside, it works on the batch transposed to (C, H, W, N), the batch index
// innermost: then every run of im2col and col2im is OW·N contiguous floats
// (one memory copy or one SIMD Axpy) instead of OW floats per image, which
// in WebAssembly is the difference between a few hundred calls per batch and
// a few hundred thousand. With stride 1 and no padding (the report's CNN)
// there is no im2col at all: each output row oy of every channel is one GEMM
// of the weight matrix (OutC, InC·K·K) with rows of xT read in place
// (kernels.GemmRowOffsets), and the weight gradient sums dot products over
// the same rows (kernels.GemmNTRowOffsets). Otherwise Forward lays all
// patches out as one matrix cols (InC·K·K, OH·OW·N) and makes one GEMM.
// Forward transposes x first and transposes the (OutC, OH, OW, N) result back
// to (N, OutC, OH, OW) while adding the bias. Backward does the reverse: a
// transpose of dy (summing the bias gradient), the dW product, one GEMM for
// dcols, col2im into (C, H, W, N) and a transpose into dx; when direct,
// dcols is made and folded back one output row at a time (backwardDxDirect),
// so it stays in cache. Build removes
// the transposes between a conv and a pooling layer after it, and between
// such a pooling layer and a conv after it (through a ReLU, which works
// elementwise in any layout): see outCHWN and inCHWN.
type Conv2d struct {
	name    string
	in, out Shape
	k, s, p int
	Weight  *Param // (OutC, InC, K, K)
	Bias    *Param // (OutC)
	noDx    bool   // first layer of a model: Backward skips dx
	// outCHWN: the next layer is a Pool2d reading (C, H, W, N); Forward
	// returns yT itself (with the bias) and Backward takes dy in that layout,
	// which saves two transposes of the largest tensor of the CNN.
	outCHWN bool
	// inCHWN: the previous layer (a Pool2d, through a ReLU or not) hands
	// its output over as (C, H, W, N): Forward reads it in place and
	// Backward returns dx in that layout, which saves two more transposes.
	inCHWN bool

	n    int
	xT   []float32 // (InC, H, W, N) transposed input (the input itself if inCHWN); Backward reuses it for dxᵀ unless inCHWN
	cols []float32 // (InC·K·K, OH·OW·N) patches (not made when direct); Backward overwrites it with dcols, or with one output row's (InC·K·K, OW·N) when direct
	boff []int32   // (InC·K·K) when direct: offset in xT of each kernel tap for batch size n
	yT   []float32 // (OutC, OH·OW·N) GEMM output; Backward reuses it for dyᵀ
	y    []float32 // (N, OutC, OH, OW)
	dx   []float32 // (N, InC, H, W), or (InC, H, W, N) if inCHWN
	sums []float32 // (OutC, OH, OW) scratch for the bias gradient
}

// direct reports whether the convolution skips im2col: with stride 1 and no
// padding, every output row of every channel is a GEMM whose B rows are
// contiguous runs of xT (kernels.GemmRowOffsets), and the weight gradient is
// a sum of dot products over the same runs (kernels.GemmNTRowOffsets).
func (l *Conv2d) direct() bool { return l.s == 1 && l.p == 0 }

// tapOffsets sets l.boff[(ci·K + ky)·K + kx] to the offset of
// xT[ci, ky, kx, 0] in the (C, H, W, N) input of batch size n.
func (l *Conv2d) tapOffsets(n int) {
	ckk := l.in.C * l.k * l.k
	if cap(l.boff) < ckk {
		l.boff = make([]int32, ckk)
	}
	l.boff = l.boff[:ckk]
	wn := l.in.W * n
	hwn := l.in.H * wn
	for ci := range l.in.C {
		for ky := range l.k {
			for kx := range l.k {
				l.boff[(ci*l.k+ky)*l.k+kx] = int32(ci*hwn + ky*wn + kx*n)
			}
		}
	}
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

func (l *Conv2d) geom(n int) convGeom {
	return convGeom{n: n, c: l.in.C, h: l.in.H, w: l.in.W, k: l.k, s: l.s, p: l.p, oh: l.out.H, ow: l.out.W}
}

// Forward maps x (n, InC, H, W) to y (n, OutC, OH, OW) (each in
// (C, H, W, n) instead if inCHWN or outCHWN).
func (l *Conv2d) Forward(x []float32, n int, train bool) []float32 {
	in, out := l.in, l.out
	ckk := in.C * l.k * l.k
	p := out.H * out.W // output pixels per example
	np := n * p
	x = x[:n*in.Size()]
	l.n = n
	l.yT = grow(l.yT, out.C*np)
	if l.inCHWN {
		l.xT = x // (C, H, W, n) already
	} else {
		l.xT = grow(l.xT, n*in.Size())
		// xT (C·H·W, n) = x (n, C·H·W)ᵀ
		transpose(l.xT, x, n, in.Size())
	}
	if l.direct() {
		l.tapOffsets(n)
		// yT[:, oy] (OutC, OW·n) = W (OutC, C·K·K) · xT rows at boff + oy·W·n
		kernels.GemmRowOffsets(out.C, out.W*n, ckk, out.H, l.Weight.W, ckk, l.xT, l.boff, in.W*n, l.yT, np, out.W*n)
	} else {
		l.cols = grow(l.cols, ckk*np)
		im2colCHWN(l.geom(n), l.xT, l.cols)
		// yT (OutC, P·n) = W (OutC, C·K·K) · cols (C·K·K, P·n)
		kernels.Gemm(false, false, out.C, np, ckk, l.Weight.W, ckk, l.cols, np, 0, l.yT, np)
	}
	if l.outCHWN {
		for o := range out.C {
			// yT[o] (P·n) += b[o]
			kernels.AddConst(l.Bias.W[o], l.yT[o*np:o*np+np])
		}
		return l.yT
	}
	l.y = grow(l.y, n*out.Size())
	// y (n, OutC·P) = yT (OutC·P, n)ᵀ + b
	transposeAddBias(l.y, l.yT, out.C, p, n, l.Bias.W)
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
	dyT := l.yT // (OutC, P·n)
	if l.outCHWN {
		dyT = dy
		for o := range out.C {
			l.Bias.G[o] += kernels.Sum(dyT[o*np : o*np+np])
		}
	} else {
		// dyT (OutC·P, n) = dy (n, OutC·P)ᵀ; db (OutC) += sums over P and n
		l.sums = grow(l.sums, out.Size())
		transposeSumBias(dyT, dy, out.C, p, n, l.Bias.G, l.sums)
	}
	if l.direct() {
		// dW (OutC, C·K·K) += Σ over oy of dyT[:, oy] (OutC, OW·n) · (xT rows at boff + oy·W·n)ᵀ
		own := out.W * n
		kernels.GemmNTRowOffsets(out.C, ckk, own, out.H, dyT, np, own, l.xT, l.boff, in.W*n, 1, l.Weight.G, ckk)
	} else {
		// dW (OutC, C·K·K) += dyT (OutC, P·n) · colsᵀ (P·n, C·K·K)
		kernels.Gemm(false, true, out.C, ckk, np, dyT, np, l.cols, np, 1, l.Weight.G, ckk)
	}
	if l.noDx {
		return nil
	}
	if l.direct() {
		return l.backwardDxDirect(dyT)
	}
	l.cols = grow(l.cols, ckk*np)
	dcols := l.cols // (C·K·K, P·n); cols is no longer needed
	// dcols (C·K·K, P·n) = Wᵀ (C·K·K, OutC) · dyT (OutC, P·n)
	kernels.Gemm(true, false, ckk, np, out.C, l.Weight.W, ckk, dyT, np, 0, dcols, np)
	if l.inCHWN {
		l.dx = grow(l.dx, n*in.Size())
		clear(l.dx)
		// dx (C, H, W, n): the previous layer takes it in this layout
		col2imCHWN(l.geom(n), l.dx, dcols)
		return l.dx
	}
	dxT := l.xT // (C·H·W, n)
	clear(dxT)
	col2imCHWN(l.geom(n), dxT, dcols)
	l.dx = grow(l.dx, n*in.Size())
	// dx (n, C·H·W) = dxT (C·H·W, n)ᵀ
	transpose(l.dx, dxT, in.Size(), n)
	return l.dx
}

// backwardDxDirect is Backward's input gradient for a direct convolution
// (stride 1, no padding): one output row oy at a time, it makes the patch
// gradients of that row, dcols_oy (C·K·K, OW·n) = Wᵀ · dyT[:, oy], and adds
// each of their rows into dxT with one Axpy, so that dcols stays a cache-sized
// (C·K·K, OW·n) block instead of a (C·K·K, OH·OW·n) matrix that goes through
// memory (4 MB for conv2 of the report's CNN at batch 64).
func (l *Conv2d) backwardDxDirect(dyT []float32) []float32 {
	in, out := l.in, l.out
	n := l.n
	ckk := in.C * l.k * l.k
	np := n * out.H * out.W
	own := out.W * n
	wn := in.W * n
	hwn := in.H * wn
	l.cols = grow(l.cols, ckk*own)
	dcols := l.cols // (C·K·K, OW·n) of one output row
	l.dx = grow(l.dx, n*in.Size())
	dxT := l.dx // (C, H, W, n)
	if !l.inCHWN {
		dxT = l.xT // no longer needed
	}
	clear(dxT)
	for oy := range out.H {
		// dcols (C·K·K, OW·n) = Wᵀ (C·K·K, OutC) · dyT[:, oy] (OutC, OW·n)
		kernels.Gemm(true, false, ckk, own, out.C, l.Weight.W, ckk, dyT[oy*own:], np, 0, dcols, own)
		for ci := range in.C {
			for ky := range l.k {
				for kx := range l.k {
					r := (ci*l.k+ky)*l.k + kx
					o := ci*hwn + (oy+ky)*wn + kx*n
					// dxT[ci, oy+ky, kx:kx+OW, :] (OW·n) += dcols row r
					kernels.Axpy(1, dcols[r*own:r*own+own], dxT[o:o+own])
				}
			}
		}
	}
	if l.inCHWN {
		return l.dx
	}
	// dx (n, C·H·W) = dxT (C·H·W, n)ᵀ
	transpose(l.dx, dxT, in.Size(), n)
	return l.dx
}
