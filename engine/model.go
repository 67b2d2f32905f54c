package engine

import (
	"fmt"
	"math/rand/v2"
)

// LayerInfo describes one layer of a model: its name, the shapes of one
// example's input and output and its number of parameters.
type LayerInfo struct {
	Name    string
	In, Out Shape
	Params  int
}

// Model is a sequence of layers built from a Spec. Forward takes a batch of
// images (n, 1, 28, 28) to logits (n, 10); Backward takes d(loss)/dlogits
// back through every layer, adding into the parameters' gradients. Its
// layers are its own: between them it may pass tensors in another layout
// than NCHW (see doc.go), which Info and Activation never show.
//
// A Model is not safe for concurrent use.
type Model struct {
	Spec Spec

	layers []Layer // built by buildPlan, layouts set for the model's use only

	params     []*Param
	firstParam int         // index of the first layer with parameters; Backward stops there
	outs       [][]float32 // outs[i] (n, layers[i].OutShape) of the last Forward, or (layers[i].OutShape, n) if chwn[i]
	chwn       []bool      // chwn[i]: layer i hands its output to the next in (C, H, W, N)
	n          int         // batch size of the last Forward
	train      bool        // whether the last Forward was a training one
	evalBatch  int         // examples per Forward of Evaluate: its buffers stay within the memory budget
}

// fanInLayer is a layer with PyTorch-default-initialised weight and bias.
type fanInLayer interface {
	Layer
	fanIn() int
}

// Build validates spec and returns a model with PyTorch's default
// initialisation drawn from a PCG generator seeded with seed. The same spec
// and seed give bit-identical weights.
func Build(spec Spec, seed uint64) (*Model, error) {
	plan, err := spec.plan()
	if err != nil {
		return nil, err
	}
	m := buildPlan(spec, plan)
	rng := newRNG(seed)
	m.initWeights(rng)
	return m, nil
}

func buildPlan(spec Spec, plan []layerPlan) *Model {
	m := &Model{Spec: spec, firstParam: -1}
	m.Spec.Hidden = append([]int(nil), spec.Hidden...)
	for _, p := range plan {
		var l Layer
		switch p.kind {
		case kindLinear:
			l = NewLinear(p.name, p.in.Size(), p.out.Size())
		case kindConv:
			l = NewConv2d(p.name, p.in, p.out.C, p.conv.Kernel, p.conv.Stride, p.conv.Pad)
		case kindPool:
			l = NewPool2d(p.name, p.pool, p.in, p.k, p.s)
		case kindReLU:
			l = NewReLU(p.name, p.in)
		case kindFlatten:
			l = NewFlatten(p.name, p.in)
		}
		if len(l.Params()) > 0 && m.firstParam < 0 {
			m.firstParam = len(m.layers)
			switch t := l.(type) {
			case *Linear:
				t.noDx = true
			case *Conv2d:
				t.noDx = true
			}
		}
		m.layers = append(m.layers, l)
		m.params = append(m.params, l.Params()...)
	}
	lay := layouts(plan)
	m.chwn = make([]bool, len(m.layers))
	for i, l := range m.layers {
		m.chwn[i] = lay[i].out
		switch t := l.(type) {
		case *Conv2d:
			t.inCHWN, t.outCHWN = lay[i].in, lay[i].out
		case *Pool2d:
			t.inCHWN, t.outCHWN = lay[i].in, lay[i].out
		}
	}
	m.outs = make([][]float32, len(m.layers))
	m.evalBatch = inferenceMemory(plan, 1, MemoryLimit()).Eval
	return m
}

// layout says whether a layer takes its input and hands its output over in
// (C, H, W, N) instead of (N, C, H, W).
type layout struct{ in, out bool }

// layouts decides the layout of every layer of plan. A conv followed by
// pooling hands its output over in (C, H, W, N). Such a pooling layer
// followed by a conv, with or without a ReLU in between (elementwise, so
// blind to the layout), hands its output over in (C, H, W, N) too.
func layouts(plan []layerPlan) []layout {
	lay := make([]layout, len(plan))
	for i := 0; i+1 < len(plan); i++ {
		if plan[i].kind == kindConv && plan[i+1].kind == kindPool {
			lay[i].out, lay[i+1].in = true, true
		}
	}
	for i := 0; i+1 < len(plan); i++ {
		if plan[i].kind != kindPool || !lay[i].in {
			continue
		}
		j := i + 1
		if plan[j].kind == kindReLU && j+1 < len(plan) {
			j++
		}
		if plan[j].kind == kindConv {
			for k := i; k < j; k++ {
				lay[k].out, lay[k+1].in = true, true
			}
		}
	}
	return lay
}

func (m *Model) initWeights(rng *rand.Rand) {
	for _, l := range m.layers {
		if f, ok := l.(fanInLayer); ok {
			ps := f.Params()
			initDefault(ps[0], ps[1], f.fanIn(), rng)
		}
	}
}

// Forward runs x (n, 1, 28, 28) through the model and returns the logits
// (n, 10), a buffer owned by the model and valid until the next Forward.
// train = false is for evaluation; Backward needs a training Forward.
// Buffers grow to the largest n seen; memory is about n times the sum of
// all layers' outputs (and conv patch matrices), so evaluate large sets and
// full-batch gradients in chunks (gradients accumulate across Backward calls).
//
// It panics if x is shorter than n·784 or n < 1.
func (m *Model) Forward(x []float32, n int, train bool) []float32 {
	in := m.layers[0].InShape().Size()
	if n < 1 || len(x) < n*in {
		panic(fmt.Sprintf("engine: Model.Forward: need n >= 1 and len(x) >= n·%d, have n=%d len(x)=%d", in, n, len(x)))
	}
	m.n, m.train = n, train
	for i, l := range m.layers {
		x = l.Forward(x, n, train)
		m.outs[i] = x
	}
	return x
}

// Backward takes dlogits (n, 10) of the last training Forward back through
// the model, adding every parameter's gradient into Param.G (call ZeroGrad
// between steps). It does not compute the gradient for the input images.
//
// It panics if the last Forward was not a training one or dlogits is short.
func (m *Model) Backward(dlogits []float32) {
	if !m.train {
		panic("engine: Model.Backward without a training Forward")
	}
	out := m.layers[len(m.layers)-1].OutShape().Size()
	if len(dlogits) < m.n*out {
		panic(fmt.Sprintf("engine: Model.Backward: len(dlogits) = %d < n·%d = %d", len(dlogits), out, m.n*out))
	}
	dy := dlogits[:m.n*out]
	for i := len(m.layers) - 1; i >= m.firstParam; i-- {
		dy = m.layers[i].Backward(dy)
	}
}

// Params returns the model's parameters in a fixed order: each layer's
// weight then bias, layers in order. Weights uses the same order.
func (m *Model) Params() []*Param { return m.params }

// ZeroGrad clears every parameter's gradient.
func (m *Model) ZeroGrad() {
	for _, p := range m.params {
		clear(p.G)
	}
}

// Info describes every layer.
func (m *Model) Info() []LayerInfo {
	info := make([]LayerInfo, len(m.layers))
	for i, l := range m.layers {
		n := 0
		for _, p := range l.Params() {
			n += len(p.W)
		}
		info[i] = LayerInfo{Name: l.Name(), In: l.InShape(), Out: l.OutShape(), Params: n}
	}
	return info
}

// NumWeights is the total number of parameters.
func (m *Model) NumWeights() int {
	n := 0
	for _, p := range m.params {
		n += len(p.W)
	}
	return n
}

// layerOutput returns layer i's raw output buffer of the last Forward; nil
// before any Forward. Its layout is (n, layers[i].OutShape), except where
// buildPlan chose (C, H, W, n) (chwn[i]); Activation hides that difference.
func (m *Model) layerOutput(i int) []float32 { return m.outs[i] }

// Activation copies one example's output (C, H, W) of layer i (as numbered
// by Info) from the last
// Forward into dst, reusing dst if it is large enough, and returns it: the
// activation maps the UI draws.
//
// It panics if i or example is out of range or there was no Forward.
func (m *Model) Activation(i, example int, dst []float32) []float32 {
	if example < 0 || example >= m.n || m.outs[i] == nil {
		panic(fmt.Sprintf("engine: Model.Activation(%d, %d): no such example in the last Forward (n=%d)", i, example, m.n))
	}
	size := m.layers[i].OutShape().Size()
	dst = grow(dst, size)
	out := m.outs[i]
	if m.chwn[i] {
		for j := range dst {
			dst[j] = out[j*m.n+example]
		}
		return dst
	}
	copy(dst, out[example*size:])
	return dst
}

// EvalBatch is the most examples per Forward that keep the model's buffers
// within its share of the memory budget (MemoryLimit); Evaluate uses no more.
// Callers that run Forward on many images themselves should too.
func (m *Model) EvalBatch() int { return m.evalBatch }

// Batch returns the batch size of the last Forward.
func (m *Model) Batch() int { return m.n }
