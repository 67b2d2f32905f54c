package engine

import (
	"testing"
	"time"
)

// reportRate reports examples/s of wall-clock time and, since the machine
// may be shared, examples per CPU-second of the whole process (which
// includes the garbage collector and, natively, any other thread).
func reportRate(b *testing.B, examples int, cpu0 time.Duration) {
	b.ReportMetric(float64(examples)/b.Elapsed().Seconds(), "examples/s")
	if cpu := benchCPUTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(examples)/cpu.Seconds(), "examples/cpu-s")
	}
}

// BenchmarkTrainStep times one Trainer.Step (forward, loss, backward and an
// SGD-with-momentum update) on a batch of 64 random images and reports
// training examples per second. Run it as wasm under Node with
//
//	GOEXPERIMENT=simd GOOS=js GOARCH=wasm go test -run '^$' -bench TrainStep \
//	    -exec="$(go env GOROOT)/lib/wasm/go_js_wasm_exec" ./engine
func BenchmarkTrainStep(b *testing.B) {
	b.Run("cnn", func(b *testing.B) { benchmarkTrainStep(b, DefaultCNN()) })
	b.Run("mlp", func(b *testing.B) { benchmarkTrainStep(b, DefaultMLP()) })
}

func benchmarkTrainStep(b *testing.B, spec Spec) {
	const batch = 64
	train := synthData(batch*16, 1)
	tr, err := NewTrainer(Config{
		Model:     spec,
		Optim:     OptimConfig{Kind: Momentum},
		Schedule:  Schedule{LR0: 0.01},
		BatchSize: batch,
		Seed:      1,
	}, train, Dataset{})
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := tr.Step(); err != nil { // warm up the buffers
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := benchCPUTime()
	for range b.N {
		if _, _, err := tr.Step(); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, batch*b.N, cpu0)
}

// BenchmarkEvaluate times inference (Forward and the loss, no gradients) on
// batches of 256, in examples per second.
func BenchmarkEvaluate(b *testing.B) {
	for _, c := range []struct {
		name string
		spec Spec
	}{{"cnn", DefaultCNN()}, {"mlp", DefaultMLP()}} {
		b.Run(c.name, func(b *testing.B) {
			m, err := Build(c.spec, 1)
			if err != nil {
				b.Fatal(err)
			}
			d := synthData(1024, 2)
			var ev evaluator
			ev.evaluate(m, d, 256)
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := benchCPUTime()
			for range b.N {
				ev.evaluate(m, d, 256)
			}
			reportRate(b, d.N*b.N, cpu0)
		})
	}
}

// BenchmarkOptimStep times one optimizer update of the CNN's weights (what
// every replica of a data-parallel run repeats after the exchange).
func BenchmarkOptimStep(b *testing.B) {
	for _, kind := range []OptimKind{SGD, Momentum, Adam} {
		b.Run(string(kind), func(b *testing.B) {
			m, err := Build(DefaultCNN(), 1)
			if err != nil {
				b.Fatal(err)
			}
			opt, err := NewOptimizer(OptimConfig{Kind: kind})
			if err != nil {
				b.Fatal(err)
			}
			params := m.Params()
			for _, p := range params {
				for i := range p.G {
					p.G[i] = float32(i%7-3) * 1e-3
				}
			}
			opt.Step(params, 1e-3)
			b.ResetTimer()
			for range b.N {
				opt.Step(params, 1e-3)
			}
			b.ReportMetric(float64(m.NumWeights())*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mweights/s")
		})
	}
}
