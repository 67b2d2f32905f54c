package engine

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// benchmarkStep times one training step (ZeroGrad, Forward, loss, Backward;
// no optimizer) at batch 64 and reports examples per second.
func benchmarkStep(b *testing.B, spec Spec) {
	const n = 64
	m, err := Build(spec, 1)
	if err != nil {
		b.Fatal(err)
	}
	x := randSlice(rand.New(rand.NewPCG(1, 2)), n*784, 1) // (n, 1, 28, 28)
	labels := make([]uint8, n)                            // (n)
	for i := range labels {
		labels[i] = uint8(i % 10)
	}
	d := make([]float32, n*NumClasses) // (n, 10)
	step := func() {
		m.ZeroGrad()
		SoftmaxCrossEntropy(m.Forward(x, n, true), labels, n, NumClasses, d)
		m.Backward(d)
	}
	step()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := benchCPUTime()
	best := time.Duration(math.MaxInt64)
	for range b.N {
		t0 := time.Now()
		step()
		best = min(best, time.Since(t0))
	}
	reportRate(b, n*b.N, cpu0)
	// The fastest step: on a loaded machine, the closest to an idle one.
	b.ReportMetric(n/best.Seconds(), "best-examples/s")
}

func BenchmarkForwardBackward(b *testing.B) {
	b.Run("cnn", func(b *testing.B) { benchmarkStep(b, DefaultCNN()) })
	b.Run("mlp", func(b *testing.B) { benchmarkStep(b, DefaultMLP()) })
}

// reportCPUPerOp reports the process's CPU time per iteration in ms, a
// steadier figure than ns/op on a shared machine.
func reportCPUPerOp(b *testing.B, cpu0 time.Duration) {
	if cpu := benchCPUTime() - cpu0; cpu > 0 {
		b.ReportMetric(cpu.Seconds()*1e3/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkLayers times each layer of the default CNN alone, forward and
// backward, at batch 64, to show where the time goes.
func BenchmarkLayers(b *testing.B) {
	const n = 64
	m, _ := Build(DefaultCNN(), 1)
	x := randSlice(rand.New(rand.NewPCG(1, 2)), n*784, 1)
	m.Forward(x, n, true)
	in := x
	for i, l := range m.layers {
		layerIn := in
		out := m.layerOutput(i)
		dy := randSlice(rand.New(rand.NewPCG(3, 4)), len(out), 1)
		b.Run(l.Name()+"/forward", func(b *testing.B) {
			cpu0 := benchCPUTime()
			for range b.N {
				l.Forward(layerIn, n, true)
			}
			reportCPUPerOp(b, cpu0)
		})
		b.Run(l.Name()+"/backward", func(b *testing.B) {
			l.Forward(layerIn, n, true)
			cpu0 := benchCPUTime()
			for range b.N {
				l.Backward(dy)
			}
			reportCPUPerOp(b, cpu0)
		})
		in = l.Forward(layerIn, n, true)
	}
}
