package engine

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// A full-batch step taken chunk by chunk with StepChunk, with evaluations
// and a shuffle request in between, is the step Step takes, bit for bit,
// epoch end included; the weights change only at the last training chunk,
// then the validation set goes a chunk at a time.
func TestStepChunkIsStep(t *testing.T) {
	train, val := synthData(600, 3), synthData(300, 4)
	cfg := testConfig()
	cfg.BatchSize = 0
	cfg.Epochs = 2
	cfg.Model = Spec{Arch: ArchMLP, Hidden: []int{64, 32}}
	whole, err := NewTrainer(cfg, train, val)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := NewTrainer(cfg, train, val)
	if err != nil {
		t.Fatal(err)
	}
	for step := 1; step <= 2; step++ {
		want, wantEp, err := whole.Step()
		if err != nil {
			t.Fatal(err)
		}
		before := parts.Model().Weights(nil)
		chunks := 0
		for {
			st, ep, complete, err := parts.StepChunk()
			if err != nil {
				t.Fatal(err)
			}
			chunks++
			if complete {
				if st != want || (ep == nil) != (wantEp == nil) || (ep != nil && *ep != *wantEp) {
					t.Fatalf("step %d: StepChunk gave %+v %+v, Step %+v %+v", step, st, ep, want, wantEp)
				}
				break
			}
			if !parts.InStep() {
				t.Fatal("InStep false between chunks")
			}
			if chunks < 3 && !slices.Equal(parts.Model().Weights(nil), before) {
				t.Fatalf("step %d: weights changed after chunk %d", step, chunks)
			}
			// What the worker may do between chunks.
			Evaluate(parts.Model(), val, 0)
			parts.SetShuffle(false, 0)
			parts.TrainSet()
		}
		if chunks != 5 { // 600 training examples in chunks of 256, then 300 validation ones
			t.Errorf("step %d: %d chunks, want 5", step, chunks)
		}
		if parts.InStep() {
			t.Error("InStep after the last chunk")
		}
		if !slices.Equal(parts.Model().Weights(nil), whole.Model().Weights(nil)) {
			t.Fatalf("step %d: weights differ", step)
		}
	}
	if _, _, _, err := parts.StepChunk(); err != ErrDone {
		t.Errorf("StepChunk after the last epoch: %v, want ErrDone", err)
	}
}

// A shuffle asked for in the middle of a batch waits for the next batch.
func TestStepChunkShuffleWaits(t *testing.T) {
	cfg := testConfig()
	cfg.BatchSize = 0
	tr, err := NewTrainer(cfg, synthData(600, 5), Dataset{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, complete, err := tr.StepChunk(); complete || err != nil {
		t.Fatal(complete, err)
	}
	tr.SetShuffle(true, 1)
	if on, _ := tr.Shuffled(); on {
		t.Error("shuffle took effect in the middle of a batch")
	}
	if _, _, err := tr.Step(); err != nil {
		t.Fatal(err)
	}
	if on, _ := tr.Shuffled(); !on {
		t.Error("shuffle did not take effect after the batch")
	}
}

// A diverged step is a *DivergedError; a run that ends at chance is a
// *NotLearnedError, exploded when its loss passed a uniform guess's.
func TestOutcomeErrors(t *testing.T) {
	cfg := testConfig()
	cfg.Optim = OptimConfig{Kind: SGD}
	cfg.Schedule.LR0 = 1e30
	tr, err := NewTrainer(cfg, synthData(64, 1), Dataset{})
	if err != nil {
		t.Fatal(err)
	}
	var de *DivergedError
	for i := 0; i < 10 && err == nil; i++ {
		_, _, err = tr.Step()
	}
	if !errors.As(err, &de) || de.Step < 1 || de.Why == "" {
		t.Fatalf("lr 1e30: %v, want a *DivergedError", err)
	}
	var nl *NotLearnedError
	if err := CheckLearned(EpochStats{TrainAcc: 0.9, ValAcc: 0.12, TrainLoss: 0.3}, true); !errors.As(err, &nl) || nl.Exploded || nl.Acc != 0.12 {
		t.Errorf("validation at 12%%: %v", err)
	}
	if err := CheckLearned(EpochStats{TrainAcc: 0.11, TrainLoss: 40}, false); !errors.As(err, &nl) || !nl.Exploded ||
		!strings.Contains(err.Error(), "learning rate is probably too high") {
		t.Errorf("training at 11%%, loss 40: %v", err)
	}
	// A rate too low leaves an untrained net's loss a little above ln 10:
	// no advice to lower it (the report's sweep, batch 5000 at lr 1e-5).
	if err := CheckLearned(EpochStats{TrainAcc: 0.14, ValAcc: 0.138, TrainLoss: 2.31}, true); !errors.As(err, &nl) || nl.Exploded ||
		strings.Contains(err.Error(), "too high") {
		t.Errorf("validation at 13.8%%, loss 2.31: %v", err)
	}
	if err := CheckLearned(EpochStats{TrainAcc: 0.05, ValAcc: 0.95}, true); err != nil {
		t.Errorf("validation at 95%%: %v", err)
	}
}

// With SetChunk, a step goes in smaller pieces and ends where Step ends, up
// to float rounding.
func TestSetChunk(t *testing.T) {
	train, val := synthData(300, 5), synthData(100, 6)
	cfg := testConfig()
	cfg.BatchSize = 0
	cfg.Epochs = 1
	whole, _ := NewTrainer(cfg, train, val)
	small, _ := NewTrainer(cfg, train, val)
	small.SetChunk(7)
	if small.Chunk() != 7 {
		t.Fatalf("Chunk %d after SetChunk(7)", small.Chunk())
	}
	if _, _, err := whole.Step(); err != nil {
		t.Fatal(err)
	}
	calls := 0
	for {
		_, _, complete, err := small.StepChunk()
		if err != nil {
			t.Fatal(err)
		}
		calls++
		if complete {
			break
		}
	}
	if want := (300+6)/7 + (100+6)/7; calls != want {
		t.Errorf("%d StepChunk calls, want %d (300 training and 100 validation examples, 7 at a time)", calls, want)
	}
	a, b := whole.Model().Weights(nil), small.Model().Weights(nil)
	for i := range a {
		if d := a[i] - b[i]; d > 1e-5 || d < -1e-5 {
			t.Fatalf("weight %d: %v in one piece, %v in chunks of 7", i, a[i], b[i])
		}
	}
	small.SetChunk(0)
	if small.Chunk() != 1 {
		t.Errorf("SetChunk(0) gives %d, want 1", small.Chunk())
	}
	small.SetChunk(1000)
	if small.Chunk() != 256 {
		t.Errorf("SetChunk(1000) gives %d, want 256", small.Chunk())
	}
}
