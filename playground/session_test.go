package playground

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"mnistplay/engine"
	"mnistplay/engine/mnist"
	"mnistplay/wire"
	"mnistplay/wire/wiretest"
)

// synth returns n images where class c is a bright 6x6 block at one of ten
// places plus noise: easy to learn, so a few epochs reach high accuracy.
func synth(n int, seed uint64) mnist.Set {
	rng := rand.New(rand.NewPCG(seed, 1))
	s := mnist.Set{Images: make([]uint8, n*mnist.ImageSize), Labels: make([]uint8, n), N: n}
	for i := 0; i < n; i++ {
		c := rng.IntN(10)
		s.Labels[i] = uint8(c)
		img := s.Images[i*mnist.ImageSize : (i+1)*mnist.ImageSize]
		for p := range img {
			img[p] = uint8(rng.IntN(40))
		}
		y0, x0 := 2+(c/5)*14, 1+(c%5)*5
		for y := y0; y < y0+6; y++ {
			for x := x0; x < x0+4; x++ {
				img[y*28+x] = 200 + uint8(rng.IntN(55))
			}
		}
	}
	return s
}

// recorder collects events; clock advances by tick on every Now call.
type recorder struct {
	events []wire.Event
	now    time.Time
	tick   time.Duration
}

func (r *recorder) emit(e wire.Event) { r.events = append(r.events, e) }
func (r *recorder) clock() time.Time {
	r.now = r.now.Add(r.tick)
	return r.now
}

func (r *recorder) of(typ string) []wire.Event {
	var out []wire.Event
	for _, e := range r.events {
		if e.Type() == typ {
			out = append(out, e)
		}
	}
	return out
}

func (r *recorder) errors() []wire.ErrorEvent {
	var out []wire.ErrorEvent
	for _, e := range r.of("error") {
		out = append(out, e.(wire.ErrorEvent))
	}
	return out
}

func (r *recorder) lastState() string {
	st := r.of("state")
	if len(st) == 0 {
		return ""
	}
	return st[len(st)-1].(wire.StateEvent).State
}

func (r *recorder) steps() []wire.StepPoint {
	var out []wire.StepPoint
	for _, e := range r.of("steps") {
		out = append(out, e.(wire.StepsEvent).Steps...)
	}
	return out
}

func newTestSession(tick time.Duration) (*Session, *recorder) {
	r := &recorder{now: time.Unix(1e9, 0), tick: tick}
	s := NewSession(r.emit, Options{Now: r.clock, Seed: 3})
	return s, r
}

func mlpConfig() engine.Config {
	return engine.Config{
		Model:     engine.Spec{Arch: engine.ArchMLP, Hidden: []int{32}},
		Optim:     engine.OptimConfig{Kind: engine.Momentum, Momentum: 0.9},
		Schedule:  engine.Schedule{Kind: engine.Constant, LR0: 0.05},
		BatchSize: 32,
		Epochs:    3,
		Seed:      1,
	}
}

func configure(t *testing.T, s *Session, cfg engine.Config) {
	t.Helper()
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.Handle(wire.ConfigureCmd{Config: b})
}

// runUntil calls RunFor until the session is idle or calls run out.
// startSynth gives s nTrain synthetic training examples (seed 1) and nTest
// test examples (seed 2), configures it with cfg and starts it.
func startSynth(t *testing.T, s *Session, cfg engine.Config, nTrain, nTest int) {
	t.Helper()
	s.AddPiece(synth(nTrain, 1), synth(nTest, 2))
	configure(t, s, cfg)
	s.Handle(wire.StartCmd{})
}

func runUntil(s *Session, calls int, stop func() bool) {
	for i := 0; i < calls && s.Busy(); i++ {
		s.RunFor(40 * time.Millisecond)
		if stop != nil && stop() {
			return
		}
	}
}

func TestConfigureArch(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	b, _ := json.Marshal(DefaultConfig())
	s.Handle(wire.ConfigureCmd{Config: b})
	if errs := r.errors(); len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	arch := r.of("arch")
	if len(arch) != 1 {
		t.Fatalf("%d arch events, want 1", len(arch))
	}
	a := arch[0].(wire.ArchEvent)
	if a.Params != 38390 {
		t.Errorf("params %d, want 38390 (the report's CNN)", a.Params)
	}
	want := map[string][3]int{"conv1": {10, 24, 24}, "pool1": {10, 12, 12}, "conv2": {20, 8, 8}, "pool2": {20, 4, 4}}
	seen := 0
	for _, l := range a.Layers {
		if w, ok := want[l.Name]; ok {
			seen++
			if l.Shape != w {
				t.Errorf("%s shape %v, want %v", l.Name, l.Shape, w)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("found %d of the layers %v in %+v", seen, want, a.Layers)
	}
	if st := r.lastState(); st != wire.StateIdle {
		t.Errorf("state %q, want idle", st)
	}
	if w := r.of("weights"); len(w) != 1 || len(w[0].(wire.WeightsEvent).Data) != 38390 {
		t.Errorf("weights events %d, want one of 38390 values", len(w))
	}
}

func TestConfigErrors(t *testing.T) {
	impossible := engine.DefaultCNN()
	impossible.Conv2 = engine.ConvSpec{Kernel: 14, Stride: 1, Pad: 0}
	verr := impossible.Validate()
	if verr == nil {
		t.Fatal("conv2 14x14 after 12x12 should be impossible")
	}
	base := mlpConfig()
	mod := func(f func(*engine.Config)) string {
		c := base
		f(&c)
		b, _ := json.Marshal(c)
		return string(b)
	}
	for i, tc := range []struct {
		raw  string
		want string // substring of the message
	}{
		{`{"model":{"arch":"mlp"},"bogus":1}`, `unknown setting "bogus"`},
		{`{"model":`, "the settings are cut short"},
		{mod(func(c *engine.Config) { c.Epochs = -1 }), "epochs -1"},
		{mod(func(c *engine.Config) { c.BatchSize = -1 }), "batch size -1"},
		{mod(func(c *engine.Config) { c.Schedule.LR0 = 0 }), "learning rate 0"},
		{mod(func(c *engine.Config) { c.Optim.L2 = -1 }), "L2 strength -1"},
		{mod(func(c *engine.Config) { c.ShuffleFraction = 2 }), "shuffle fraction 2"},
		{mod(func(c *engine.Config) { c.Optim.Kind = "rmsprop" }), "rmsprop"},
		{mod(func(c *engine.Config) { c.Model = impossible }), verr.Error()},
		{mod(func(c *engine.Config) { c.Model = engine.Spec{Arch: "mlp", Hidden: []int{0}} }), "fc1"},
	} {
		s, r := newTestSession(time.Millisecond)
		startSynth(t, s, base, 100, 50)
		s.RunFor(10 * time.Millisecond)
		before := s.Step()
		s.Handle(wire.ConfigureCmd{Config: json.RawMessage(tc.raw)})
		errs := r.errors()
		if len(errs) != 1 {
			t.Errorf("case %d: %d errors %v, want 1", i, len(errs), errs)
			continue
		}
		if errs[0].Kind != wire.KindConfig || !strings.Contains(errs[0].Message, tc.want) {
			t.Errorf("case %d: error %+v, want kind config containing %q", i, errs[0], tc.want)
		}
		// The run goes on after the error.
		if s.State() != wire.StateRunning {
			t.Errorf("case %d: state %q after a bad configure, want running", i, s.State())
		}
		s.RunFor(10 * time.Millisecond)
		if s.Step() <= before {
			t.Errorf("case %d: step %d after a bad configure, want more than %d", i, s.Step(), before)
		}
	}
	// A bad configure then start (what the page sends) must not train anything.
	s, r := newTestSession(time.Millisecond)
	s.AddPiece(synth(100, 1), synth(50, 2))
	s.Handle(wire.ConfigureCmd{Config: json.RawMessage(mod(func(c *engine.Config) { c.Model = impossible }))})
	s.Handle(wire.StartCmd{})
	s.Handle(wire.StepCmd{})
	s.RunFor(10 * time.Millisecond)
	if s.Step() != 0 || s.State() == wire.StateRunning || len(r.errors()) != 3 {
		t.Errorf("bad configure + start: step %d state %q errors %v", s.Step(), s.State(), r.errors())
	}
	configure(t, s, base)
	s.Handle(wire.StartCmd{})
	s.RunFor(10 * time.Millisecond)
	if s.Step() == 0 {
		t.Error("a good configure after a bad one does not train")
	}
}

func TestStartBeforeDataThenTrains(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	cfg := mlpConfig()
	cfg.EvalSubset = 100
	configure(t, s, cfg)
	s.Handle(wire.StartCmd{})
	if s.State() != wire.StateRunning {
		t.Fatalf("state %q, want running", s.State())
	}
	s.RunFor(40 * time.Millisecond)
	if s.Step() != 0 {
		t.Fatalf("trained %d steps without data", s.Step())
	}
	s.Progress(10, 100)
	s.Progress(100, 100)
	if p := r.of("progress"); len(p) != 2 || p[1].(wire.ProgressEvent).Loaded != 100 {
		t.Errorf("progress events %v", p)
	}
	s.AddPiece(synth(600, 1), synth(200, 2))
	if rd := r.of("ready"); len(rd) != 1 || rd[0].(wire.ReadyEvent).Train != 600 || rd[0].(wire.ReadyEvent).Test != 200 {
		t.Fatalf("ready events %v", rd)
	}
	runUntil(s, 10000, nil)
	if s.State() != wire.StateDone {
		t.Fatalf("state %q, want done; errors %v", s.State(), r.errors())
	}
	eps := r.of("epoch")
	if len(eps) != 3 {
		t.Fatalf("%d epoch events, want 3", len(eps))
	}
	last := eps[2].(wire.EpochEvent)
	if last.ValAcc < 0.9 || last.TrainAcc < 0.9 {
		t.Errorf("after 3 epochs train acc %.3f, val acc %.3f; want > 0.9", last.TrainAcc, last.ValAcc)
	}
	// Every step reported once, in order, with the epoch growing.
	steps := r.steps()
	if want := 3 * 19; len(steps) != want { // ceil(600/32) = 19 steps per epoch
		t.Errorf("%d steps reported, want %d", len(steps), want)
	}
	for i, p := range steps {
		if p.Step != i+1 {
			t.Fatalf("step %d reported as %d", i+1, p.Step)
		}
		if i > 0 && p.Epoch <= steps[i-1].Epoch {
			t.Fatalf("epoch %v at step %d after %v", p.Epoch, p.Step, steps[i-1].Epoch)
		}
	}
	if steps[len(steps)-1].ExamplesPerSec <= 0 {
		t.Errorf("throughput %v, want > 0", steps[len(steps)-1].ExamplesPerSec)
	}
	if s.Busy() {
		t.Error("busy after done")
	}
}

func TestThrottle(t *testing.T) {
	s, r := newTestSession(2 * time.Millisecond) // every Now() call: 2 ms
	cfg := mlpConfig()
	cfg.Epochs = 1000
	startSynth(t, s, cfg, 2000, 100)
	start := r.now
	r.events = nil
	for i := 0; i < 50; i++ {
		s.RunFor(40 * time.Millisecond)
	}
	elapsed := r.now.Sub(start)
	nSteps := len(r.of("steps"))
	nWeights := len(r.of("weights"))
	// At most one steps event per 50 ms and one weights snapshot per 250 ms,
	// plus those at epoch ends.
	epochs := len(r.of("epoch"))
	if max := int(elapsed/(50*time.Millisecond)) + epochs + 1; nSteps > max || nSteps == 0 {
		t.Errorf("%d steps events in %v (%d epochs), want 1..%d", nSteps, elapsed, epochs, max)
	}
	if max := int(elapsed/(250*time.Millisecond)) + epochs + 1; nWeights > max || nWeights == 0 {
		t.Errorf("%d weights events in %v, want 1..%d", nWeights, elapsed, max)
	}
	s.Handle(wire.PauseCmd{})
	if got := len(r.steps()); got != s.Step() {
		t.Errorf("%d steps reported for %d taken", got, s.Step())
	}
	// Budget respected: 50 slices of 40 ms plus at most one step each.
	if elapsed > 50*50*time.Millisecond {
		t.Errorf("50 RunFor(40ms) took %v", elapsed)
	}
}

func TestPauseResumeStep(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	cfg := mlpConfig()
	cfg.Epochs = 100
	startSynth(t, s, cfg, 500, 100)
	s.RunFor(20 * time.Millisecond)
	s.Handle(wire.PauseCmd{})
	paused := s.Step()
	if paused == 0 || s.State() != wire.StatePaused {
		t.Fatalf("step %d state %q after a slice and pause", paused, s.State())
	}
	if s.Busy() {
		t.Error("busy while paused")
	}
	s.RunFor(20 * time.Millisecond)
	if s.Step() != paused {
		t.Errorf("step %d while paused at %d", s.Step(), paused)
	}
	s.Handle(wire.StepCmd{})
	if s.Step() != paused+1 {
		t.Errorf("step command: step %d, want %d", s.Step(), paused+1)
	}
	s.Handle(wire.StartCmd{})
	s.RunFor(20 * time.Millisecond)
	if s.Step() <= paused+1 {
		t.Errorf("resumed run at step %d, want > %d", s.Step(), paused+1)
	}
	// Steps continue the same run: numbers strictly increase, none repeats.
	steps := r.steps()
	for i := 1; i < len(steps); i++ {
		if steps[i].Step != steps[i-1].Step+1 {
			t.Fatalf("step %d follows %d", steps[i].Step, steps[i-1].Step)
		}
	}
	s.Handle(wire.ResetCmd{})
	if s.Step() != 0 || s.State() != wire.StateIdle {
		t.Errorf("after reset step %d state %q", s.Step(), s.State())
	}
}

func TestDiverged(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	cfg := mlpConfig()
	cfg.Schedule.LR0 = 1e30
	cfg.Optim = engine.OptimConfig{Kind: engine.SGD}
	startSynth(t, s, cfg, 500, 100)
	runUntil(s, 100, nil)
	if s.State() != wire.StateDiverged {
		t.Fatalf("state %q, want diverged", s.State())
	}
	errs := r.errors()
	if len(errs) != 1 || errs[0].Kind != wire.KindDiverged {
		t.Fatalf("errors %+v, want one diverged", errs)
	}
	msg := errs[0].Message
	if !strings.HasPrefix(msg, "training diverged at step ") || !strings.HasSuffix(msg, "; lower the learning rate") {
		t.Errorf("message %q", msg)
	}
	for _, p := range r.steps() {
		if math.IsNaN(p.Loss) || math.IsInf(p.Loss, 0) {
			t.Errorf("step %d reported a non-finite loss %v", p.Step, p.Loss)
		}
	}
	if s.Busy() {
		t.Error("busy after diverging")
	}
	s.Handle(wire.StartCmd{})
	if len(r.errors()) != 2 || s.State() != wire.StateDiverged {
		t.Errorf("start after divergence: errors %v state %q", r.errors(), s.State())
	}
	// A new configuration with a sane rate trains again.
	configure(t, s, mlpConfig())
	s.Handle(wire.StartCmd{})
	s.RunFor(20 * time.Millisecond)
	if s.State() != wire.StateRunning || s.Step() == 0 {
		t.Errorf("state %q step %d after reconfiguring", s.State(), s.Step())
	}
}

func TestShuffleLive(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	cfg := mlpConfig()
	cfg.Epochs = 100
	startSynth(t, s, cfg, 500, 100)
	s.RunFor(20 * time.Millisecond)
	before := s.Step()
	epochBefore := s.epochNow
	s.Handle(wire.ShuffleCmd{On: true, Fraction: 1})
	if len(r.of("shuffle")) != 0 {
		t.Fatal("shuffle echoed before it took effect")
	}
	s.RunFor(20 * time.Millisecond)
	sh := r.of("shuffle")
	if len(sh) != 1 {
		t.Fatalf("%d shuffle events, want 1", len(sh))
	}
	e := sh[0].(wire.ShuffleEvent)
	if !e.On || e.Fraction != 1 || e.Step != before || e.Epoch != epochBefore {
		t.Errorf("shuffle event %+v, want on, fraction 1 at step %d epoch %v", e, before, epochBefore)
	}
	if on, f := s.Trainer().Shuffled(); !on || f != 1 {
		t.Errorf("trainer shuffle %v %v", on, f)
	}
	// Shuffled labels differ from the true ones for most examples.
	lab := s.Trainer().TrainSet().Labels
	same := 0
	for i := range lab {
		if lab[i] == s.train.Labels[i] {
			same++
		}
	}
	if same > len(lab)/4 {
		t.Errorf("%d of %d labels unchanged with fraction 1", same, len(lab))
	}
	s.Handle(wire.ShuffleCmd{On: false, Fraction: 1})
	s.RunFor(20 * time.Millisecond)
	if sh := r.of("shuffle"); len(sh) != 2 || sh[1].(wire.ShuffleEvent).On {
		t.Errorf("shuffle events %v, want a second one turning it off", sh)
	}
	s.Handle(wire.ShuffleCmd{On: true, Fraction: 1.5})
	if errs := r.errors(); len(errs) != 1 || errs[0].Kind != wire.KindConfig {
		t.Errorf("fraction 1.5: errors %v", errs)
	}
}

func TestFlatness(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	cfg := mlpConfig()
	startSynth(t, s, cfg, 600, 300)
	runUntil(s, 10000, nil)
	alphas := []float64{-0.5, 0, 0.5, 1, 1.5}
	s.Handle(wire.FlatnessCmd{Alphas: alphas, EvalSubset: 200})
	for i := 0; i < len(alphas); i++ {
		if !s.Busy() {
			t.Fatalf("not busy with %d of %d points done", i, len(alphas))
		}
		s.RunFor(time.Millisecond)
		if got := len(r.of("flatness")); got != i+1 {
			t.Fatalf("after %d slices %d points, want one per slice", i+1, got)
		}
	}
	pts := r.of("flatness")
	best := 0
	for i, e := range pts {
		p := e.(wire.FlatnessEvent)
		if p.Index != i || p.Count != len(alphas) || p.Alpha != alphas[i] {
			t.Errorf("point %d: %+v", i, p)
		}
		if p.Loss < pts[best].(wire.FlatnessEvent).Loss {
			best = i
		}
	}
	// On this easy, separable data the loss may go on falling beyond alpha
	// 1; on [-0.5, 1] the trained end is the lowest.
	if best < 3 {
		t.Errorf("lowest loss at alpha %v, want >= 1", alphas[best])
	}
	if e := pts[3].(wire.FlatnessEvent).Error; e > 0.1 {
		t.Errorf("error at alpha 1 is %v, want < 0.1", e)
	}
	if e := pts[1].(wire.FlatnessEvent).Error; e < 0.5 {
		t.Errorf("error at alpha 0 (initial weights) is %v, want > 0.5", e)
	}
	s.Handle(wire.FlatnessCmd{Alphas: []float64{math.NaN()}})
	if errs := r.errors(); len(errs) != 1 {
		t.Errorf("NaN alpha: errors %v", errs)
	}
}

func TestFlatnessInterleavesWithTraining(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	cfg := mlpConfig()
	cfg.Epochs = 100
	startSynth(t, s, cfg, 600, 300)
	s.RunFor(20 * time.Millisecond)
	s.Handle(wire.FlatnessCmd{Alphas: []float64{0, 1}})
	before := s.Step()
	s.RunFor(20 * time.Millisecond)
	if len(r.of("flatness")) != 1 || s.Step() <= before {
		t.Errorf("one slice: %d points and step %d (was %d); want a point and training", len(r.of("flatness")), s.Step(), before)
	}
}

func TestSampleConfusion(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	s.Handle(wire.SampleCmd{})
	if errs := r.errors(); len(errs) != 1 || errs[0].Kind != wire.KindData {
		t.Errorf("sample without data: %v", errs)
	}
	test := synth(1500, 2)
	s.AddPiece(synth(600, 1), test)
	s.Handle(wire.SampleCmd{})
	sm := r.of("sample")
	if len(sm) != 1 {
		t.Fatalf("%d sample events", len(sm))
	}
	e := sm[0].(wire.SampleEvent)
	if len(e.Image) != 784 || e.Label != int(test.Labels[e.Index]) || e.Image[300] != test.Images[e.Index*784+300] {
		t.Errorf("sample %d label %d, image of %d bytes", e.Index, e.Label, len(e.Image))
	}
	configure(t, s, mlpConfig())
	s.Handle(wire.StartCmd{})
	runUntil(s, 10000, nil)
	s.Handle(wire.ConfusionCmd{})
	slices := 0
	for s.Busy() {
		s.RunFor(time.Millisecond)
		slices++
	}
	if slices != 2 { // 1500 images, 1000 per slice
		t.Errorf("confusion took %d slices, want 2", slices)
	}
	cf := r.of("confusion")
	if len(cf) != 1 {
		t.Fatalf("%d confusion events", len(cf))
	}
	c := cf[0].(wire.ConfusionEvent)
	total, diag := 0, 0
	for i, v := range c.Matrix {
		total += v
		if i/10 == i%10 {
			diag += v
		}
	}
	if total != 1500 || c.N != 1500 {
		t.Errorf("matrix sums to %d, N %d, want 1500", total, c.N)
	}
	if float64(diag)/1500 != c.Acc || c.Acc < 0.9 {
		t.Errorf("diagonal %d, acc %v", diag, c.Acc)
	}
	for i, w := range c.Worst {
		if w.Label == w.Pred || len(w.Image) != 784 || (i > 0 && w.Prob > c.Worst[i-1].Prob) {
			t.Errorf("worst %d: %+v", i, w)
		}
	}
}

func TestDataError(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	configure(t, s, mlpConfig())
	msg := "mnist pack: checksum mismatch in piece 0: got 1234, want 5678"
	s.DataError(errors.New(msg))
	errs := r.errors()
	if len(errs) != 1 || errs[0].Message != msg || errs[0].Kind != wire.KindData {
		t.Fatalf("errors %+v", errs)
	}
	s.Handle(wire.StartCmd{})
	if errs := r.errors(); len(errs) != 2 || errs[1].Kind != wire.KindData || !strings.Contains(errs[1].Message, msg) {
		t.Errorf("start after data error: %+v", errs)
	}
}

func TestDataExtension(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	cfg := mlpConfig()
	cfg.Epochs = 5
	s.AddPiece(synth(200, 1), synth(100, 2))
	configure(t, s, cfg)
	// Not stepped yet: the trainer is rebuilt at once.
	s.AddPiece(synth(100, 3), mnist.Set{})
	if n := s.Trainer().TrainSet().N; n != 300 {
		t.Fatalf("trainer has %d examples, want 300", n)
	}
	s.Handle(wire.StartCmd{})
	s.RunFor(5 * time.Millisecond)
	mid := s.Step()
	if mid == 0 || mid >= 10 {
		t.Fatalf("step %d, want inside the first epoch (10 steps)", mid)
	}
	s.AddPiece(synth(300, 4), synth(100, 5))
	if n := s.Trainer().TrainSet().N; n != 300 {
		t.Errorf("trainer grew mid-epoch to %d", n)
	}
	runUntil(s, 10000, nil)
	if n := s.Trainer().TrainSet().N; n != 600 {
		t.Errorf("trainer has %d examples after an epoch end, want 600", n)
	}
	if s.State() != wire.StateDone {
		t.Errorf("state %q", s.State())
	}
	eps := r.of("epoch")
	if len(eps) != 5 {
		t.Fatalf("%d epochs, want 5", len(eps))
	}
	for i, e := range eps {
		if e.(wire.EpochEvent).Epoch != i+1 {
			t.Errorf("epoch event %d says %d", i, e.(wire.EpochEvent).Epoch)
		}
	}
	// 10 steps of 300 examples, then 4 epochs of 19 steps of 600.
	if want := 10 + 4*19; s.Step() != want {
		t.Errorf("%d steps, want %d", s.Step(), want)
	}
	steps := r.steps()
	for i := 1; i < len(steps); i++ {
		if steps[i].Step != steps[i-1].Step+1 || steps[i].Epoch <= steps[i-1].Epoch {
			t.Fatalf("step %+v follows %+v", steps[i], steps[i-1])
		}
	}
	// A subset the first piece already covers does not grow.
	s2, _ := newTestSession(time.Millisecond)
	cfg.Subset = 150
	s2.AddPiece(synth(200, 1), synth(100, 2))
	configure(t, s2, cfg)
	s2.AddPiece(synth(300, 4), mnist.Set{})
	if n := s2.Trainer().TrainSet().N; n != 150 {
		t.Errorf("subset 150: trainer has %d", n)
	}
}

func TestWeightsRoundTrip(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	s.AddPiece(synth(300, 1), synth(100, 2))
	configure(t, s, mlpConfig())
	s.Handle(wire.StepCmd{})
	s.Handle(wire.GetWeightsCmd{ID: 1})
	mb := r.of("modelBytes")
	if len(mb) != 1 {
		t.Fatalf("%d modelBytes events", len(mb))
	}
	b := mb[0].(wire.ModelBytesEvent).Bytes
	want := s.Trainer().Model().Weights(nil)

	s2, r2 := newTestSession(time.Millisecond)
	s2.AddPiece(synth(300, 1), synth(100, 2))
	configure(t, s2, DefaultConfig())
	bad := append([]byte(nil), b...)
	bad[len(bad)/2] ^= 0xff
	s2.Handle(wire.LoadWeightsCmd{Bytes: bad})
	if errs := r2.errors(); len(errs) != 1 || errs[0].Kind != wire.KindWeights || !strings.HasPrefix(errs[0].Message, "weights file: ") {
		t.Fatalf("corrupt weights: errors %+v", errs)
	}
	s2.Handle(wire.LoadWeightsCmd{Bytes: b})
	if errs := r2.errors(); len(errs) != 1 {
		t.Fatalf("good weights: errors %+v", errs[1:])
	}
	got := s2.Trainer().Model().Weights(nil)
	if len(got) != len(want) {
		t.Fatalf("%d weights loaded, want %d (the MLP's)", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("weight %d: %v, want %v", i, got[i], want[i])
		}
	}
	arch := r2.of("arch")
	if a := arch[len(arch)-1].(wire.ArchEvent); a.Spec.Arch != engine.ArchMLP {
		t.Errorf("arch after load: %+v", a.Spec)
	}
}

func TestUnknownCommand(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	s.HandleObject(map[string]any{"cmd": "fly"})
	s.HandleObject(map[string]any{"cmd": "shuffle", "fraction": "half"})
	s.HandleObject(map[string]any{"type": "steps"})
	if errs := r.errors(); len(errs) != 3 || errs[0].Kind != wire.KindInternal || !strings.Contains(errs[1].Message, "fraction") {
		t.Errorf("errors %+v", errs)
	}
}

// checkValue reports a value the js/wasm main could not convert.
func checkValue(t *testing.T, where string, v any) {
	t.Helper()
	switch x := v.(type) {
	case bool, int, float64, string, []float32, []uint8, nil:
	case []any:
		for i, e := range x {
			checkValue(t, where+"["+string(rune('0'+i%10))+"]", e)
		}
	case map[string]any:
		for k, e := range x {
			checkValue(t, where+"."+k, e)
		}
	default:
		t.Errorf("%s: value of type %T", where, v)
	}
}

func TestEventObjects(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	s.Progress(5, 10)
	s.AddPiece(synth(300, 1), synth(1000, 2))
	s.DataComplete()
	configure(t, s, mlpConfig())
	s.Handle(wire.ShuffleCmd{On: true, Fraction: 0.5})
	s.Handle(wire.StartCmd{})
	runUntil(s, 10000, nil)
	s.Handle(wire.FlatnessCmd{Alphas: []float64{0, 1}})
	s.Handle(wire.SampleCmd{})
	s.Handle(wire.GetWeightsCmd{ID: 1})
	runUntil(s, 10, nil)
	s.Handle(wire.ConfusionCmd{})
	runUntil(s, 10, nil)
	s.DataError(errors.New("mnist pack: x"))
	seen := map[string]bool{}
	for _, e := range r.events {
		m := wire.Encode(e)
		if m["type"] != e.Type() {
			t.Errorf("%T: type %v, want %q", e, m["type"], e.Type())
		}
		checkValue(t, e.Type(), m)
		if back, err := wire.Decode(m); err != nil || !wiretest.Equal(back, e) {
			t.Errorf("%T does not come back from its object: %v", e, err)
		}
		seen[e.Type()] = true
	}
	for _, typ := range []string{"progress", "ready", "dataComplete", "arch", "state", "steps", "epoch", "weights",
		"shuffle", "flatness", "sample", "confusion", "modelBytes", "error"} {
		if !seen[typ] {
			t.Errorf("no %s event", typ)
		}
	}
	a := wire.Encode(r.of("arch")[0])
	l0 := a["layers"].([]any)[0].(map[string]any)
	if l0["name"] == "" || len(l0["shape"].([]any)) != 3 {
		t.Errorf("arch layer 0 map %v", l0)
	}
}

// trainRun trains cfg on synthetic data to the end and returns the events.
func trainRun(t *testing.T, opt Options, cfg engine.Config) *recorder {
	t.Helper()
	r := &recorder{now: time.Unix(1e9, 0), tick: time.Millisecond}
	opt.Now, opt.Seed = r.clock, 3
	s := NewSession(r.emit, opt)
	startSynth(t, s, cfg, 640, 300)
	runUntil(s, 100000, nil)
	if st := r.lastState(); st != wire.StateDone {
		t.Fatalf("state %q, want done; errors %v", st, r.errors())
	}
	return r
}

func TestQuickEval(t *testing.T) {
	cfg := mlpConfig() // 640 examples, batch 32: 20 steps an epoch, a quick evaluation every 5
	cfg.EvalSubset = 250
	cfg.Optim = engine.OptimConfig{Kind: engine.SGD}
	cfg.Schedule.LR0 = 0.01 // slow enough that the first quarter epoch is not the end of learning
	r := trainRun(t, Options{EvalGap: time.Nanosecond}, cfg)
	evals := r.of("eval")
	// 3 epochs; steps 5, 10, 15 of each (step 20 ends the epoch, evaluated exactly).
	if len(evals) != 9 {
		t.Fatalf("%d eval events, want 9", len(evals))
	}
	// Order: each eval comes after the steps up to it and before the next
	// steps; its epoch is fractional and increasing.
	lastStep, lastEpoch := 0, 0.0
	seenEval := 0
	for _, e := range r.events {
		switch e := e.(type) {
		case wire.StepsEvent:
			for _, p := range e.Steps {
				if p.Step != lastStep+1 {
					t.Fatalf("step %d after %d", p.Step, lastStep)
				}
				lastStep, lastEpoch = p.Step, p.Epoch
			}
		case wire.EvalEvent:
			if e.Step != lastStep || e.Epoch != lastEpoch {
				t.Errorf("eval %d at step %d epoch %v, want after step %d epoch %v", seenEval, e.Step, e.Epoch, lastStep, lastEpoch)
			}
			if e.Step%5 != 0 || e.Step%20 == 0 {
				t.Errorf("eval %d at step %d, want a multiple of 5 not ending an epoch", seenEval, e.Step)
			}
			if e.N != 250 {
				t.Errorf("eval %d on %d images, want the run's EvalSubset 250", seenEval, e.N)
			}
			if !(e.ValAcc >= 0 && e.ValAcc <= 1) || !(e.ValLoss > 0) {
				t.Errorf("eval %d: loss %v acc %v", seenEval, e.ValLoss, e.ValAcc)
			}
			seenEval++
		}
	}
	first, last := evals[0].(wire.EvalEvent), evals[len(evals)-1].(wire.EvalEvent)
	if !(last.ValAcc > first.ValAcc+0.2) || last.ValAcc < 0.8 {
		t.Errorf("quick validation accuracy %v -> %v, want it to rise above 0.8", first.ValAcc, last.ValAcc)
	}
	// The last quick evaluation is close to the last epoch's exact one.
	ep := r.of("epoch")
	if e := ep[len(ep)-1].(wire.EpochEvent); math.Abs(e.ValAcc-last.ValAcc) > 0.15 {
		t.Errorf("last quick val acc %v far from the epoch's %v", last.ValAcc, e.ValAcc)
	}
}

func TestQuickEvalLeavesTrainingAlone(t *testing.T) {
	cfg := mlpConfig()
	with := trainRun(t, Options{EvalGap: time.Nanosecond}, cfg).steps()
	without := trainRun(t, Options{EvalEvery: -1}, cfg).steps()
	if len(with) != len(without) || len(with) == 0 {
		t.Fatalf("%d steps with quick evaluation, %d without", len(with), len(without))
	}
	for i := range with {
		if with[i].Loss != without[i].Loss {
			t.Fatalf("step %d: loss %v with quick evaluation, %v without", i+1, with[i].Loss, without[i].Loss)
		}
	}
}

func TestQuickEvalGap(t *testing.T) {
	// The clock moves 1 ms a call: with a 1 s gap far fewer evaluations run.
	cfg := mlpConfig()
	n := len(trainRun(t, Options{EvalGap: time.Second}, cfg).of("eval"))
	if n >= 9 {
		t.Errorf("%d quick evaluations with a 1 s gap, want fewer than every 5 steps (9)", n)
	}
}

func TestLoadWeightsBeforeData(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	s.AddPiece(synth(300, 1), synth(100, 2))
	configure(t, s, mlpConfig())
	s.Handle(wire.StepCmd{})
	want := s.Trainer().Model().Weights(nil)
	s.Handle(wire.GetWeightsCmd{ID: 1})
	b := r.of("modelBytes")[0].(wire.ModelBytesEvent).Bytes

	// A fresh worker: the weights arrive before the data.
	s2, r2 := newTestSession(time.Millisecond)
	configure(t, s2, DefaultConfig())
	s2.Handle(wire.LoadWeightsCmd{Bytes: b})
	if errs := r2.errors(); len(errs) != 0 {
		t.Fatalf("errors %+v", errs)
	}
	w := r2.of("weights")
	if got := w[len(w)-1].(wire.WeightsEvent).Data; len(got) != len(want) || got[7] != want[7] {
		t.Errorf("weights event after load: %d values, want the file's %d", len(got), len(want))
	}
	s2.AddPiece(synth(300, 1), synth(100, 2))
	s2.AddPiece(synth(200, 3), synth(100, 4)) // more data rebuilds the unstarted trainer
	if n := s2.Trainer().TrainSet().N; n != 500 {
		t.Fatalf("trainer on %d examples, want 500", n)
	}
	got := s2.Trainer().Model().Weights(nil)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("weight %d after the data came: %v, want the loaded %v", i, got[i], want[i])
		}
	}
	// A configure afterwards forgets them.
	configure(t, s2, mlpConfig())
	if s2.loadedW != nil {
		t.Error("loaded weights kept after a new configure")
	}
}

func TestQuickEvalByTime(t *testing.T) {
	// Steps alone would never trigger one (every 1000 steps); 50 ms of
	// training does (the clock moves 1 ms a call).
	cfg := mlpConfig()
	evals := trainRun(t, Options{EvalEvery: 1000, EvalTime: 50 * time.Millisecond, EvalGap: time.Nanosecond}, cfg).of("eval")
	if len(evals) == 0 {
		t.Fatal("no quick evaluation after 50 ms of training")
	}
	if len(evals) > 40 {
		t.Errorf("%d quick evaluations for 60 steps, want them spaced by time", len(evals))
	}
}

// A piece that does not arrive pauses a run that wants every image and
// refuses to start it again until the data is complete; a run on a subset
// that is there trains on.
func TestDataErrorPausesRunsThatNeedTheMissingImages(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	s.AddPiece(synth(300, 1), synth(100, 2))
	configure(t, s, mlpConfig()) // Subset 0: all the images
	s.Handle(wire.StartCmd{})
	s.RunFor(5 * time.Millisecond)
	if r.lastState() != wire.StateRunning {
		t.Fatalf("state %q before the data error, want running", r.lastState())
	}
	s.DataError(errors.New("part 2 of 3 of the MNIST data did not arrive: HTTP 404"))
	if r.lastState() != wire.StatePaused {
		t.Fatalf("state %q after the data error, want paused", r.lastState())
	}
	errs := r.errors()
	if len(errs) != 1 || errs[0].Kind != wire.KindData || !errs[0].Retry {
		t.Fatalf("errors %+v, want one data error offering Retry", errs)
	}
	s.Handle(wire.StartCmd{})
	if errs := r.errors(); len(errs) != 2 || !strings.Contains(errs[1].Message, "only 300 training images arrived") {
		t.Fatalf("start after the data error: %+v", errs)
	}
	if r.lastState() != wire.StatePaused {
		t.Fatalf("start with missing data changed the state to %q", r.lastState())
	}

	// A subset within what arrived trains.
	cfg := mlpConfig()
	cfg.Subset = 200
	configure(t, s, cfg)
	s.Handle(wire.StartCmd{})
	if r.lastState() != wire.StateRunning {
		t.Fatalf("a 200-image run with 300 images loaded: state %q", r.lastState())
	}
	s.Handle(wire.PauseCmd{})

	// Retry brings the rest: the full run starts, and its epochs say how
	// many images it had.
	s.RetryData()
	s.AddPiece(synth(200, 3), mnist.Set{})
	s.DataComplete()
	configure(t, s, mlpConfig())
	s.Handle(wire.StartCmd{})
	for i := 0; i < 200 && len(r.of("epoch")) == 0; i++ {
		s.RunFor(5 * time.Millisecond)
	}
	ep := r.of("epoch")
	if len(ep) == 0 {
		t.Fatal("no epoch after the data came")
	}
	if n := ep[len(ep)-1].(wire.EpochEvent).TrainN; n != 500 {
		t.Errorf("epoch says it trained on %d images, want 500", n)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 60000: "60,000", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// A run whose chunks are slow goes fewer examples at a time, so the worker
// answers between them; fast chunks grow back, at most twofold per chunk.
func TestChunksFitTheTime(t *testing.T) {
	s, _ := newTestSession(time.Millisecond)
	cfg := mlpConfig()
	cfg.BatchSize = 0 // full batch: 600 examples, chunks of up to 256
	startSynth(t, s, cfg, 600, 100)
	s.RunFor(time.Millisecond)
	if c := s.Trainer().Chunk(); c != 256 {
		t.Fatalf("chunk %d after fast chunks, want 256", c)
	}
	s.fitChunk(400 * time.Millisecond) // 256 examples took 8 times the aim
	if c := s.Trainer().Chunk(); c != 32 {
		t.Errorf("chunk %d after a 400 ms chunk, want 32", c)
	}
	s.fitChunk(60 * time.Millisecond) // within a factor 1.5: kept
	if c := s.Trainer().Chunk(); c != 32 {
		t.Errorf("chunk %d after a 60 ms chunk, want 32", c)
	}
	s.fitChunk(5 * time.Millisecond) // ten times too fast: doubles only
	if c := s.Trainer().Chunk(); c != 64 {
		t.Errorf("chunk %d after a 5 ms chunk, want 64", c)
	}
	s.fitChunk(10 * time.Second)
	if c := s.Trainer().Chunk(); c != 1 {
		t.Errorf("chunk %d after a 10 s chunk, want 1", c)
	}
}
