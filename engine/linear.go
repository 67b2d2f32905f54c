package engine

import (
	"fmt"

	"mnistplay/engine/kernels"
)

// Linear is a fully connected layer, y = x·Wᵀ + b.
type Linear struct {
	name    string
	in, out int
	Weight  *Param // (Out, In)
	Bias    *Param // (Out)
	noDx    bool   // first layer of a model: Backward skips dx

	x  []float32 // (N, In) input of the last Forward, not owned
	n  int       // batch size of the last Forward
	y  []float32 // (N, Out)
	dx []float32 // (N, In)
}

// NewLinear returns a Linear layer from in to out features with zero
// parameters. It panics if in or out is below 1.
func NewLinear(name string, in, out int) *Linear {
	if in < 1 || out < 1 {
		panic(fmt.Sprintf("engine: NewLinear(%q, %d, %d): sizes must be >= 1", name, in, out))
	}
	return &Linear{
		name: name, in: in, out: out,
		Weight: newParam(name+".weight", true, out, in),
		Bias:   newParam(name+".bias", false, out),
	}
}

func (l *Linear) Name() string     { return l.name }
func (l *Linear) InShape() Shape   { return Shape{l.in, 1, 1} }
func (l *Linear) OutShape() Shape  { return Shape{l.out, 1, 1} }
func (l *Linear) Params() []*Param { return []*Param{l.Weight, l.Bias} }
func (l *Linear) fanIn() int       { return l.in }

// Forward computes y (n, Out) = x (n, In) · Wᵀ + b.
func (l *Linear) Forward(x []float32, n int, train bool) []float32 {
	x = x[:n*l.in]
	l.x, l.n = x, n
	l.y = grow(l.y, n*l.out)
	// y (n, Out) = x (n, In) · Wᵀ (In, Out)
	kernels.Gemm(false, true, n, l.out, l.in, x, l.in, l.Weight.W, l.in, 0, l.y, l.out)
	kernels.AddRowVector(l.y, n, l.out, l.Bias.W)
	return l.y
}

// Backward adds dW += dyᵀ·x and db += column sums of dy, and returns
// dx (n, In) = dy · W.
func (l *Linear) Backward(dy []float32) []float32 {
	n := l.n
	dy = dy[:n*l.out] // (n, Out)
	// dW (Out, In) += dyᵀ (Out, n) · x (n, In)
	kernels.Gemm(true, false, l.out, l.in, n, dy, l.out, l.x, l.in, 1, l.Weight.G, l.in)
	// db (Out) += sum over n of dy
	kernels.SumRows(l.Bias.G, dy, n, l.out)
	if l.noDx {
		return nil
	}
	l.dx = grow(l.dx, n*l.in)
	// dx (n, In) = dy (n, Out) · W (Out, In)
	kernels.Gemm(false, false, n, l.in, l.out, dy, l.out, l.Weight.W, l.in, 0, l.dx, l.in)
	return l.dx
}
