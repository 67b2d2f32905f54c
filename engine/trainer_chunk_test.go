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
	if err := CheckLearned(EpochStats{TrainAcc: 0.05, ValAcc: 0.95}, true); err != nil {
		t.Errorf("validation at 95%%: %v", err)
	}
}
