package engine

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// synthData returns n noisy images whose label c is drawn as a bright
// horizontal band at rows 2c+3..2c+5: learnable, but not instantly.
func synthData(n int, seed uint64) Dataset {
	rng := rand.New(rand.NewPCG(seed, 7))
	d := Dataset{Images: make([]uint8, n*imagePixels), Labels: make([]uint8, n), N: n}
	for i := range n {
		c := rng.IntN(10)
		d.Labels[i] = uint8(c)
		img := d.Images[i*imagePixels : (i+1)*imagePixels]
		for p := range img {
			img[p] = uint8(rng.IntN(100))
			if r := p / 28; r >= 2*c+3 && r < 2*c+6 {
				img[p] = uint8(min(255, int(img[p])+120))
			}
		}
	}
	return d
}

func smallMLP() Spec { return Spec{Arch: ArchMLP, Hidden: []int{16}} }

func testConfig() Config {
	return Config{
		Model:     smallMLP(),
		Optim:     OptimConfig{Kind: Momentum},
		Schedule:  Schedule{Kind: Constant, LR0: 0.05},
		BatchSize: 32,
		Epochs:    3,
		Seed:      11,
	}
}

func TestTrainerDeterministic(t *testing.T) {
	train, val := synthData(300, 1), synthData(100, 2)
	for i, spec := range []Spec{smallMLP(), DefaultCNN()} {
		train := train
		if spec.Arch == ArchCNN { // the CNN costs 20 times the MLP
			train = train.Head(64)
		}
		cfg := testConfig()
		cfg.Model = spec
		cfg.Optim.Kind = Adam
		cfg.Schedule.LR0 = 0.001
		cfg.Epochs = 2
		run := func(seed uint64) []float32 {
			cfg.Seed = seed
			tr, err := NewTrainer(cfg, train, val)
			if err != nil {
				t.Fatal(err)
			}
			if err := tr.Run(context.Background(), nil, nil); err != nil {
				t.Fatal(err)
			}
			if tr.Steps() != 2*((train.N+31)/32) || tr.Epoch() != 2 || !tr.Done() {
				t.Errorf("case %d: %d steps, %d epochs, done %v", i, tr.Steps(), tr.Epoch(), tr.Done())
			}
			return tr.Model().Weights(nil)
		}
		a, b, c := run(5), run(5), run(6)
		if !slices.Equal(a, b) {
			t.Errorf("case %d: same seed, different weights", i)
		}
		if slices.Equal(a, c) {
			t.Errorf("case %d: different seeds, same weights", i)
		}
	}
}

func TestTrainerLearnsAndReports(t *testing.T) {
	train, val := synthData(1000, 1), synthData(300, 2)
	cfg := testConfig()
	cfg.Epochs = 4
	tr, err := NewTrainer(cfg, train, val)
	if err != nil {
		t.Fatal(err)
	}
	var steps []StepStats
	var eps []EpochStats
	if err := tr.Run(context.Background(), func(s StepStats) { steps = append(steps, s) }, func(e EpochStats) { eps = append(eps, e) }); err != nil {
		t.Fatal(err)
	}
	if len(steps) != 4*32 || len(eps) != 4 {
		t.Fatalf("%d steps, %d epochs", len(steps), len(eps))
	}
	if s := steps[40]; s.Step != 41 || math.Abs(s.Epoch-(1+9*32/1000.0)) > 1e-9 || s.LR != 0.05 {
		t.Errorf("step 41 stats %+v", s)
	}
	last := eps[3]
	if last.Epoch != 4 || last.ValAcc < 0.9 || last.TrainAcc < 0.85 || last.ValLoss > eps[0].ValLoss {
		t.Errorf("did not learn the synthetic task: %+v (first %+v)", last, eps[0])
	}
	loss, acc := Evaluate(tr.Model(), val, 7)
	if math.Abs(loss-last.ValLoss) > 1e-9 || acc != last.ValAcc {
		t.Errorf("Evaluate(batch 7) = %v %v, epoch stats %v %v", loss, acc, last.ValLoss, last.ValAcc)
	}
	if _, _, err := tr.Step(); err != ErrDone {
		t.Errorf("Step after the end: %v", err)
	}
}

// TestTrainerFullBatchChunks checks that full-batch gradient descent over
// more examples than one chunk equals one step on the whole batch at once.
func TestTrainerFullBatchChunks(t *testing.T) {
	train := synthData(600, 3)
	cfg := testConfig()
	cfg.BatchSize = 0
	cfg.Optim = OptimConfig{Kind: SGD, L2: 0.01}
	tr, err := NewTrainer(cfg, train, Dataset{})
	if err != nil {
		t.Fatal(err)
	}
	st, ep, err := tr.Step()
	if err != nil || ep == nil || ep.Epoch != 1 {
		t.Fatalf("full batch step: %v %v", ep, err)
	}

	m, _ := Build(cfg.Model, cfg.Seed)
	x, y := make([]float32, 600*imagePixels), make([]uint8, 600)
	idx := make([]int, 600)
	for i := range idx {
		idx[i] = i
	}
	train.Batch(idx, x, y)
	logits := m.Forward(x, 600, true)
	dl := make([]float32, 600*10)
	loss, _ := SoftmaxCrossEntropy(logits, y, 600, 10, dl)
	m.ZeroGrad()
	m.Backward(dl)
	opt, _ := NewOptimizer(cfg.Optim)
	opt.Step(m.Params(), cfg.Schedule.LR0)
	if math.Abs(loss-st.Loss) > 1e-6 {
		t.Errorf("loss %v in chunks, %v at once", st.Loss, loss)
	}
	got, want := tr.Model().Weights(nil), m.Weights(nil)
	for i := range got {
		if math.Abs(float64(got[i]-want[i])) > 1e-6 {
			t.Fatalf("weight %d: %v in chunks, %v at once", i, got[i], want[i])
		}
	}
}

func TestTrainerStepAllocs(t *testing.T) {
	for i, spec := range []Spec{smallMLP(), DefaultCNN()} {
		train, val := synthData(200, 1), synthData(50, 2)
		if spec.Arch == ArchCNN {
			train, val = train.Head(70), val.Head(20)
		}
		cfg := testConfig()
		cfg.Model = spec
		cfg.Epochs = 0
		cfg.Patience = 1000
		cfg.Optim.Kind = Adam
		cfg.Schedule = Schedule{Kind: InvT, LR0: 0.001, Tau: 100}
		tr, err := NewTrainer(cfg, train, val)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 * tr.StepsPerEpoch() { // warm up: buffers, optimizer state, best weights
			if _, _, err := tr.Step(); err != nil {
				t.Fatal(err)
			}
		}
		// 21 Steps cross several epoch ends (evaluation, early stopping).
		n := testing.AllocsPerRun(20, func() {
			if _, _, err := tr.Step(); err != nil {
				t.Fatal(err)
			}
		})
		if n != 0 {
			t.Errorf("case %d: %v allocations per Step", i, n)
		}
	}
}

func TestTrainerShuffle(t *testing.T) {
	train, val := synthData(500, 1), synthData(100, 2)
	trueTrain, trueVal := slices.Clone(train.Labels), slices.Clone(val.Labels)
	cfg := testConfig()
	cfg.Subset = 400
	cfg.ShuffleFraction = 1
	tr, err := NewTrainer(cfg, train, val)
	if err != nil {
		t.Fatal(err)
	}
	moved := func() int {
		l := tr.TrainSet().Labels
		if len(l) != 400 {
			t.Fatalf("%d training labels, want the subset's 400", len(l))
		}
		n := 0
		for i := range l {
			if l[i] != trueTrain[i] {
				n++
			}
		}
		if !slices.Equal(slices.Sorted(slices.Values(l)), slices.Sorted(slices.Values(trueTrain[:400]))) {
			t.Error("training labels are not a permutation of the true ones")
		}
		return n
	}
	if n := moved(); n < 300 {
		t.Errorf("fraction 1 changed only %d of 400 labels", n)
	}
	shuffled := slices.Clone(tr.TrainSet().Labels)
	for step, c := range []struct {
		on       bool
		frac     float32
		min, max int
	}{
		{false, 1, 0, 0},
		{true, 0, 0, 0},
		{true, 0.5, 150, 200},
		{true, 1, 300, 400},
		{false, 0, 0, 0},
	} {
		if _, _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
		tr.SetShuffle(c.on, c.frac)
		if n := moved(); n < c.min || n > c.max {
			t.Errorf("case %d: SetShuffle(%v, %v) changed %d labels, want %d..%d", step, c.on, c.frac, n, c.min, c.max)
		}
		if c.on && c.frac == 1 && !slices.Equal(tr.TrainSet().Labels, shuffled) {
			t.Errorf("case %d: fraction 1 again gave different labels", step)
		}
		if !slices.Equal(train.Labels, trueTrain) || !slices.Equal(val.Labels, trueVal) || !slices.Equal(tr.ValSet().Labels, trueVal) {
			t.Fatalf("case %d: caller's or validation labels changed", step)
		}
	}
}

// fakeModel is a Snapshotter whose weights are set by the test.
type fakeModel struct{ w []float32 }

func (f *fakeModel) Weights(dst []float32) []float32 { return append(dst[:0], f.w...) }
func (f *fakeModel) SetWeights(th []float32) error   { f.w = slices.Clone(th); return nil }

func TestEarlyStoppingCurve(t *testing.T) {
	curve := []float64{2.0, 1.5, 1.2, 1.3, 1.19, 1.25, 1.4, 1.3, 1.6, 0.5}
	for i, c := range []struct {
		patience, stopAt, best int
	}{
		{1, 4, 3},
		{2, 7, 5},
		{3, 8, 5},
		{5, 10, 10},
		{0, 10, 10}, // never stops
	} {
		es := EarlyStopping{Patience: c.patience}
		m := &fakeModel{}
		stopped := 0
		for e, v := range curve {
			m.w = []float32{float32(e + 1), float32(v)}
			improved, stop := es.Observe(e+1, v, m)
			if want := e == 0 || v < slices.Min(curve[:e]); improved != want {
				t.Errorf("case %d epoch %d: improved %v", i, e+1, improved)
			}
			if stop {
				stopped = e + 1
				break
			}
		}
		if stopped == 0 {
			stopped = len(curve)
		}
		if stopped != c.stopAt {
			t.Errorf("case %d: stopped at epoch %d, want %d", i, stopped, c.stopAt)
		}
		m.w = []float32{-1, -1}
		if err := es.Restore(m); err != nil {
			t.Fatal(err)
		}
		if _, be := es.Best(); be != c.best || m.w[0] != float32(c.best) || m.w[1] != float32(curve[c.best-1]) {
			t.Errorf("case %d: restored %v (best epoch %d), want epoch %d", i, m.w, be, c.best)
		}
	}
}

// TestTrainerEarlyStopping memorises random labels so the validation loss
// rises, and checks that the run stops and ends with the best epoch's weights.
func TestTrainerEarlyStopping(t *testing.T) {
	train, val := synthData(200, 1), synthData(200, 2)
	cfg := testConfig()
	cfg.Model = Spec{Arch: ArchMLP, Hidden: []int{64}}
	cfg.Optim = OptimConfig{Kind: Adam}
	cfg.Schedule.LR0 = 0.003
	cfg.ShuffleFraction = 1
	cfg.Epochs = 60
	cfg.Patience = 3
	tr, err := NewTrainer(cfg, train, val)
	if err != nil {
		t.Fatal(err)
	}
	var best []float32
	var bestEpoch, epochs int
	err = tr.Run(context.Background(), nil, func(e EpochStats) {
		epochs = e.Epoch
		if e.Best {
			best, bestEpoch = tr.Model().Weights(best), e.Epoch
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if epochs >= 60 || epochs != bestEpoch+3 {
		t.Errorf("stopped after %d epochs, best %d, patience 3", epochs, bestEpoch)
	}
	if !slices.Equal(tr.Model().Weights(nil), best) {
		t.Error("the best weights were not restored")
	}
	if l, e := tr.Best(); e != bestEpoch || l <= 0 {
		t.Errorf("Best() = %v, %d", l, e)
	}
}

func TestTrainerDiverges(t *testing.T) {
	train := synthData(256, 1)
	cfg := testConfig()
	cfg.Optim = OptimConfig{Kind: SGD}
	cfg.Schedule.LR0 = 1e35
	tr, err := NewTrainer(cfg, train, Dataset{})
	if err != nil {
		t.Fatal(err)
	}
	before := tr.Model().Weights(nil)
	var failed error
	for range 20 {
		if _, _, failed = tr.Step(); failed != nil {
			break
		}
		before = tr.Model().Weights(before)
	}
	if failed == nil {
		t.Fatal("no error at learning rate 1e35")
	}
	if !slices.Equal(tr.Model().Weights(nil), before) {
		t.Error("weights changed by the failing step")
	}
	if _, _, err := tr.Step(); err == nil || tr.Err() == nil {
		t.Error("Step after a failure did not fail")
	}
}

// TestTrainerOverflowResume makes the first update overflow (an absurd L2
// strength), checks the initial weights survive, then resumes at a sane rate.
func TestTrainerOverflowResume(t *testing.T) {
	train := synthData(256, 1)
	cfg := testConfig()
	cfg.Optim = OptimConfig{Kind: SGD, L2: 1e30}
	cfg.Schedule.LR0 = 1e10
	tr, err := NewTrainer(cfg, train, Dataset{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tr.Step(); err == nil {
		t.Fatal("no error for an overflowing update")
	}
	if !slices.Equal(tr.Model().Weights(nil), tr.InitialWeights()) {
		t.Error("weights changed by the failing step")
	}
	if tr.Steps() != 0 || tr.batcher.Progress() != 0 {
		t.Errorf("failed step counted: %d steps, progress %v", tr.Steps(), tr.batcher.Progress())
	}
	if err := tr.Resume(Schedule{LR0: 1e-31}); err != nil {
		t.Fatal(err)
	}
	for s := range 8 {
		st, ep, err := tr.Step()
		if err != nil {
			t.Fatalf("step %d after Resume: %v", s, err)
		}
		if st.LR != 1e-31 || st.Step != s+1 {
			t.Errorf("step %d: %+v", s, st)
		}
		if (ep != nil) != (s == 7) {
			t.Errorf("step %d: epoch stats %v", s, ep)
		}
	}
}

func TestTrainerBadConfig(t *testing.T) {
	train, val := synthData(10, 1), synthData(5, 2)
	for i, edit := range []func(*Config){
		func(c *Config) { c.BatchSize = -1 },
		func(c *Config) { c.Epochs = -1 },
		func(c *Config) { c.Subset = 11 },
		func(c *Config) { c.Patience = -2 },
		func(c *Config) { c.ShuffleFraction = 1.5 },
		func(c *Config) { c.EvalSubset = -1 },
		func(c *Config) { c.Schedule.LR0 = 0 },
		func(c *Config) { c.Optim.Kind = "lbfgs" },
		func(c *Config) { c.Model.Arch = "rnn" },
		func(c *Config) {
			c.Model = Spec{Arch: ArchCNN, Conv1: ConvSpec{Kernel: 14, Stride: 1, Pad: 3}, Conv2: ConvSpec{Kernel: 14, Stride: 1}}
		},
	} {
		cfg := testConfig()
		edit(&cfg)
		if _, err := NewTrainer(cfg, train, val); err == nil {
			t.Errorf("case %d: %+v accepted", i, cfg)
		}
	}
	cfg := testConfig()
	cfg.Patience = 2
	if _, err := NewTrainer(cfg, train, Dataset{}); err == nil {
		t.Error("early stopping without a validation set accepted")
	}
	bad := train
	bad.Labels = []uint8{1, 2}
	if _, err := NewTrainer(testConfig(), bad, val); err == nil {
		t.Error("short labels accepted")
	}
}

func TestFlatness(t *testing.T) {
	train, val := synthData(500, 1), synthData(200, 2)
	tr, err := NewTrainer(testConfig(), train, val)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(context.Background(), nil, nil); err != nil {
		t.Fatal(err)
	}
	m := tr.Model()
	theta1 := m.Weights(nil)
	theta0 := tr.InitialWeights()
	var pts []FlatnessPoint
	alphas := []float64{-0.5, 0, 0.5, 1, 1.5}
	if err := Flatness(m, theta0, theta1, alphas, val.Head(100), func(p FlatnessPoint) { pts = append(pts, p) }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Weights(nil), theta1) {
		t.Error("weights not restored")
	}
	if len(pts) != len(alphas) {
		t.Fatalf("%d points", len(pts))
	}
	l1, a1 := Evaluate(m, val.Head(100), 0)
	m0, _ := Build(testConfig().Model, testConfig().Seed)
	l0, a0 := Evaluate(m0, val.Head(100), 0)
	for i, c := range []struct {
		at         int
		loss, errr float64
	}{{1, l0, 1 - a0}, {3, l1, 1 - a1}} {
		p := pts[c.at]
		if math.Abs(p.Loss-c.loss) > 1e-6 || math.Abs(p.Error-c.errr) > 1e-9 || p.Alpha != alphas[c.at] {
			t.Errorf("case %d: point %+v, want loss %v error %v", i, p, c.loss, c.errr)
		}
	}
	if !(pts[3].Loss < pts[2].Loss && pts[2].Loss < pts[1].Loss) {
		t.Errorf("loss does not fall from theta0 to theta1: %+v", pts)
	}
	for i, bad := range []func() error{
		func() error { return Flatness(m, theta0[:5], theta1, alphas, val, nil) },
		func() error { return Flatness(m, theta0, theta1, alphas, Dataset{}, nil) },
		func() error { return Flatness(m, theta0, theta1, []float64{math.NaN()}, val, nil) },
	} {
		if bad() == nil {
			t.Errorf("bad case %d accepted", i)
		}
	}
}

func TestAlphaGrid(t *testing.T) {
	g := AlphaGrid(-0.5, 1.5, 0.05, 1000)
	if len(g) != 41 || g[0] != -0.5 || g[10] != 0 || g[30] != 1 || g[40] != 1.5 || g[11] != 0.05 {
		t.Errorf("AlphaGrid(-0.5, 1.5, 0.05) = %v, want 41 points with 0 and 1 exact", g)
	}
	if g := AlphaGrid(-0.5, 1.5, 0.1, 1000); len(g) != 21 || g[5] != 0 || g[15] != 1 {
		t.Errorf("AlphaGrid(-0.5, 1.5, 0.1) = %v", g)
	}
	for _, c := range [][3]float64{{0, 1, 0}, {1, 0, 0.1}, {0, 1, -1}, {0, 1000, 0.5}, {0, 1, math.NaN()}} {
		if g := AlphaGrid(c[0], c[1], c[2], 1000); g != nil {
			t.Errorf("AlphaGrid%v = %v, want nil", c, g)
		}
	}
}
