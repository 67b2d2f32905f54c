package engine

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestInitPyTorchDefault(t *testing.T) {
	m, err := Build(DefaultCNN(), 42)
	if err != nil {
		t.Fatal(err)
	}
	fanIn := map[string]int{"conv1": 25, "conv2": 250, "fc1": 320, "fc2": 100}
	for _, p := range m.Params() {
		name := p.Name[:len(p.Name)-len(".weight")]
		if !p.Decay {
			name = p.Name[:len(p.Name)-len(".bias")]
		}
		bound := 1 / math.Sqrt(float64(fanIn[name]))
		var maxAbs, sum float64
		for _, v := range p.W {
			a := math.Abs(float64(v))
			if a > bound {
				t.Fatalf("%s: %v outside ±%v", p.Name, v, bound)
			}
			maxAbs = max(maxAbs, a)
			sum += float64(v)
		}
		mean := sum / float64(len(p.W))
		if len(p.W) >= 250 && (maxAbs < 0.95*bound || math.Abs(mean) > 0.1*bound) {
			t.Errorf("%s: max |w| %v, mean %v: not U(±%v)", p.Name, maxAbs, mean, bound)
		}
		if p.Decay != (p.Name == name+".weight") {
			t.Errorf("%s: Decay %v", p.Name, p.Decay)
		}
	}
}

func TestDeterminism(t *testing.T) {
	for i, s := range []Spec{DefaultCNN(), DefaultMLP()} {
		a, _ := Build(s, 7)
		b, _ := Build(s, 7)
		c, _ := Build(s, 8)
		wa, wb, wc := a.Weights(nil), b.Weights(nil), c.Weights(nil)
		if !slices.Equal(wa, wb) {
			t.Errorf("case %d: same seed, different weights", i)
		}
		if slices.Equal(wa, wc) {
			t.Errorf("case %d: different seeds, same weights", i)
		}
		// and the same steps give bit-identical gradients
		x := randSlice(rand.New(rand.NewPCG(1, 1)), 5*784, 1)
		labels := []uint8{0, 1, 2, 3, 4}
		grads := func(m *Model) []float32 {
			d := make([]float32, 50)
			m.ZeroGrad()
			SoftmaxCrossEntropy(m.Forward(x, 5, true), labels, 5, 10, d)
			m.Backward(d)
			var g []float32
			for _, p := range m.Params() {
				g = append(g, p.G...)
			}
			return g
		}
		if !slices.Equal(grads(a), grads(b)) {
			t.Errorf("case %d: same seed, different gradients", i)
		}
	}
}

func TestWeightsRoundTrip(t *testing.T) {
	m, _ := Build(DefaultCNN(), 1)
	m2, _ := Build(DefaultCNN(), 2)
	w := m.Weights(nil)
	if len(w) != 38390 || w[0] != m.Params()[0].W[0] || w[len(w)-1] != m.Params()[7].W[9] {
		t.Fatalf("Weights: len %d, not in Params order", len(w))
	}
	buf := make([]float32, 0, 40000)
	if w2 := m.Weights(buf); &w2[0] != &buf[:1][0] {
		t.Error("Weights did not reuse dst")
	}
	if err := m2.SetWeights(w); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m2.Weights(nil), w) {
		t.Error("SetWeights then Weights differs")
	}
	x := randSlice(rand.New(rand.NewPCG(3, 3)), 2*784, 1)
	if !slices.Equal(slices.Clone(m.Forward(x, 2, false)), m2.Forward(x, 2, false)) {
		t.Error("same weights, different logits")
	}
	for i, n := range []int{0, 38389, 38391} {
		if err := m2.SetWeights(make([]float32, n)); err == nil {
			t.Errorf("case %d: SetWeights of %d values: no error", i, n)
		}
	}
	if !slices.Equal(m2.Weights(nil), w) {
		t.Error("a failed SetWeights changed the weights")
	}

	t0 := []float32{0, 1, 2, -4}
	t1 := []float32{2, 1, 0, 4}
	dst := make([]float32, 4)
	for i, tc := range []struct {
		alpha float32
		want  []float32
	}{
		{0, t0}, {1, t1}, {0.5, []float32{1, 1, 1, 0}}, {-0.5, []float32{-1, 1, 3, -8}}, {1.5, []float32{3, 1, -1, 8}},
	} {
		Interpolate(dst, t0, t1, tc.alpha)
		if !slices.Equal(dst, tc.want) {
			t.Errorf("case %d: alpha %v: %v, want %v", i, tc.alpha, dst, tc.want)
		}
	}
}

func TestLayerOutput(t *testing.T) {
	m, _ := Build(DefaultCNN(), 1)
	if m.layerOutput(0) != nil {
		t.Error("layerOutput before Forward")
	}
	x := randSlice(rand.New(rand.NewPCG(3, 3)), 2*784, 1)
	logits := m.Forward(x, 2, false)
	if len(m.layerOutput(0)) != 2*10*24*24 || len(m.layerOutput(4)) != 2*320 {
		t.Errorf("layerOutput lengths %d, %d", len(m.layerOutput(0)), len(m.layerOutput(4)))
	}
	if &m.layerOutput(len(m.layers) - 1)[0] != &logits[0] {
		t.Error("last layerOutput is not the logits")
	}
	// Activation of the fused conv1 (CHWN inside) equals a standalone conv's
	// NCHW output for each example
	c := NewConv2d("c", Shape{1, 28, 28}, 10, 5, 1, 0)
	copy(c.Weight.W, m.Params()[0].W)
	copy(c.Bias.W, m.Params()[1].W)
	want := c.Forward(x, 2, false)
	for e := range 2 {
		got := m.Activation(0, e, nil)
		if !slices.Equal(got, want[e*5760:(e+1)*5760]) {
			t.Errorf("Activation(0, %d) differs from a standalone conv", e)
		}
	}
	// pool1 and relu1 hand (C, H, W, N) to conv2: Activation hides it too
	pool := NewPool2d("p", PoolMax, Shape{10, 24, 24}, 2, 2).Forward(want, 2, false)
	relu := NewReLU("r", Shape{10, 12, 12}).Forward(pool, 2, false)
	for e := range 2 {
		if got := m.Activation(1, e, nil); !slices.Equal(got, pool[e*1440:(e+1)*1440]) {
			t.Errorf("Activation(1, %d) differs from a standalone pool", e)
		}
		if got := m.Activation(2, e, nil); !slices.Equal(got, relu[e*1440:(e+1)*1440]) {
			t.Errorf("Activation(2, %d) differs from a standalone ReLU", e)
		}
	}
	if got := m.Activation(7, 1, make([]float32, 0, 200)); !slices.Equal(got, m.layerOutput(7)[100:200]) {
		t.Error("Activation of fc1")
	}
}

// TestFusedMatchesStandalone checks the model's conv→pool pairs, which pass
// (C, H, W, N) between them, against the same layers standalone in NCHW:
// same logits and same gradients.
func TestFusedMatchesStandalone(t *testing.T) {
	var specs []Spec
	for _, kind := range []PoolKind{PoolMax, PoolAvg, PoolMin} {
		specs = append(specs,
			Spec{Arch: ArchCNN, Conv1: ConvSpec{5, 1, 2}, Conv2: ConvSpec{3, 2, 1}, Pool: kind, PoolSize: 3, Hidden: []int{20}},
			// the report's CNN: direct convolutions and the 2x2 (C,H,W,N) pooling rows
			Spec{Arch: ArchCNN, Conv1: ConvSpec{5, 1, 0}, Conv2: ConvSpec{5, 1, 0}, Pool: kind, PoolSize: 2, Hidden: []int{20}},
			// odd maps (25x25, 10x10 -> 5x5): pooling drops the last row and column
			Spec{Arch: ArchCNN, Conv1: ConvSpec{4, 1, 0}, Conv2: ConvSpec{3, 1, 0}, Pool: kind, PoolSize: 2, Hidden: []int{20}})
	}
	for i, spec := range specs {
		m, err := Build(spec, uint64(i))
		if err != nil {
			t.Fatal(err)
		}
		// the same layers, unfused
		var ls []Layer
		for _, l := range m.layers {
			switch t := l.(type) {
			case *Conv2d:
				c := NewConv2d(t.name, t.in, t.out.C, t.k, t.s, t.p)
				copy(c.Weight.W, t.Weight.W)
				copy(c.Bias.W, t.Bias.W)
				ls = append(ls, c)
			case *Pool2d:
				ls = append(ls, NewPool2d(t.name, t.kind, t.in, t.k, t.s))
			default:
				ls = append(ls, l)
			}
		}
		const n = 5
		// a first pass, with a larger batch, leaves other values all over
		// every buffer: the measured pass must not depend on them
		m.Forward(randSlice(rand.New(rand.NewPCG(uint64(i), 5)), (n+2)*784, 1), n+2, true)
		m.Backward(randSlice(rand.New(rand.NewPCG(uint64(i), 6)), (n+2)*10, 1))
		x := randSlice(rand.New(rand.NewPCG(uint64(i), 7)), n*784, 1)
		dl := randSlice(rand.New(rand.NewPCG(uint64(i), 8)), n*10, 1)
		m.ZeroGrad()
		got := slices.Clone(m.Forward(x, n, true))
		m.Backward(dl)
		var gotG [][]float32
		for _, p := range m.Params() {
			gotG = append(gotG, slices.Clone(p.G))
		}
		m.ZeroGrad()
		y := x
		for _, l := range ls {
			y = l.Forward(y, n, true)
		}
		dy := dl
		for j := len(ls) - 1; j >= 0; j-- {
			dy = ls[j].Backward(dy)
		}
		for j := range y {
			if math.Abs(float64(y[j]-got[j])) > 1e-5 {
				t.Fatalf("case %d: logit %d: fused %v, standalone %v", i, j, got[j], y[j])
			}
		}
		var wantG [][]float32
		for _, l := range ls {
			for _, p := range l.Params() {
				wantG = append(wantG, p.G)
			}
		}
		for k := range wantG {
			for j := range wantG[k] {
				if math.Abs(float64(wantG[k][j]-gotG[k][j])) > 1e-5*(1+math.Abs(float64(wantG[k][j]))) {
					t.Fatalf("case %d: param %d grad %d: fused %v, standalone %v", i, k, j, gotG[k][j], wantG[k][j])
				}
			}
		}
	}
}

// TestBatchSizes checks that a model gives the same logits for an example
// whatever the batch around it, after buffers grew and shrank.
func TestBatchSizes(t *testing.T) {
	for i, s := range []Spec{DefaultCNN(), DefaultMLP()} {
		m, _ := Build(s, 3)
		x := randSlice(rand.New(rand.NewPCG(4, 4)), 9*784, 1)
		ref := slices.Clone(m.Forward(x, 9, false))
		for _, n := range []int{1, 4, 9, 2} {
			got := m.Forward(x, n, true)
			for j := range got {
				if math.Abs(float64(got[j]-ref[j])) > 1e-5 {
					t.Fatalf("case %d: batch %d: logit %d = %v, want %v", i, n, j, got[j], ref[j])
				}
			}
		}
	}
}

func TestTrainStepAllocs(t *testing.T) {
	const n = 64
	for i, s := range []Spec{DefaultCNN(), DefaultMLP()} {
		m, _ := Build(s, 1)
		x := randSlice(rand.New(rand.NewPCG(5, 5)), n*784, 1)
		labels := make([]uint8, n)
		for j := range labels {
			labels[j] = uint8(j % 10)
		}
		d := make([]float32, n*10)
		step := func() {
			m.ZeroGrad()
			SoftmaxCrossEntropy(m.Forward(x, n, true), labels, n, 10, d)
			m.Backward(d)
		}
		step()
		if a := testing.AllocsPerRun(3, step); a != 0 {
			t.Errorf("case %d: %v allocations per training step", i, a)
		}
		// a smaller batch after a larger one reuses the buffers too
		if a := testing.AllocsPerRun(2, func() { m.Forward(x, 10, false) }); a != 0 {
			t.Errorf("case %d: %v allocations per evaluation", i, a)
		}
	}
}
