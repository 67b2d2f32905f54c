package kernels

import (
	"fmt"
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

// BenchmarkGemmNTPath compares the packed kernel with the dot-product
// kernel on NT shapes, to place dotMinK.
func BenchmarkGemmNTPath(b *testing.B) {
	for _, s := range []struct{ m, n, k int }{{64, 100, 320}, {64, 100, 784}, {20, 250, 512}, {20, 250, 4096}, {10, 25, 36864}, {64, 10, 100}} {
		for _, path := range []string{"packed", "dot"} {
			b.Run(fmt.Sprintf("%dx%dx%d/%s", s.m, s.n, s.k, path), func(b *testing.B) {
				a := make([]float32, s.m*s.k)
				bb := make([]float32, s.n*s.k)
				c := make([]float32, s.m*s.n)
				f := func() {
					if path == "dot" {
						gemmNTDot(s.m, s.n, s.k, a, s.k, bb, s.k, 0, c, s.n)
					} else {
						gemmPacked(false, true, s.m, s.n, s.k, a, s.k, bb, s.k, 0, c, s.n)
					}
				}
				f()
				cpu0 := cpuTime()
				best := time.Duration(math.MaxInt64)
				for b.Loop() {
					t0 := time.Now()
					f()
					best = min(best, time.Since(t0))
				}
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/(cpuTime()-cpu0).Seconds()/1e9, "cpu-GFLOP/s")
				b.ReportMetric(2*float64(s.m*s.n*s.k)/best.Seconds()/1e9, "best-GFLOP/s")
			})
		}
	}
}

func BenchmarkDot2x4(b *testing.B) {
	for _, l := range []int{256, 1024} {
		b.Run(fmt.Sprint(l), func(b *testing.B) {
			x := make([]float32, 6*l)
			var s [8]float32
			best := time.Duration(math.MaxInt64)
			for b.Loop() {
				t0 := time.Now()
				for range 16 {
					dot2x4(x[:l], x[l:2*l], x[2*l:3*l], x[3*l:4*l], x[4*l:5*l], x[5*l:], &s)
				}
				best = min(best, time.Since(t0))
			}
			b.ReportMetric(16*2*8*float64(l)/best.Seconds()/1e9, "best-GFLOP/s")
		})
	}
}
