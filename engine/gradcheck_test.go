package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Finite-difference gradient checks. Each layer's output y is reduced to the
// scalar L = Σ r·y for a fixed random r (so dL/dy = r), L is computed in
// float64 from the float32 outputs, and central differences
// (L(v+ε) - L(v-ε)) / 2ε for every input and parameter element are compared
// with what Backward returns, with a relative tolerance that float32 rounding
// of the forward pass stays well inside.

const (
	fdEps  = 1e-2
	fdRtol = 1e-2
	fdAtol = 2e-3
)

func randSlice(rng *rand.Rand, n int, scale float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = (2*rng.Float32() - 1) * scale
	}
	return s
}

// distinctSlice returns n values, a shuffled grid spaced by 0.1 so that a
// perturbation of fdEps never changes which element a max/min pool picks,
// and none within 0.05 of zero so a ReLU never crosses its kink.
func distinctSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(i-n/2)*0.1 + 0.05
	}
	rng.Shuffle(n, func(i, j int) { s[i], s[j] = s[j], s[i] })
	return s
}

func dotLoss(y, r []float32) float64 {
	var s float64
	for i := range r {
		s += float64(y[i]) * float64(r[i])
	}
	return s
}

func closeEnough(fd, an float64) bool {
	return math.Abs(fd-an) <= fdAtol+fdRtol*math.Max(math.Abs(fd), math.Abs(an))
}

// gradCheck checks layer l's Backward on input x (n, InShape) against
// central differences, for the input gradient (unless skipDx) and every
// parameter. It returns a description of the first few mismatches.
func gradCheck(t *testing.T, label string, l Layer, x []float32, n int, skipDx bool) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	outSz := n * l.OutShape().Size()
	r := randSlice(rng, outSz, 1)
	for _, p := range l.Params() {
		clear(p.G)
	}
	l.Forward(x, n, true)
	dx := l.Backward(r)
	var dxCopy []float32
	if !skipDx {
		if len(dx) != len(x) {
			t.Fatalf("%s: len(dx) = %d, want %d", label, len(dx), len(x))
		}
		dxCopy = append([]float32(nil), dx...)
	}
	grads := make([][]float32, len(l.Params()))
	for i, p := range l.Params() {
		grads[i] = append([]float32(nil), p.G...)
	}
	loss := func() float64 { return dotLoss(l.Forward(x, n, true), r) }
	bad := 0
	check := func(what string, v []float32, an []float32) {
		for i := range v {
			old := v[i]
			v[i] = old + fdEps
			lp := loss()
			v[i] = old - fdEps
			lm := loss()
			v[i] = old
			fd := (lp - lm) / (2 * fdEps)
			if !closeEnough(fd, float64(an[i])) {
				if bad < 5 {
					t.Errorf("%s: d%s[%d]: backward %.6g, finite difference %.6g", label, what, i, an[i], fd)
				}
				bad++
			}
		}
	}
	if !skipDx {
		check("x", x, dxCopy)
	}
	for i, p := range l.Params() {
		check(p.Name, p.W, grads[i])
	}
	if bad > 0 {
		t.Errorf("%s: %d mismatches", label, bad)
	}
}

func initLayer(l fanInLayer, seed uint64) {
	ps := l.Params()
	initDefault(ps[0], ps[1], l.fanIn(), newRNG(seed))
}

func TestGradLinear(t *testing.T) {
	for i, tc := range []struct{ n, in, out int }{{1, 1, 1}, {3, 5, 4}, {4, 7, 10}} {
		rng := rand.New(rand.NewPCG(uint64(i), 1))
		l := NewLinear("fc", tc.in, tc.out)
		initLayer(l, uint64(i))
		x := randSlice(rng, tc.n*tc.in, 1)
		gradCheck(t, fmt.Sprintf("case %d %+v", i, tc), l, x, tc.n, false)
		l.noDx = true
		gradCheck(t, fmt.Sprintf("case %d %+v noDx", i, tc), l, x, tc.n, true)
	}
}

func TestGradConv2d(t *testing.T) {
	for i, tc := range []struct {
		n       int
		in      Shape
		outC    int
		k, s, p int
	}{
		{2, Shape{1, 5, 5}, 2, 1, 1, 0},
		{2, Shape{2, 6, 6}, 3, 3, 1, 1},
		{2, Shape{2, 7, 7}, 3, 3, 2, 1},
		{1, Shape{1, 8, 8}, 2, 5, 1, 0},
		{2, Shape{2, 7, 7}, 2, 3, 3, 1},   // the report's 3x3 stride 3 pad 1
		{1, Shape{1, 10, 10}, 2, 7, 1, 3}, // a large kernel with pad 3, as the report's 14x14
		{2, Shape{3, 6, 8}, 2, 4, 2, 2},   // non-square input, even kernel
		{1, Shape{2, 5, 5}, 2, 2, 3, 1},   // stride larger than kernel
		{3, Shape{3, 9, 7}, 5, 3, 1, 0},   // direct: 5 output channels (a partial row panel), OW·N = 15 (a column tail)
		{4, Shape{2, 8, 8}, 8, 5, 1, 0},   // direct: full row panels, OW·N = 16
	} {
		rng := rand.New(rand.NewPCG(uint64(i), 2))
		l := NewConv2d("conv", tc.in, tc.outC, tc.k, tc.s, tc.p)
		initLayer(l, uint64(i))
		x := randSlice(rng, tc.n*tc.in.Size(), 1)
		gradCheck(t, fmt.Sprintf("case %d %+v", i, tc), l, x, tc.n, false)
		l.noDx = true
		gradCheck(t, fmt.Sprintf("case %d %+v noDx", i, tc), l, x, tc.n, true)
	}
}

func TestGradPool2d(t *testing.T) {
	for _, kind := range []PoolKind{PoolMax, PoolAvg, PoolMin} {
		for i, tc := range []struct {
			n    int
			in   Shape
			k, s int
		}{
			{2, Shape{2, 4, 4}, 2, 2}, // the fast 2x2 path
			{1, Shape{2, 7, 7}, 2, 2}, // odd size: last row and column dropped
			{2, Shape{1, 7, 7}, 3, 2}, // overlapping windows
			{1, Shape{2, 6, 5}, 2, 1},
			{1, Shape{1, 9, 9}, 3, 3},
			{1, Shape{1, 5, 5}, 1, 1},
		} {
			rng := rand.New(rand.NewPCG(uint64(i), 3))
			l := NewPool2d("pool", kind, tc.in, tc.k, tc.s)
			x := distinctSlice(rng, tc.n*tc.in.Size())
			gradCheck(t, fmt.Sprintf("%s case %d %+v", kind, i, tc), l, x, tc.n, false)
		}
	}
}

func TestGradReLUFlatten(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	s := Shape{2, 3, 3}
	x := distinctSlice(rng, 3*s.Size())
	gradCheck(t, "relu", NewReLU("relu", s), x, 3, false)
	gradCheck(t, "flatten", NewFlatten("flatten", s), x, 3, false)
}

func TestGradSoftmaxCrossEntropy(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	const n, classes = 4, 10
	logits := randSlice(rng, n*classes, 3)
	labels := []uint8{0, 3, 9, 3}
	d := make([]float32, n*classes)
	SoftmaxCrossEntropy(logits, labels, n, classes, d)
	const eps = 1e-3
	for i := range logits {
		old := logits[i]
		logits[i] = old + eps
		lp, _ := SoftmaxCrossEntropy(logits, labels, n, classes, nil)
		logits[i] = old - eps
		lm, _ := SoftmaxCrossEntropy(logits, labels, n, classes, nil)
		logits[i] = old
		fd := (lp - lm) / (2 * eps)
		if math.Abs(fd-float64(d[i])) > 1e-4+1e-2*math.Abs(fd) {
			t.Errorf("dlogits[%d]: backward %.6g, finite difference %.6g", i, d[i], fd)
		}
	}
}

// kinks snapshots where a model's last Forward sits on its non-smooth
// pieces: each ReLU's active set and each max/min pool's choices.
func kinks(m *Model) string {
	var b []byte
	for _, l := range m.layers {
		switch t := l.(type) {
		case *ReLU:
			for _, v := range t.y {
				if v > 0 {
					b = append(b, 1)
				} else {
					b = append(b, 0)
				}
			}
		case *Pool2d:
			if t.kind != PoolAvg {
				for _, a := range t.arg {
					b = append(b, byte(a), byte(a>>8))
				}
			}
		}
	}
	return string(b)
}

// TestGradModel checks a whole model's Backward, composed through every
// layer, against central differences of the loss for a sample of each
// parameter tensor. A sample whose perturbation moves a ReLU across zero or
// changes a max/min pool's choice is skipped: the loss has a kink there.
func TestGradModel(t *testing.T) {
	cnnAvg := DefaultCNN()
	cnnAvg.Pool = PoolAvg
	cnnSmall := Spec{Arch: ArchCNN, Hidden: []int{8}, Conv1: ConvSpec{3, 3, 1}, Conv2: ConvSpec{3, 1, 1}, Pool: PoolMin, PoolSize: 2}
	cnnBig := Spec{Arch: ArchCNN, Conv1: ConvSpec{14, 1, 3}, Conv2: ConvSpec{14, 1, 3}, Pool: PoolMax, PoolSize: 2}
	cnnReLUFirst := DefaultCNN()
	cnnReLUFirst.Pool, cnnReLUFirst.ReLUFirst = PoolMin, true
	for i, tc := range []struct {
		spec    Spec
		samples int
	}{
		{DefaultMLP(), 30},
		{Spec{Arch: ArchMLP, Hidden: []int{16, 12}}, 30},
		{Spec{Arch: ArchMLP}, 30},
		{DefaultCNN(), 20},
		{cnnAvg, 20},
		{cnnSmall, 20},
		{cnnBig, 20},
		{cnnReLUFirst, 20},
	} {
		m, err := Build(tc.spec, uint64(10+i))
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		const n = 3
		rng := rand.New(rand.NewPCG(uint64(i), 6))
		x := randSlice(rng, n*784, 1)
		labels := []uint8{1, 7, 4}
		d := make([]float32, n*NumClasses)
		m.ZeroGrad()
		SoftmaxCrossEntropy(m.Forward(x, n, true), labels, n, NumClasses, d)
		m.Backward(d)
		base := kinks(m)
		loss := func() (float64, bool) {
			l, _ := SoftmaxCrossEntropy(m.Forward(x, n, false), labels, n, NumClasses, nil)
			return l, kinks(m) == base
		}
		bad, skipped, total := 0, 0, 0
		const eps = 2e-3
		for _, p := range m.Params() {
			g := append([]float32(nil), p.G...)
			for s := 0; s < tc.samples; s++ {
				j := rng.IntN(len(p.W))
				old := p.W[j]
				p.W[j] = old + eps
				lp, ok1 := loss()
				p.W[j] = old - eps
				lm, ok2 := loss()
				p.W[j] = old
				if !ok1 || !ok2 {
					skipped++
					continue
				}
				fd := (lp - lm) / (2 * eps)
				total++
				if math.Abs(fd-float64(g[j])) > 3e-4+2e-2*math.Abs(fd) {
					bad++
					t.Errorf("case %d: %s[%d]: backward %.6g, finite difference %.6g", i, p.Name, j, g[j], fd)
				}
			}
		}
		if bad > 0 || total < 50 {
			t.Errorf("case %d: %d of %d gradient samples differ, %d skipped at kinks", i, bad, total, skipped)
		}
	}
}
