package engine

import (
	"errors"
	"math"
	"slices"
	"testing"
)

func TestInputScalePixels(t *testing.T) {
	for _, c := range []struct {
		s    InputScale
		v    uint8
		want float64
	}{
		{InputRaw, 0, 0}, {InputRaw, 255, 255}, {InputRaw, 17, 17},
		{InputUnit, 0, 0}, {InputUnit, 255, 1}, {InputUnit, 51, 0.2},
		{InputStandard, 0, -0.1307 / 0.3081}, {"", 255, (1 - 0.1307) / 0.3081},
	} {
		if got := float64(c.s.Pixel(c.v)); math.Abs(got-c.want) > 1e-6 {
			t.Errorf("%q.Pixel(%d) = %v, want %v", c.s, c.v, got, c.want)
		}
	}
	d := Dataset{Images: make([]uint8, 2*imagePixels), Labels: []uint8{3, 9}, N: 2}
	d.Images[imagePixels+5] = 200
	x := make([]float32, imagePixels)
	y := make([]uint8, 1)
	d.BatchScaled(InputRaw, []int{1}, x, y)
	if x[5] != 200 || x[4] != 0 || y[0] != 9 {
		t.Errorf("BatchScaled raw: x[4], x[5] = %v, %v, label %d; want 0, 200, 9", x[4], x[5], y[0])
	}
}

func TestOptionErrors(t *testing.T) {
	train := synthData(20, 1)
	for _, c := range []struct {
		name   string
		mod    func(*Config)
		option string
	}{
		{"unknown input", func(c *Config) { c.Input = "negative" }, "input scale"},
		{"negative steps", func(c *Config) { c.StepsPerEpoch = -1 }, "steps per epoch"},
		{"negative eval period", func(c *Config) { c.EvalEvery = -2 }, "evaluation period"},
		{"eval period with early stopping", func(c *Config) { c.EvalEvery = 10; c.Patience = 2 }, "evaluation period"},
		{"unknown L2 form", func(c *Config) { c.Optim.L2Form = "l1" }, "L2 form"},
		{"negative batch", func(c *Config) { c.BatchSize = -1 }, "batch size"},
		{"negative epochs", func(c *Config) { c.Epochs = -1 }, "epochs"},
		{"negative subset", func(c *Config) { c.Subset = -5 }, "training subset"},
		{"negative patience", func(c *Config) { c.Patience = -1 }, "patience"},
		{"shuffle above 1", func(c *Config) { c.ShuffleFraction = 1.5 }, "shuffle fraction"},
		{"NaN shuffle", func(c *Config) { c.ShuffleFraction = float32(math.NaN()) }, "shuffle fraction"},
		{"negative eval subset", func(c *Config) { c.EvalSubset = -1 }, "evaluation subset"},
		{"zero learning rate", func(c *Config) { c.Schedule.LR0 = 0 }, "learning rate"},
		{"invt without tau", func(c *Config) { c.Schedule = Schedule{Kind: InvT, LR0: 0.1} }, "1/t schedule tau"},
		{"momentum 1", func(c *Config) { c.Optim = OptimConfig{Kind: Momentum, Momentum: 1} }, "momentum"},
		{"negative L2", func(c *Config) { c.Optim.L2 = -1 }, "L2 strength"},
		{"unknown optimizer", func(c *Config) { c.Optim.Kind = "rmsprop" }, "optimizer"},
	} {
		cfg := testConfig()
		c.mod(&cfg)
		// Validate and NewTrainer are one check: both refuse, with the same error.
		verr := cfg.Validate()
		_, err := NewTrainer(cfg, train, train)
		var oe *OptionError
		if !errors.As(err, &oe) || oe.Option != c.option {
			t.Errorf("%s: NewTrainer error %v, want an OptionError for %q", c.name, err, c.option)
		}
		if verr == nil || err == nil || verr.Error() != err.Error() {
			t.Errorf("%s: Validate error %v, NewTrainer error %v; want the same", c.name, verr, err)
		}
	}
}

// TestValidateAccepts checks the values whose meaning the playground and
// the engine once disagreed on: 0 epochs is "no limit", 0 batch is full
// batch, a zero step gamma is the default.
func TestValidateAccepts(t *testing.T) {
	train := synthData(20, 1)
	for _, mod := range []func(*Config){
		func(c *Config) { c.Epochs = 0 },
		func(c *Config) { c.BatchSize = 0 },
		func(c *Config) { c.Subset = 0; c.EvalSubset = 0 },
		func(c *Config) { c.Schedule = Schedule{Kind: StepDecay, LR0: 0.1, Every: 3} },
	} {
		cfg := testConfig()
		mod(&cfg)
		if err := cfg.Validate(); err != nil {
			t.Errorf("%+v: Validate: %v", cfg, err)
		}
		if _, err := NewTrainer(cfg, train, train); err != nil {
			t.Errorf("%+v: NewTrainer: %v", cfg, err)
		}
	}
	// A subset larger than the data is the one count only NewTrainer can see.
	cfg := testConfig()
	cfg.Subset = train.N + 1
	var oe *OptionError
	if _, err := NewTrainer(cfg, train, train); !errors.As(err, &oe) || oe.Option != "training subset" {
		t.Errorf("subset %d of %d: %v, want an OptionError", cfg.Subset, train.N, err)
	}
}

// TestOneBatchPerEpoch checks StepsPerEpoch 1: each epoch is one step on
// BatchSize distinct examples, the remainder of a pass is skipped, and the
// epoch's TrainLoss is that batch's loss before the update while
// TrainEvalLoss is the whole training set's after it.
func TestOneBatchPerEpoch(t *testing.T) {
	train := synthData(10, 3)
	cfg := testConfig()
	cfg.Input = InputRaw
	cfg.Optim = OptimConfig{Kind: SGD}
	cfg.Schedule = Schedule{LR0: 1e-4}
	cfg.BatchSize, cfg.Epochs, cfg.StepsPerEpoch, cfg.EvalTrain = 4, 7, 1, true
	tr, err := NewTrainer(cfg, train, train)
	if err != nil {
		t.Fatal(err)
	}
	ev := evaluator{pixels: &rawTable}
	for ep := 1; ep <= cfg.Epochs; ep++ {
		before := tr.Model().Weights(nil)
		st, e, err := tr.Step()
		if err != nil {
			t.Fatal(err)
		}
		if e == nil || e.Epoch != ep || st.Step != ep || st.Epoch != float64(ep) {
			t.Fatalf("step %d: epoch stats %+v, step stats %+v; want epoch %d after one step", ep, e, st, ep)
		}
		// The batch just trained is the last BatchSize indices dealt.
		idx := tr.batcher.perm[tr.batcher.pos-cfg.BatchSize : tr.batcher.pos]
		if len(idx) != 4 || len(uniq(idx)) != 4 {
			t.Fatalf("epoch %d: batch %v, want 4 distinct examples", ep, idx)
		}
		after := tr.Model().Weights(nil)
		if err := tr.Model().SetWeights(before); err != nil {
			t.Fatal(err)
		}
		sub := Dataset{Images: make([]uint8, 4*imagePixels), Labels: make([]uint8, 4), N: 4}
		for i, j := range idx {
			copy(sub.Images[i*imagePixels:], train.Images[j*imagePixels:(j+1)*imagePixels])
			sub.Labels[i] = train.Labels[j]
		}
		pre, _ := ev.evaluate(tr.Model(), sub, 0)
		if err := tr.Model().SetWeights(after); err != nil {
			t.Fatal(err)
		}
		post, postAcc := ev.evaluate(tr.Model(), train, 0)
		if math.Abs(e.TrainLoss-pre) > 1e-5*math.Abs(pre) {
			t.Errorf("epoch %d: TrainLoss %v, want the batch's loss before the update %v", ep, e.TrainLoss, pre)
		}
		if math.Abs(e.TrainEvalLoss-post) > 1e-9 || e.TrainEvalAcc != postAcc {
			t.Errorf("epoch %d: TrainEval %v/%v, want the training set after the update %v/%v", ep, e.TrainEvalLoss, e.TrainEvalAcc, post, postAcc)
		}
	}
	if !tr.Done() || tr.Steps() != 7 || tr.StepsPerEpoch() != 1 {
		t.Errorf("done %v after %d steps (%d per epoch), want done after 7 (1)", tr.Done(), tr.Steps(), tr.StepsPerEpoch())
	}
	// 10 examples in batches of 4: two batches per pass, the remaining 2
	// skipped, so 7 steps make 3 passes and a half.
	if got := tr.batcher.Epoch(); got != 3 {
		t.Errorf("batcher finished %d passes, want 3", got)
	}
}

func uniq(v []int) []int {
	s := slices.Clone(v)
	slices.Sort(s)
	return slices.Compact(s)
}

func TestFullBatchOneStepPerEpoch(t *testing.T) {
	train := synthData(50, 4)
	cfg := testConfig()
	cfg.BatchSize, cfg.Epochs, cfg.StepsPerEpoch = 0, 5, 1
	tr, err := NewTrainer(cfg, train, Dataset{})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(t.Context(), nil, nil); err != nil {
		t.Fatal(err)
	}
	if tr.Steps() != 5 || tr.Epoch() != 5 {
		t.Errorf("%d steps in %d epochs, want 5 in 5", tr.Steps(), tr.Epoch())
	}
}

func TestEvalEvery(t *testing.T) {
	train := synthData(40, 5)
	cfg := testConfig()
	cfg.BatchSize, cfg.Epochs, cfg.StepsPerEpoch, cfg.EvalEvery, cfg.EvalTrain = 8, 10, 1, 3, true
	tr, err := NewTrainer(cfg, train, train)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	err = tr.Run(t.Context(), nil, func(e EpochStats) {
		if e.Unevaluated {
			if e.ValLoss != 0 || e.TrainEvalLoss != 0 {
				t.Errorf("epoch %d: unevaluated but has numbers %+v", e.Epoch, e)
			}
			return
		}
		if e.ValLoss == 0 || e.TrainEvalLoss == 0 {
			t.Errorf("epoch %d: evaluated but empty %+v", e.Epoch, e)
		}
		got = append(got, e.Epoch)
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{3, 6, 9, 10}; !slices.Equal(got, want) {
		t.Errorf("evaluated epochs %v, want %v", got, want)
	}
}

// TestL2Forms checks both L2 forms against hand-computed SGD steps with a
// zero data gradient: w -= lr·c·w with c = lambda on weights only (decay)
// or c = 2·lambda on weights and biases (norm).
func TestL2Forms(t *testing.T) {
	for _, c := range []struct {
		form     L2Form
		wantW    []float32
		wantBias float32
	}{
		{L2WeightDecay, []float32{0.95, -1.9}, 0.5},
		{"", []float32{0.95, -1.9}, 0.5},
		{L2SquaredNorm, []float32{0.9, -1.8}, 0.45},
	} {
		w := &Param{Name: "w", W: []float32{1, -2}, G: make([]float32, 2), Decay: true}
		b := &Param{Name: "b", W: []float32{0.5}, G: make([]float32, 1)}
		for _, kind := range []OptimKind{SGD, Momentum} {
			w.W[0], w.W[1], b.W[0] = 1, -2, 0.5
			opt, err := NewOptimizer(OptimConfig{Kind: kind, L2: 0.5, L2Form: c.form})
			if err != nil {
				t.Fatal(err)
			}
			opt.Step([]*Param{w, b}, 0.1)
			for i := range w.W {
				if math.Abs(float64(w.W[i]-c.wantW[i])) > 1e-6 {
					t.Errorf("%s %q: w = %v, want %v", kind, c.form, w.W, c.wantW)
				}
			}
			if math.Abs(float64(b.W[0]-c.wantBias)) > 1e-6 {
				t.Errorf("%s %q: bias = %v, want %v", kind, c.form, b.W[0], c.wantBias)
			}
		}
	}
}

// TestReportMLPInit checks that the 784-300-100-10 MLP starts from
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases alike.
func TestReportMLPInit(t *testing.T) {
	m, err := Build(Spec{Arch: ArchMLP, Hidden: []int{300, 100}}, 7)
	if err != nil {
		t.Fatal(err)
	}
	fanIn := map[string]int{"fc1": 784, "fc2": 300, "fc3": 100}
	for _, p := range m.Params() {
		layer := p.Name[:3]
		bound := 1 / math.Sqrt(float64(fanIn[layer]))
		lo, hi := 0.0, 0.0
		for _, v := range p.W {
			lo, hi = min(lo, float64(v)), max(hi, float64(v))
		}
		if hi > bound || lo < -bound {
			t.Errorf("%s: values in [%.4f, %.4f], want U(±%.4f)", p.Name, lo, hi, bound)
		}
		// n >= 10 uniform draws reach beyond half the bound on each side
		// with probability above 1 - 2·2^-10; 1000 draws beyond 0.99 of it
		// with probability above 1 - 2·e^-5.
		near := 0.5
		if len(p.W) >= 1000 {
			near = 0.99
		}
		if hi < near*bound || lo > -near*bound {
			t.Errorf("%s: values in [%.4f, %.4f], want their extremes near ±%.4f", p.Name, lo, hi, bound)
		}
	}
}
