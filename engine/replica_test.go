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
