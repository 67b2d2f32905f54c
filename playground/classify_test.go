package playground

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"mnistplay/engine"
	"mnistplay/engine/mnist"
	"mnistplay/wire"
)

// image01 is example i of set as the canvas sends it: ink from 0 to 1.
func image01(set mnist.Set, i int) []float32 {
	img := make([]float32, wire.ImagePixels)
	for p, v := range set.Image(i) {
		img[p] = float32(v) / 255
	}
	return img
}

// The trained model classifies images as the trainer's own evaluation
// does: a model that learned the synthetic classes gets held-out ones right.
func TestClassifyWithTheTrainedModel(t *testing.T) {
	s, _ := newTestSession(time.Millisecond)
	if _, err := s.Classify(wire.ClassifyCmd{Image: make([]float32, wire.ImagePixels)}); !errors.Is(err, errNoModel) {
		t.Fatalf("before any run: %v, want errNoModel", err)
	}
	cfg := mlpConfig()
	startSynth(t, s, cfg, 600, 200)
	runUntil(s, 500, nil)
	held := synth(50, 9)
	right := 0
	for i := 0; i < held.N; i++ {
		p, err := s.Classify(wire.ClassifyCmd{ID: i + 1, Image: image01(held, i), Filter: -1})
		if err != nil {
			t.Fatal(err)
		}
		if p.ID != i+1 || len(p.Probs) != 10 || p.Act != nil {
			t.Fatalf("answer %+v to request %d", p, i+1)
		}
		var sum float32
		for _, q := range p.Probs {
			sum += q
		}
		if sum < 0.999 || sum > 1.001 {
			t.Fatalf("probabilities sum to %v", sum)
		}
		if p.Digit == int(held.Labels[i]) {
			right++
		}
	}
	if right < 45 {
		t.Errorf("%d of 50 held-out synthetic images right after training", right)
	}
}

// A CNN's answer carries the requested conv1 channel's map; bad requests
// are refused with an error, not a panic.
func TestClassifyActivationAndBadRequests(t *testing.T) {
	s, _ := newTestSession(time.Millisecond)
	cfg := mlpConfig()
	cfg.Model = engine.DefaultCNN()
	startSynth(t, s, cfg, 64, 16)
	img := image01(synth(1, 4), 0)
	p, err := s.Classify(wire.ClassifyCmd{Image: img, Filter: 3})
	if err != nil {
		t.Fatal(err)
	}
	if p.ActW != 24 || len(p.Act) != 24*24 {
		t.Errorf("conv1 map %d values, width %d; want 24x24", len(p.Act), p.ActW)
	}
	if p, err := s.Classify(wire.ClassifyCmd{Image: img, Filter: 99}); err != nil || p.Act != nil {
		t.Errorf("filter out of range: %v, map of %d", err, len(p.Act))
	}
	if _, err := s.Classify(wire.ClassifyCmd{Image: img[:100]}); err == nil {
		t.Error("a short image was classified")
	}
}

// The pad's image is scaled as the run's training images are: a run on raw
// pixels sees the same answer as the model given raw pixels directly.
func TestClassifyScalesAsTheRun(t *testing.T) {
	s, _ := newTestSession(time.Millisecond)
	cfg := mlpConfig()
	cfg.Input = engine.InputRaw
	startSynth(t, s, cfg, 64, 16)
	img := image01(synth(1, 4), 0)
	p, err := s.Classify(wire.ClassifyCmd{Image: img, Filter: -1})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, len(img))
	for i, v := range img {
		x[i] = float32(uint8(v*255 + 0.5))
	}
	probs := make([]float32, 10)
	engine.Softmax(probs, s.Trainer().Model().Forward(x, 1, false)[:10])
	for i := range probs {
		if d := probs[i] - p.Probs[i]; d > 1e-6 || d < -1e-6 {
			t.Fatalf("class %d: %v classified, %v from raw pixels", i, p.Probs[i], probs[i])
		}
	}
}

// The quick evaluations, flatness and confusion of a run on raw pixels see
// its images as it was trained on them: after training, the quick
// evaluation's accuracy is far above chance.
func TestRawRunEvaluatedOnRawPixels(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	cfg := mlpConfig()
	cfg.Input = engine.InputRaw
	cfg.Schedule.LR0 = 1e-4
	cfg.Optim = engine.OptimConfig{Kind: engine.SGD}
	startSynth(t, s, cfg, 600, 200)
	runUntil(s, 500, nil)
	ep := r.of("epoch")
	if len(ep) == 0 {
		t.Fatal("no epoch")
	}
	want := ep[len(ep)-1].(wire.EpochEvent).ValAcc
	if want < 0.5 {
		t.Fatalf("the raw-pixel run learned only to %.2f", want)
	}
	s.Handle(wire.FlatnessCmd{Alphas: []float64{1}, EvalSubset: 200})
	runUntil(s, 50, func() bool { return len(r.of("flatness")) > 0 })
	f := r.of("flatness")
	if len(f) != 1 {
		t.Fatalf("%d flatness points", len(f))
	}
	if got := 1 - f[0].(wire.FlatnessEvent).Error; math.Abs(got-want) > 1e-9 {
		t.Errorf("flatness at alpha 1: accuracy %v, the epoch's validation %v", got, want)
	}
}

// A robustness job answers every move in order; the unmoved images score
// what the run's own evaluation of them does, and large rotations less.
func TestRobustnessJob(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	s.Handle(wire.RobustnessCmd{})
	if errs := r.errors(); len(errs) != 1 || !strings.Contains(errs[0].Message, "train a model first") {
		t.Fatalf("robustness before a run: %+v", errs)
	}
	cfg := mlpConfig()
	startSynth(t, s, cfg, 600, 200)
	runUntil(s, 500, nil)
	s.Handle(wire.RobustnessCmd{EvalSubset: 200})
	runUntil(s, 200, func() bool { return len(r.of("robustness")) == len(engine.RobustnessMoves()) })
	pts := r.of("robustness")
	if len(pts) != len(engine.RobustnessMoves()) {
		t.Fatalf("%d robustness points, want %d", len(pts), len(engine.RobustnessMoves()))
	}
	var still, turned float64
	for i, e := range pts {
		p := e.(wire.RobustnessEvent)
		if p.Index != i || p.Count != len(pts) || p.N != 200 {
			t.Fatalf("point %d: %+v", i, p)
		}
		if p.Move() == (engine.Move{}) {
			still = p.Acc
		}
		if p.Angle == 45 {
			turned = p.Acc
		}
	}
	_, want := engine.Evaluate(s.Trainer().Model(), dataset(s.test).Head(200), 0)
	if math.Abs(still-want) > 1e-9 {
		t.Errorf("unmoved accuracy %v, the model's own %v", still, want)
	}
	if !(turned < still) {
		t.Errorf("a 45-degree turn did not lower the accuracy: %v vs %v", turned, still)
	}
}
