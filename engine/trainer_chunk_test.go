package engine

import (
	"slices"
	"testing"
)

// A full-batch step taken chunk by chunk with StepChunk, with evaluations
// and a shuffle request in between, is the step Step takes, bit for bit;
// the weights change only at the last chunk.
func TestStepChunkIsStep(t *testing.T) {
	train, val := synthData(600, 3), synthData(100, 4)
	cfg := testConfig()
	cfg.BatchSize = 0
	cfg.Epochs = 2
	cfg.Model = DefaultCNN()
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
			if !slices.Equal(parts.Model().Weights(nil), before) {
				t.Fatalf("step %d: weights changed after chunk %d", step, chunks)
			}
			// What the worker may do between chunks.
			Evaluate(parts.Model(), val, 0)
			parts.SetShuffle(false, 0)
			parts.TrainSet()
		}
		if chunks != 3 { // 600 examples in chunks of 256
			t.Errorf("step %d: %d chunks, want 3", step, chunks)
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
