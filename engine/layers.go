package engine

import "mnistplay/engine/kernels"

// ReLU is the elementwise max(x, 0).
type ReLU struct {
	name  string
	shape Shape
	n     int
	y     []float32 // (N, C, H, W)
	dx    []float32 // (N, C, H, W)
}

// NewReLU returns a ReLU layer for tensors of the given shape.
func NewReLU(name string, shape Shape) *ReLU { return &ReLU{name: name, shape: shape} }

func (l *ReLU) Name() string     { return l.name }
func (l *ReLU) InShape() Shape   { return l.shape }
func (l *ReLU) OutShape() Shape  { return l.shape }
func (l *ReLU) Params() []*Param { return nil }

// Forward sets y = max(x, 0).
func (l *ReLU) Forward(x []float32, n int, train bool) []float32 {
	sz := n * l.shape.Size()
	l.n = n
	l.y = grow(l.y, sz)
	kernels.ReLU(l.y, x[:sz])
	return l.y
}

// Backward passes dy where y > 0.
func (l *ReLU) Backward(dy []float32) []float32 {
	sz := l.n * l.shape.Size()
	l.dx = grow(l.dx, sz)
	kernels.ReLUBackward(l.dx, dy[:sz], l.y)
	return l.dx
}

// Flatten reshapes (N, C, H, W) to (N, C·H·W, 1, 1). NCHW is already flat
// per example, so it returns its input unchanged both ways.
type Flatten struct {
	name string
	in   Shape
	n    int
}

// NewFlatten returns a Flatten layer for inputs of shape in.
func NewFlatten(name string, in Shape) *Flatten { return &Flatten{name: name, in: in} }

func (l *Flatten) Name() string     { return l.name }
func (l *Flatten) InShape() Shape   { return l.in }
func (l *Flatten) OutShape() Shape  { return Shape{l.in.Size(), 1, 1} }
func (l *Flatten) Params() []*Param { return nil }

// Forward returns x (n, C·H·W) itself.
func (l *Flatten) Forward(x []float32, n int, train bool) []float32 {
	l.n = n
	return x[:n*l.in.Size()]
}

// Backward returns dy itself.
func (l *Flatten) Backward(dy []float32) []float32 { return dy[:l.n*l.in.Size()] }
