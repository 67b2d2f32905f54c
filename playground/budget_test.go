package playground

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"mnistplay/engine"
	"mnistplay/wire"
)

// Numbers a link or a form can hold but a Config cannot give a sentence
// that names the field and its range, never Go's JSON text.
func TestConfigMessages(t *testing.T) {
	for raw, want := range map[string]string{
		`{"model":{"arch":"mlp"},"schedule":{"kind":"constant","lr0":1e39},"epochs":1}`:                   "learning rate: 1e39 is not a number > 0",
		`{"model":{"arch":"mlp"},"seed":1e300,"epochs":1}`:                                                "seed: 1e300 is not a whole number in 0..18446744073709551615",
		`{"model":{"arch":"mlp"},"seed":-1,"epochs":1}`:                                                   "seed: -1 is not a whole number",
		`{"model":{"arch":"mlp"},"subset":1e15,"epochs":1}`:                                               "training examples: 1e15 is not a whole number in 0..60000",
		`{"model":{"arch":"mlp"},"subset":"abc","epochs":1}`:                                              "training examples: got a string, want a whole number",
		`{"model":{"arch":"mlp","hidden":[1.5]},"epochs":1}`:                                              "hidden width: 1.5 is not a whole number in 1..4096",
		`{"model":{"arch":"mlp"},"epochs":1,"batchSize":2.5}`:                                             "batch size: 2.5 is not a whole number >= 0",
		`{"model":{"arch":"mlp"},"epochs":1}{}`:                                                           "followed by other data",
		`[1]`:                                                                                             "settings: got an array, want an object",
		`{"model":{"arch":"mlp"},"schedule":{"kind":"constant","lr0":0.1},"epochs":1,"subset":70000}`:     "training examples 70000 must be in 0..60000",
		`{"model":{"arch":"mlp"},"schedule":{"kind":"constant","lr0":0.1},"epochs":1,"evalSubset":20000}`: "validation examples 20000 must be in 0..10000",
	} {
		_, err := ParseConfig([]byte(raw))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", raw, err, want)
			continue
		}
		if strings.Contains(err.Error(), "json") || strings.Contains(err.Error(), "Go ") {
			t.Errorf("%s: %q shows Go's text", raw, err)
		}
	}
}

// The page and the engine take a Config by one rule (engine.Config.Validate):
// 0 epochs is "no limit" in both, a negative count an *engine.OptionError.
func TestConfigOneRule(t *testing.T) {
	if _, err := ParseConfig([]byte(`{"model":{"arch":"mlp"},"schedule":{"kind":"constant","lr0":0.1},"epochs":0}`)); err != nil {
		t.Errorf("epochs 0: %v, want accepted (no limit, as the engine)", err)
	}
	_, err := ParseConfig([]byte(`{"model":{"arch":"mlp"},"schedule":{"kind":"constant","lr0":0.1},"epochs":-2}`))
	var oe *engine.OptionError
	if !errors.As(err, &oe) || oe.Option != "epochs" {
		t.Errorf("epochs -2: %v, want an *engine.OptionError for epochs", err)
	}
}

// The page names the report's protocol; the worker makes it the engine's
// options (engine.Config.ReportProtocol) and the page's evaluation period.
func TestPageProtocol(t *testing.T) {
	base := `{"model":{"arch":"mlp"},"schedule":{"kind":"constant","lr0":0.1},"epochs":20`
	for _, c := range []struct {
		raw       string
		evalEvery int
	}{
		{base + `,"protocol":"report"}`, 10},
		{base + `,"protocol":"report","patience":3}`, 0},
		{base + `,"protocol":"report","evalEvery":20}`, 20},
	} {
		cfg, err := ParseConfig([]byte(c.raw))
		if err != nil {
			t.Fatalf("%s: %v", c.raw, err)
		}
		if cfg.Input != engine.InputRaw || cfg.StepsPerEpoch != 1 || cfg.Optim.L2Form != engine.L2SquaredNorm || cfg.EvalEvery != c.evalEvery {
			t.Errorf("%s: %+v, want the report's options and evalEvery %d", c.raw, cfg, c.evalEvery)
		}
	}
	cfg, err := ParseConfig([]byte(base + `,"protocol":"modern"}`))
	if err != nil || cfg.Input != "" || cfg.StepsPerEpoch != 0 {
		t.Errorf("modern: %+v, %v", cfg, err)
	}
	if _, err := ParseConfig([]byte(base + `,"protocol":"ancient"}`)); err == nil || !strings.Contains(err.Error(), `protocol "ancient"`) {
		t.Errorf("unknown protocol: %v", err)
	}
}

// The shape preview comes from the engine's shapes: the report's 3x3
// stride 3 padding 1 change, a pool size of 3, and an impossible conv2
// (previewed up to it; the message has the formula).
func TestShapePreview(t *testing.T) {
	cnn := func(c1, c2 engine.ConvSpec, pool int) engine.Spec {
		return engine.Spec{Arch: engine.ArchCNN, Conv1: c1, Conv2: c2, PoolSize: pool}
	}
	k5 := engine.ConvSpec{Kernel: 5, Stride: 1}
	for _, c := range []struct {
		spec engine.Spec
		want string
	}{
		{cnn(engine.ConvSpec{Kernel: 3, Stride: 3, Pad: 1}, engine.ConvSpec{Kernel: 3, Stride: 3, Pad: 1}, 2), "conv1 28→10, pool 10→5, conv2 5→2, pool 2→1"},
		{cnn(engine.ConvSpec{Kernel: 3, Stride: 3, Pad: 1}, k5, 2), "conv1 28→10, pool 10→5, conv2 5→1"}, // pool2 1→0 is impossible
		{cnn(k5, engine.ConvSpec{Kernel: 3, Stride: 1}, 3), "conv1 28→24, pool 24→8, conv2 8→6, pool 6→2"},
		{cnn(engine.ConvSpec{Kernel: 14, Stride: 1}, engine.ConvSpec{Kernel: 14, Stride: 1}, 2), "conv1 28→15, pool 15→7"},
		{engine.Spec{Arch: engine.ArchMLP}, ""},
	} {
		if got := shapePreview(c.spec); got != c.want {
			t.Errorf("%+v: %q, want %q", c.spec, got, c.want)
		}
	}
}

// The memory budget reaches the worker's configure and check: a link with
// both convolutions at kernel 28, padding 27 and batch 32 is refused with
// the engine's sentence, before any model is built.
func TestBudgetInSession(t *testing.T) {
	defer engine.SetMemoryLimit(engine.SetMemoryLimit(1 << 30))
	cfg := DefaultConfig()
	cfg.Model.Conv1 = engine.ConvSpec{Kernel: 28, Stride: 1, Pad: 27}
	cfg.Model.Conv2 = cfg.Model.Conv1
	cfg.BatchSize = 32
	raw, _ := json.Marshal(cfg)
	s, r := newTestSession(time.Millisecond)
	s.Handle(wire.CheckCmd{Config: raw})
	checks := r.of("check")
	if len(checks) != 1 || !strings.HasPrefix(checks[0].(wire.CheckEvent).Message, "conv2: training 32 images at a time needs ") {
		t.Fatalf("check: %+v", checks)
	}
	s.Handle(wire.ConfigureCmd{Config: raw})
	errs := r.errors()
	if len(errs) != 1 || errs[0].Kind != wire.KindConfig || errs[0].Message != checks[0].(wire.CheckEvent).Message {
		t.Fatalf("configure: %+v, want the check's message", errs)
	}
	if len(r.of("arch")) != 0 {
		t.Error("a refused configuration made a run")
	}
	good, _ := json.Marshal(DefaultConfig())
	s.Handle(wire.CheckCmd{Config: good})
	if checks := r.of("check"); len(checks) != 2 || checks[1].(wire.CheckEvent).Message != "" ||
		checks[1].(wire.CheckEvent).Preview != "conv1 28→24, pool 24→12, conv2 12→8, pool 8→4" {
		t.Errorf("check of the default configuration: %+v", checks)
	}
	if len(r.of("arch")) != 0 {
		t.Error("check made a run")
	}
}

type panicJob struct{}

func (panicJob) advance(*Session) bool { panic("index out of range [3] with length 2") }

// A panic reaches the page as one short sentence; its text and stack go to
// Options.Log.
func TestPanicStaysInTheConsole(t *testing.T) {
	r := &recorder{now: time.Unix(1e9, 0), tick: time.Millisecond}
	var logged []string
	s := NewSession(r.emit, Options{Now: r.clock, Log: func(m string) { logged = append(logged, m) }})
	s.AddPiece(synth(100, 1), synth(50, 2))
	s.job = panicJob{}
	s.RunFor(time.Millisecond)
	errs := r.errors()
	if len(errs) != 1 || errs[0].Kind != wire.KindInternal || errs[0].Message != internalMessage {
		t.Fatalf("errors %+v", errs)
	}
	if strings.Contains(errs[0].Message, "index out of range") || strings.Contains(errs[0].Message, "goroutine") {
		t.Errorf("the page sees the panic: %q", errs[0].Message)
	}
	if len(logged) != 1 || !strings.Contains(logged[0], "index out of range [3]") || !strings.Contains(logged[0], "goroutine") {
		t.Errorf("log %q lacks the panic and its stack", logged)
	}
}

// A full-batch step goes in chunks: RunFor returns after one chunk when its
// time is up, so Pause is handled before the step ends, and the run trains
// the same steps as ever.
func TestFullBatchStepYields(t *testing.T) {
	cfg := mlpConfig()
	cfg.BatchSize = 0
	cfg.Epochs = 2
	s, r := newTestSession(time.Millisecond)
	startSynth(t, s, cfg, 600, 50)
	s.RunFor(time.Nanosecond)
	if !s.Trainer().InStep() || s.Step() != 0 {
		t.Fatalf("after one slice: in step %v, step %d; want a step in progress", s.Trainer().InStep(), s.Step())
	}
	s.Handle(wire.PauseCmd{})
	if s.State() != wire.StatePaused {
		t.Fatalf("state %q after pause", s.State())
	}
	s.Handle(wire.StartCmd{})
	for i := 0; i < 100 && s.State() == wire.StateRunning; i++ {
		s.RunFor(time.Nanosecond)
	}
	if s.State() != wire.StateDone || s.Step() != 2 || len(r.of("epoch")) != 2 {
		t.Errorf("state %q, %d steps, %d epochs; want done after 2 full-batch steps", s.State(), s.Step(), len(r.of("epoch")))
	}
}

// A run that ends at chance accuracy says so with kind notLearned.
func TestNotLearnedEvent(t *testing.T) {
	cfg := mlpConfig()
	cfg.Optim = engine.OptimConfig{Kind: engine.SGD}
	cfg.Schedule.LR0 = 1e-12 // the weights stay the initial ones
	cfg.Epochs = 1
	s, r := newTestSession(time.Millisecond)
	startSynth(t, s, cfg, 200, 200)
	for i := 0; i < 100 && s.State() == wire.StateRunning; i++ {
		s.RunFor(time.Second)
	}
	ep := r.of("epoch")
	if s.State() != wire.StateDone || len(ep) != 1 {
		t.Fatalf("state %q, %d epochs", s.State(), len(ep))
	}
	acc := ep[0].(wire.EpochEvent).ValAcc
	errs := r.errors()
	if acc >= 0.2 {
		t.Fatalf("validation accuracy %v at lr 1e-12: the test needs a run at chance", acc)
	}
	if len(errs) != 1 || errs[0].Kind != wire.KindNotLearned || !strings.Contains(errs[0].Message, "did not learn") {
		t.Errorf("errors %+v, want one of kind %q", errs, wire.KindNotLearned)
	}
}

// A weights file whose model cannot train at the run's batch size within
// the budget is refused with the engine's sentence.
func TestBudgetForWeightsFile(t *testing.T) {
	spec := engine.DefaultCNN()
	spec.Conv1 = engine.ConvSpec{Kernel: 28, Stride: 1, Pad: 27}
	spec.Conv2 = spec.Conv1
	m, err := engine.Build(spec, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	defer engine.SetMemoryLimit(engine.SetMemoryLimit(1 << 30))
	s, r := newTestSession(time.Millisecond)
	s.Handle(wire.LoadWeightsCmd{Bytes: b}) // the default run's batch: 64
	errs := r.errors()
	if len(errs) != 1 || errs[0].Kind != wire.KindWeights || !strings.HasPrefix(errs[0].Message, "weights file: conv2: training 64 images at a time needs ") {
		t.Fatalf("errors %+v", errs)
	}
	if len(r.of("arch")) != 0 {
		t.Error("the refused file made a run")
	}
}

// A quick evaluation goes one model-sized chunk per slice, training waiting
// for it, and gives what one Evaluate of the same weights gives.
func TestQuickEvalInChunks(t *testing.T) {
	r := &recorder{now: time.Unix(1e9, 0), tick: time.Millisecond}
	s := NewSession(r.emit, Options{Now: r.clock, EvalEvery: 2, EvalGap: time.Nanosecond, EvalImages: 1000})
	cfg := mlpConfig()
	cfg.Epochs = 1
	startSynth(t, s, cfg, 640, 1000)
	spanned := false
	for i := 0; i < 200 && len(r.of("eval")) == 0; i++ {
		s.RunFor(time.Nanosecond)
		if s.quick != nil {
			spanned = true
			if s.quick.done == 0 || s.quick.done%evalBatch != 0 {
				t.Fatalf("quick evaluation at %d of %d images", s.quick.done, s.quick.n)
			}
		}
	}
	evals := r.of("eval")
	if len(evals) == 0 || !spanned {
		t.Fatalf("%d evaluations; one spanning slices: %v", len(evals), spanned)
	}
	e := evals[0].(wire.EvalEvent)
	loss, acc := engine.Evaluate(s.Trainer().Model(), dataset(s.test).Head(1000), 0)
	if e.N != 1000 || e.ValAcc != acc || !(math.Abs(e.ValLoss-loss) <= 1e-9*loss) {
		t.Errorf("quick evaluation %+v; Evaluate gives loss %v acc %v", e, loss, acc)
	}
}
