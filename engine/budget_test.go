package engine

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

// retained returns the bytes of heap that f allocates and what it returns
// keeps (buffers that grew are garbage by then and not counted).
func retained(f func() any) int64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	keep := f()
	runtime.GC()
	runtime.ReadMemStats(&b)
	runtime.KeepAlive(keep)
	return int64(b.HeapAlloc) - int64(a.HeapAlloc)
}

// near reports whether measured is the estimate within 1% plus 64 KB (the
// slice headers, Param structs and names the estimate leaves out).
func near(measured, estimate int64) bool {
	d := measured - estimate
	if d < 0 {
		d = -d
	}
	return d <= estimate/100+64<<10
}

// budgetSpecs cover every allocation path: direct convolutions with
// (C, H, W, N) hand-overs, im2col with stride and padding, average and max
// pooling in both layouts, and an MLP.
func budgetSpecs() map[string]Spec {
	strided := DefaultCNN()
	strided.Conv1 = ConvSpec{Kernel: 5, Stride: 2, Pad: 2}
	strided.Conv2 = ConvSpec{Kernel: 3, Stride: 1, Pad: 1}
	strided.Pool = PoolAvg
	pool3 := DefaultCNN()
	pool3.PoolSize = 3
	pool3.Pool = PoolMin
	return map[string]Spec{
		"cnn":     DefaultCNN(),
		"strided": strided,
		"pool3":   pool3,
		"mlp":     {Arch: ArchMLP, Hidden: []int{300, 100}},
	}
}

// The estimate of a model's buffers matches what Build, a training
// Forward and Backward, then a larger evaluation Forward really allocate.
func TestModelMemoryMatchesAllocation(t *testing.T) {
	const nT, nE = 48, 96
	x := make([]float32, nE*imagePixels)
	for i := range x {
		x[i] = float32(i%251) / 251
	}
	dl := make([]float32, nT*NumClasses)
	for i := range dl {
		dl[i] = 0.01
	}
	// The GEMM kernels' packing buffers are made once per process: not the model's.
	warm, _ := Build(DefaultCNN(), 1)
	warm.Forward(x, nT, true)
	warm.Backward(dl)
	for name, spec := range budgetSpecs() {
		plan, err := spec.plan()
		if err != nil {
			t.Fatal(err)
		}
		got := retained(func() any {
			m, _ := Build(spec, 1)
			m.Forward(x, nT, true)
			m.Backward(dl)
			m.Forward(x, nE, false)
			return m
		})
		want := modelBytes(plan, layouts(plan), nE, nT, modelPerParam, nil)
		t.Logf("%s: allocated %d bytes, estimated %d", name, got, want)
		if !near(got, want) {
			t.Errorf("%s: allocated %d bytes, estimated %d", name, got, want)
		}
	}
}

// A trainer's estimate matches what NewTrainer and an epoch (steps, then
// the evaluation at its end) allocate.
func TestTrainMemoryMatchesAllocation(t *testing.T) {
	train, val := synthData(96, 1), synthData(300, 2)
	for name, spec := range budgetSpecs() {
		for _, kind := range []OptimKind{SGD, Momentum, Adam} {
			cfg := testConfig()
			cfg.Model = spec
			cfg.Optim = OptimConfig{Kind: kind, Momentum: 0.5}
			cfg.BatchSize = 48
			cfg.Epochs = 1
			mem, err := cfg.TrainMemory()
			if err != nil {
				t.Fatal(err)
			}
			got := retained(func() any {
				tr, err := NewTrainer(cfg, train, val)
				if err != nil {
					t.Fatal(err)
				}
				for !tr.Done() {
					if _, _, err := tr.Step(); err != nil {
						t.Fatal(err)
					}
				}
				return tr
			})
			// The batcher's permutation of the training set is the data's, not the model's.
			got -= int64(train.N) * intBytes
			t.Logf("%s %s: allocated %d bytes, estimated %d", name, kind, got, mem.Bytes)
			if !near(got, mem.Bytes) {
				t.Errorf("%s %s: allocated %d bytes, estimated %d", name, kind, got, mem.Bytes)
			}
			if mem.Eval != chunk {
				t.Errorf("%s %s: evaluation batch %d, want %d", name, kind, mem.Eval, chunk)
			}
		}
	}
}

// The links of the issue: a kernel of 64 with padding 63 cannot even
// classify one image in a browser tab; both convolutions at kernel 28,
// padding 27 cannot train on batches of 32 or 64. The error names the layer
// and the numbers.
func TestBudgetRefuses(t *testing.T) {
	defer SetMemoryLimit(SetMemoryLimit(1 << 30))
	huge := DefaultCNN()
	huge.Conv1 = ConvSpec{Kernel: 64, Stride: 1, Pad: 63}
	huge.Conv2 = huge.Conv1
	for _, err := range []error{huge.Validate(), func() error { _, err := Build(huge, 1); return err }()} {
		var be *BudgetError
		if !errors.As(err, &be) {
			t.Fatalf("kernel 64, pad 63: %v, want a *BudgetError", err)
		}
		if be.Layer != "conv2" || be.Train || be.Batch != 1 || be.Bytes <= be.Limit {
			t.Errorf("kernel 64: %+v", be)
		}
		msg := err.Error()
		for _, s := range []string{"conv2: classifying one image needs ", " GB of memory", "the limit is 1 GB", "smaller kernel"} {
			if !strings.Contains(msg, s) {
				t.Errorf("message %q lacks %q", msg, s)
			}
		}
	}
	wide := DefaultCNN()
	wide.Conv1 = ConvSpec{Kernel: 28, Stride: 1, Pad: 27}
	wide.Conv2 = wide.Conv1
	if err := wide.Validate(); err != nil {
		t.Fatalf("kernel 28 classifies one image within 1 GB, got %v", err)
	}
	for _, batch := range []int{32, 64, 0} {
		cfg := testConfig()
		cfg.Model = wide
		cfg.BatchSize = batch
		err := cfg.CheckMemory()
		var be *BudgetError
		if !errors.As(err, &be) {
			t.Fatalf("kernel 28, batch %d: %v, want a *BudgetError", batch, err)
		}
		wantN := batch
		if batch == 0 {
			wantN = chunk
		}
		if be.Layer != "conv2" || !be.Train || be.Batch != wantN {
			t.Errorf("kernel 28, batch %d: %+v", batch, be)
		}
		if !strings.Contains(err.Error(), "padding or batch") {
			t.Errorf("message %q gives no advice on the batch", err)
		}
		if _, err := NewTrainer(cfg, synthData(64, 1), Dataset{}); !errors.As(err, &be) {
			t.Errorf("NewTrainer, kernel 28, batch %d: %v, want a *BudgetError", batch, err)
		}
	}
	// The same configuration fits at a batch of one, and natively the
	// default limit allows batch 32.
	cfg := testConfig()
	cfg.Model = wide
	cfg.BatchSize = 1
	if err := cfg.CheckMemory(); err != nil {
		t.Errorf("kernel 28, batch 1: %v", err)
	}
}

// A model too big to evaluate 256 images at once evaluates fewer at a
// time, within the limit, and gives the same numbers.
func TestEvalBatchWithinLimit(t *testing.T) {
	spec := DefaultCNN()
	spec.Conv1 = ConvSpec{Kernel: 9, Stride: 1, Pad: 8}
	const limit = 96 << 20
	old := SetMemoryLimit(limit)
	cfg := testConfig()
	cfg.Model = spec
	cfg.BatchSize = 16
	mem, err := cfg.TrainMemory()
	if err != nil || mem.Bytes > limit || mem.Eval <= 16 || mem.Eval >= chunk {
		SetMemoryLimit(old)
		t.Fatalf("TrainMemory at a 96 MB limit: %+v, %v; want an evaluation batch in (16, %d)", mem, err, chunk)
	}
	m, err := Build(spec, 3)
	SetMemoryLimit(old)
	if err != nil {
		t.Fatal(err)
	}
	if m.EvalBatch() >= chunk {
		t.Fatalf("EvalBatch %d at a 96 MB limit", m.EvalBatch())
	}
	val := synthData(300, 4)
	l1, a1 := Evaluate(m, val, 0)
	if m.Batch() > m.EvalBatch() {
		t.Errorf("Evaluate ran Forward on %d images, EvalBatch is %d", m.Batch(), m.EvalBatch())
	}
	m2, _ := Build(spec, 3)
	l2, a2 := Evaluate(m2, val, 0)
	if a1 != a2 || !closeRel(l1, l2, 1e-5) {
		t.Errorf("loss, accuracy %v, %v with small evaluation batches; %v, %v with 256", l1, a1, l2, a2)
	}
}

func closeRel(a, b, tol float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	return d <= tol*max(1, a, -a)
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{
		1000: "1 KB", 5 << 20: "5 MB", 5<<20 + 1<<19: "5.5 MB", 38 << 20: "38 MB",
		1 << 30: "1 GB", 4187593113: "3.9 GB", 131 << 30: "131 GB",
	} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
