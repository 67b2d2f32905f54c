package engine

import (
	"math"
	"testing"
)

// Reference values computed in float64 (a ten-line Python script) from the
// update rules documented for torch.optim.SGD and torch.optim.Adam: params w = (1, -2) with Decay and a bias b = (0.5) without,
// lr 0.1, momentum 0.9, the gradient sequence optimGrads.
// For example SGD step 1: w0 = 1 - 0.1·0.5 = 0.95; momentum step 2:
// b = 0.9·0.5 + 0.2 = 0.65, w0 = 0.95 - 0.065 = 0.885; Nesterov step 1:
// w0 = 1 - 0.1·(0.5 + 0.9·0.5) = 0.905; Adam step 1 moves each coordinate
// by lr·sign(g) (up to eps).
var optimGrads = [3][3]float32{{0.5, -1.0, 0.25}, {0.2, 0.4, -0.5}, {-0.3, 0.1, 1.0}} // per step: w0, w1, b

var optimCases = []struct {
	kind OptimKind
	l2   float32
	want [3][3]float64 // per step: w0, w1, b
}{
	{"sgd", 0, [3][3]float64{{0.95, -1.9, 0.475}, {0.93, -1.94, 0.525}, {0.96, -1.95, 0.425}}},
	{"sgd", 0.01, [3][3]float64{{0.949, -1.898, 0.475}, {0.928051, -1.936102, 0.525}, {0.957122949, -1.944165898, 0.425}}},
	{"momentum", 0, [3][3]float64{{0.95, -1.9, 0.475}, {0.885, -1.85, 0.5025}, {0.8565, -1.815, 0.42725}}},
	{"momentum", 0.01, [3][3]float64{{0.949, -1.898, 0.475}, {0.882151, -1.844302, 0.5025}, {0.851104749, -1.804129498, 0.42725}}},
	{"nesterov", 0, [3][3]float64{{0.905, -1.81, 0.4525}, {0.8265, -1.805, 0.52725}, {0.83085, -1.7835, 0.359525}}},
	{"nesterov", 0.01, [3][3]float64{{0.9031, -1.8062, 0.4525}, {0.82207411, -1.79614822, 0.52725}, {0.8234016582, -1.768314516, 0.359525}}},
	{"adam", 0, [3][3]float64{{0.900000002, -1.900000001, 0.400000004}, {0.8101424839, -1.865439417, 0.4366103558}, {0.7805871509, -1.844749901, 0.3946447946}}},
	{"adam", 0.01, [3][3]float64{{0.900000002, -1.900000001, 0.400000004}, {0.8097733283, -1.863283967, 0.4366103558}, {0.7780705243, -1.839746373, 0.3946447946}}},
}

func optimParams() []*Param {
	return []*Param{
		{Name: "w", Shape: []int{2}, W: []float32{1, -2}, G: make([]float32, 2), Decay: true},
		{Name: "b", Shape: []int{1}, W: []float32{0.5}, G: make([]float32, 1)},
	}
}

func runOptim(t *testing.T, opt Optimizer, ps []*Param, check func(step int, got [3]float32)) {
	t.Helper()
	for s := range 3 {
		ps[0].G[0], ps[0].G[1], ps[1].G[0] = optimGrads[s][0], optimGrads[s][1], optimGrads[s][2]
		opt.Step(ps, 0.1)
		check(s, [3]float32{ps[0].W[0], ps[0].W[1], ps[1].W[0]})
	}
}

func TestOptimizerSteps(t *testing.T) {
	for i, c := range optimCases {
		opt, err := NewOptimizer(OptimConfig{Kind: c.kind, L2: c.l2})
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		for round := range 2 { // the second round checks Reset
			ps := optimParams()
			runOptim(t, opt, ps, func(s int, got [3]float32) {
				for j := range got {
					if d := math.Abs(float64(got[j]) - c.want[s][j]); d > 2e-6 {
						t.Errorf("case %d (%s, l2 %v) round %d step %d param %d: got %.9g, want %.9g", i, c.kind, c.l2, round, s+1, j, got[j], c.want[s][j])
					}
				}
			})
			opt.Reset()
		}
	}
}

// TestOptimizerBiasNotDecayed checks that L2 changes the weights but never a
// Param with Decay false, bit for bit.
func TestOptimizerBiasNotDecayed(t *testing.T) {
	for i, k := range []OptimKind{SGD, Momentum, Nesterov, Adam} {
		var plain, l2 [3][3]float32
		for j, lambda := range []float32{0, 0.5} {
			opt, _ := NewOptimizer(OptimConfig{Kind: k, L2: lambda})
			dst := &plain
			if j == 1 {
				dst = &l2
			}
			runOptim(t, opt, optimParams(), func(s int, got [3]float32) { dst[s] = got })
		}
		for s := range 3 {
			if plain[s][2] != l2[s][2] {
				t.Errorf("case %d (%s) step %d: bias %v with L2, %v without", i, k, s+1, l2[s][2], plain[s][2])
			}
			if s > 0 && plain[s][0] == l2[s][0] {
				t.Errorf("case %d (%s) step %d: L2 did not change the weight", i, k, s+1)
			}
		}
	}
}

func TestOptimizerAdamDefaults(t *testing.T) {
	o, err := NewOptimizer(OptimConfig{Kind: Adam})
	if err != nil {
		t.Fatal(err)
	}
	a := o.(*adam)
	if a.beta1 != 0.9 || a.beta2 != 0.999 || a.eps != 1e-8 || a.l2 != 0 {
		t.Errorf("Adam defaults %v %v %v %v", a.beta1, a.beta2, a.eps, a.l2)
	}
	o, _ = NewOptimizer(OptimConfig{Kind: Nesterov})
	if s := o.(*sgd); s.mu != DefaultMomentum || !s.nesterov {
		t.Errorf("Nesterov defaults %+v", s)
	}
	o, _ = NewOptimizer(OptimConfig{})
	if s := o.(*sgd); s.mu != 0 {
		t.Errorf("empty config is not plain SGD: %+v", s)
	}
}

func TestOptimizerBadConfig(t *testing.T) {
	nan := float32(math.NaN())
	for i, c := range []OptimConfig{
		{Kind: "rmsprop"},
		{Kind: SGD, L2: -1},
		{Kind: SGD, L2: nan},
		{Kind: Momentum, Momentum: 1},
		{Kind: Momentum, Momentum: -0.5},
		{Kind: Adam, Beta1: 1},
		{Kind: Adam, Beta2: 1.5},
		{Kind: Adam, Eps: -1},
	} {
		if _, err := NewOptimizer(c); err == nil {
			t.Errorf("case %d: %+v accepted", i, c)
		}
	}
}

func TestOptimizerStepAllocs(t *testing.T) {
	for i, k := range []OptimKind{SGD, Momentum, Nesterov, Adam} {
		opt, _ := NewOptimizer(OptimConfig{Kind: k, L2: 0.1})
		ps := optimParams()
		opt.Step(ps, 0.01)
		if n := testing.AllocsPerRun(100, func() { opt.Step(ps, 0.01) }); n != 0 {
			t.Errorf("case %d (%s): %v allocations per Step", i, k, n)
		}
	}
}
