package kernels

import "testing"

func BenchmarkMicroKernel(b *testing.B) {
	mr, nr := tileSize()
	kc := 256
	ap := make([]float32, kc*mr)
	bp := make([]float32, kc*nr)
	c := make([]float32, mr*nr)
	for i := range ap {
		ap[i] = 1
	}
	for b.Loop() {
		microKernel(kc, ap, bp, c, nr, 1)
	}
	b.ReportMetric(2*float64(mr*nr*kc)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
