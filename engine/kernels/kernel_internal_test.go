package kernels

import (
	"math"
	"testing"
	"time"
)

func BenchmarkMicroKernel(b *testing.B) {
	mr, nr := tileSize()
	kc := 256
	ap := make([]float32, kc*mr)
	bp := make([]float32, kc*nr)
	c := make([]float32, mr*nr)
	for i := range ap {
		ap[i] = 1
	}
	best := time.Duration(math.MaxInt64)
	for b.Loop() {
		t0 := time.Now()
		for range 16 {
			microKernel(kc, 1, ap, bp, c, nr, 1)
		}
		best = min(best, time.Since(t0))
	}
	b.ReportMetric(16*2*float64(mr*nr*kc)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	b.ReportMetric(16*2*float64(mr*nr*kc)/best.Seconds()/1e9, "best-GFLOP/s")
}
