package engine

import (
	"errors"
	"math"
	"sync"
	"testing"
)

// sumReducer sums the buffers of size replicas running in goroutines, in
// replica order, the way a real exchange must.
type sumReducer struct {
	size int
	in   chan reduceReq
}

type reduceReq struct {
	rank int
	buf  []float32
	done chan error
}

func newSumReducer(size int) *sumReducer {
	r := &sumReducer{size: size, in: make(chan reduceReq)}
	go func() {
		for {
			reqs := make([]reduceReq, size)
			for range size {
				q, ok := <-r.in
				if !ok {
					return
				}
				reqs[q.rank] = q
			}
			sum := make([]float32, len(reqs[0].buf))
			for _, q := range reqs {
				for i, v := range q.buf {
					sum[i] += v
				}
			}
			for _, q := range reqs {
				copy(q.buf, sum)
				q.done <- nil
			}
		}
	}()
	return r
}

type rankReducer struct {
	r    *sumReducer
	rank int
}

func (x rankReducer) Reduce(buf []float32) error {
	done := make(chan error)
	x.r.in <- reduceReq{rank: x.rank, buf: buf, done: done}
	return <-done
}

// K replicas, each on its shard of the batch with the gradients summed,
// end a step with the weights one trainer gets on the whole batch (up to
// float rounding), with every optimizer, both L2 forms, the CNN, a batch
// split in chunks, and a batch smaller than the replicas; replica 1 starts
// from other weights, which the first step replaces with replica 0's.
func TestReplicasMatchOneTrainer(t *testing.T) {
	train, val := synthData(300, 5), synthData(60, 6)
	cases := []struct {
		name   string
		optim  OptimConfig
		model  Spec
		batch  int
		chunk  int
		k      int
		steps  int
		epochs int
	}{
		{"sgd-l2", OptimConfig{Kind: SGD, L2: 0.01}, smallMLP(), 32, 0, 2, 3, 0},
		{"momentum-l2", OptimConfig{Kind: Momentum, L2: 0.05}, smallMLP(), 33, 0, 3, 4, 0},
		{"nesterov", OptimConfig{Kind: Nesterov, Momentum: 0.9}, smallMLP(), 40, 7, 2, 3, 0},
		{"adam-l2norm", OptimConfig{Kind: Adam, L2: 0.01, L2Form: L2SquaredNorm}, smallMLP(), 32, 0, 2, 4, 0},
		{"adam-cnn", OptimConfig{Kind: Adam, L2: 0.001}, DefaultCNN(), 16, 0, 2, 2, 0},
		{"tiny-batch", OptimConfig{Kind: Momentum}, smallMLP(), 2, 0, 3, 3, 0},
		{"epoch-end", OptimConfig{Kind: SGD}, smallMLP(), 100, 0, 2, 7, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Model, cfg.Optim, cfg.BatchSize = c.model, c.optim, c.batch
			cfg.Schedule = Schedule{Kind: Constant, LR0: 0.01}
			cfg.Epochs = c.epochs
			one, err := NewTrainer(cfg, train, val)
			if err != nil {
				t.Fatal(err)
			}
			reps := make([]*Trainer, c.k)
			red := newSumReducer(c.k)
			defer close(red.in)
			for r := range reps {
				if reps[r], err = NewTrainer(cfg, train, val); err != nil {
					t.Fatal(err)
				}
				reps[r].SetReplica(r, c.k, rankReducer{red, r})
				if c.chunk > 0 {
					reps[r].SetChunk(c.chunk)
				}
			}
			other := reps[1].Model().Weights(nil)
			for i := range other {
				other[i] = float32(i%7) * 0.01
			}
			if err := reps[1].Model().SetWeights(other); err != nil {
				t.Fatal(err)
			}
			for step := 1; step <= c.steps; step++ {
				want, wantEp, err := one.Step()
				if errors.Is(err, ErrDone) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				stats := make([]StepStats, c.k)
				eps := make([]*EpochStats, c.k)
				errs := make([]error, c.k)
				var wg sync.WaitGroup
				for r, tr := range reps {
					wg.Go(func() { stats[r], eps[r], errs[r] = tr.Step() })
				}
				wg.Wait()
				w := one.Model().Weights(nil)
				for r, tr := range reps {
					if errs[r] != nil {
						t.Fatalf("step %d replica %d: %v", step, r, errs[r])
					}
					if stats[r].Step != want.Step || math.Abs(stats[r].Loss-want.Loss) > 1e-5*math.Max(1, want.Loss) || stats[r].Acc != want.Acc {
						t.Errorf("step %d replica %d: stats %+v, one trainer %+v", step, r, stats[r], want)
					}
					if (eps[r] == nil) != (wantEp == nil) {
						t.Fatalf("step %d replica %d: epoch end %v, one trainer %v", step, r, eps[r], wantEp)
					}
					if eps[r] != nil && math.Abs(eps[r].ValLoss-wantEp.ValLoss) > 1e-4 {
						t.Errorf("step %d replica %d: validation loss %v, one trainer %v", step, r, eps[r].ValLoss, wantEp.ValLoss)
					}
					got := tr.Model().Weights(nil)
					if d := maxRelDiff(got, w); d > 1e-4 {
						t.Fatalf("step %d replica %d: weights differ from one trainer's by %.3g (relative)", step, r, d)
					}
					if r > 0 {
						if d := maxRelDiff(got, reps[0].Model().Weights(nil)); d != 0 {
							t.Fatalf("step %d: replicas 0 and %d differ by %.3g: they must be identical", step, r, d)
						}
					}
				}
			}
			if c.epochs > 0 && (!one.Done() || !reps[0].Done() || !reps[1].Done()) {
				t.Errorf("done: one trainer %v, replicas %v %v", one.Done(), reps[0].Done(), reps[1].Done())
			}
		})
	}
}

// maxRelDiff is max |a-b| / max(1, |b|).
func maxRelDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i]))/math.Max(1, math.Abs(float64(b[i]))))
	}
	return d
}

type failReducer struct{ err error }

func (f failReducer) Reduce([]float32) error { return f.err }

// A replica whose exchange fails stops with that error, keeps its weights,
// and refuses SetReplica once training began.
func TestReplicaReduceError(t *testing.T) {
	train := synthData(100, 1)
	tr, err := NewTrainer(testConfig(), train, Dataset{})
	if err != nil {
		t.Fatal(err)
	}
	gone := errors.New("replica 1 stopped")
	tr.SetReplica(0, 2, failReducer{gone})
	before := tr.Model().Weights(nil)
	if _, _, err := tr.Step(); !errors.Is(err, gone) {
		t.Fatalf("Step: %v, want %v", err, gone)
	}
	if d := maxRelDiff(tr.Model().Weights(nil), before); d != 0 {
		t.Errorf("weights changed by %g", d)
	}
	if rank, size := tr.Replicas(); rank != 0 || size != 2 {
		t.Errorf("Replicas = %d, %d", rank, size)
	}
	for _, bad := range []struct{ rank, size int }{{2, 2}, {-1, 2}, {0, 0}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("SetReplica(%d, %d) did not panic", bad.rank, bad.size)
				}
			}()
			fresh, _ := NewTrainer(testConfig(), train, Dataset{})
			fresh.SetReplica(bad.rank, bad.size, failReducer{})
		}()
	}
	single, _ := NewTrainer(testConfig(), train, Dataset{})
	if _, _, err := single.Step(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("SetReplica after a step did not panic")
		}
	}()
	single.SetReplica(0, 2, failReducer{})
}

// newReplicas makes k replicas of cfg on one summing reducer.
func newReplicas(t *testing.T, cfg Config, train, val Dataset, k int) []*Trainer {
	t.Helper()
	red := newSumReducer(k)
	t.Cleanup(func() { close(red.in) })
	reps := make([]*Trainer, k)
	for r := range reps {
		var err error
		if reps[r], err = NewTrainer(cfg, train, val); err != nil {
			t.Fatal(err)
		}
		reps[r].SetReplica(r, k, rankReducer{red, r})
	}
	return reps
}

// stepAll steps every replica at once; it fails the test on an error.
func stepAll(t *testing.T, reps []*Trainer) []*EpochStats {
	t.Helper()
	eps := make([]*EpochStats, len(reps))
	errs := make([]error, len(reps))
	var wg sync.WaitGroup
	for r, tr := range reps {
		wg.Go(func() { _, eps[r], errs[r] = tr.Step() })
	}
	wg.Wait()
	for r, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", r, err)
		}
	}
	return eps
}

// At an epoch end each replica evaluates only its share of the validation
// set (and of the training set with EvalTrain), and every replica gets the
// one trainer's epoch stats; with early stopping they all stop at the
// same epoch, restoring the same weights.
func TestReplicasShareEvaluation(t *testing.T) {
	train, val := synthData(200, 3), synthData(75, 4)
	for i := range val.Labels { // wrong labels: the validation loss rises as the model learns, and early stopping ends the run
		val.Labels[i] = (val.Labels[i] + 1 + uint8(i%9)) % 10
	}
	cfg := testConfig()
	cfg.BatchSize, cfg.Epochs, cfg.EvalTrain, cfg.Patience = 50, 6, true, 1
	cfg.Schedule = Schedule{Kind: Constant, LR0: 0.2}
	one, err := NewTrainer(cfg, train, val)
	if err != nil {
		t.Fatal(err)
	}
	const k = 3
	reps := newReplicas(t, cfg, train, val, k)
	epochs := 0
	for !one.Done() {
		_, want, err := one.Step()
		if err != nil {
			t.Fatal(err)
		}
		eps := stepAll(t, reps)
		if want == nil {
			continue
		}
		epochs++
		for r, ep := range eps {
			if ep == nil {
				t.Fatalf("replica %d: no epoch end", r)
			}
			// The weights differ by float rounding, which a high rate grows.
			near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-3*math.Max(1, math.Abs(b)) }
			if !near(ep.ValLoss, want.ValLoss) || !near(ep.ValAcc, want.ValAcc) ||
				!near(ep.TrainEvalLoss, want.TrainEvalLoss) || !near(ep.TrainEvalAcc, want.TrainEvalAcc) || ep.Best != want.Best {
				t.Errorf("epoch %d replica %d: %+v, one trainer %+v", want.Epoch, r, *ep, *want)
			}
			if *ep != *eps[0] {
				t.Errorf("epoch %d: replicas 0 and %d differ: %+v, %+v", want.Epoch, r, *eps[0], *ep)
			}
		}
	}
	total := 0
	for r, tr := range reps {
		if !tr.Done() {
			t.Errorf("replica %d goes on after the one trainer stopped at epoch %d", r, one.Epoch())
		}
		total += tr.rep.evaluated
		share := epochs * (val.N + train.N) / k
		if d := tr.rep.evaluated - share; d < -epochs*2 || d > epochs*2 {
			t.Errorf("replica %d evaluated %d examples in %d epochs, its share is %d", r, tr.rep.evaluated, epochs, share)
		}
		if d := maxRelDiff(tr.Model().Weights(nil), one.Model().Weights(nil)); d > 1e-3 {
			t.Errorf("replica %d: restored weights differ from one trainer's by %.3g", r, d)
		}
	}
	if want := epochs * (val.N + train.N); total != want {
		t.Errorf("the replicas evaluated %d examples in all, want %d (each once)", total, want)
	}
	if one.Epoch() == cfg.Epochs {
		t.Errorf("early stopping did not end the run (%d epochs)", one.Epoch())
	}
}

// Replica 0's SetShuffle reaches every replica with the next exchange and
// applies to all of them from the batch after it; a follower's own
// SetShuffle is ignored.
func TestReplicaShuffleSameStep(t *testing.T) {
	train := synthData(256, 8)
	cfg := testConfig()
	cfg.Epochs = 0
	one, err := NewTrainer(cfg, train, Dataset{})
	if err != nil {
		t.Fatal(err)
	}
	reps := newReplicas(t, cfg, train, Dataset{}, 2)
	reps[1].SetShuffle(true, 1) // ignored: replica 0 decides
	for step := 1; step <= 6; step++ {
		switch step {
		case 2:
			reps[0].SetShuffle(true, 0.5) // sent with step 2's exchange
		case 3:
			one.SetShuffle(true, 0.5) // so in force from step 3
		case 4:
			reps[0].SetShuffle(false, 0)
		case 5:
			one.SetShuffle(false, 0)
		}
		if _, _, err := one.Step(); err != nil {
			t.Fatal(err)
		}
		stepAll(t, reps)
		w := one.Model().Weights(nil)
		for r, tr := range reps {
			if d := maxRelDiff(tr.Model().Weights(nil), w); d > 1e-4 {
				t.Fatalf("step %d replica %d: weights differ from one trainer's by %.3g", step, r, d)
			}
		}
		on0, f0 := reps[0].Shuffled()
		on1, f1 := reps[1].Shuffled()
		if on0 != on1 || f0 != f1 {
			t.Fatalf("step %d: replica 0 shuffles %v %v, replica 1 %v %v", step, on0, f0, on1, f1)
		}
	}
}

// A run configured with shuffled labels starts shuffled on every replica,
// whatever replica 0 did with its shuffling before the first step.
func TestReplicaShuffleFromConfig(t *testing.T) {
	train := synthData(128, 9)
	cfg := testConfig()
	cfg.ShuffleFraction = 0.3
	reps := newReplicas(t, cfg, train, Dataset{}, 2)
	if on, f := reps[0].Shuffled(); !on || f != 0.3 {
		t.Fatalf("replica 0 before the first step: %v %v", on, f)
	}
	stepAll(t, reps)
	for r, tr := range reps {
		if on, f := tr.Shuffled(); !on || f != 0.3 {
			t.Errorf("replica %d: shuffled %v %v, want on 0.3", r, on, f)
		}
	}
}
