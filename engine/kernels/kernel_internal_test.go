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
			o := [4]int{2 * l, 3 * l, 4 * l, 5 * l}
			best := time.Duration(math.MaxInt64)
			for b.Loop() {
				t0 := time.Now()
				for range 16 {
					dotTile(2, x, 0, l, 0, x, &o, 0, l, 1, &s)
				}
				best = min(best, time.Since(t0))
			}
			b.ReportMetric(16*2*8*float64(l)/best.Seconds()/1e9, "best-GFLOP/s")
		})
	}
}

// BenchmarkConvKernels times the direct convolution kernels on the report's
// CNN at batch 64: forward (GemmRowOffsets) and weight gradient
// (GemmNTRowOffsets) of conv1 (1->10, 28x28) and conv2 (10->20, 12x12).
func BenchmarkConvKernels(b *testing.B) {
	const n = 64
	for _, g := range []struct {
		name       string
		c, h, o, k int
	}{{"conv1", 1, 28, 10, 5}, {"conv2", 10, 12, 20, 5}} {
		oh := g.h - g.k + 1
		ckk := g.c * g.k * g.k
		x := make([]float32, g.c*g.h*g.h*n)
		w := make([]float32, g.o*ckk)
		y := make([]float32, g.o*oh*oh*n)
		off := make([]int32, ckk)
		for ci := range g.c {
			for ky := range g.k {
				for kx := range g.k {
					off[(ci*g.k+ky)*g.k+kx] = int32(ci*g.h*g.h*n + ky*g.h*n + kx*n)
				}
			}
		}
		flops := 2 * float64(g.o*ckk*oh*oh*n)
		run := func(b *testing.B, f func()) {
			f()
			best := time.Duration(math.MaxInt64)
			for b.Loop() {
				t0 := time.Now()
				f()
				best = min(best, time.Since(t0))
			}
			b.ReportMetric(flops/best.Seconds()/1e9, "best-GFLOP/s")
		}
		b.Run(g.name+"/fwd", func(b *testing.B) {
			run(b, func() { GemmRowOffsets(g.o, oh*n, ckk, oh, w, ckk, x, off, g.h*n, y, oh*oh*n, oh*n) })
		})
		b.Run(g.name+"/dW", func(b *testing.B) {
			run(b, func() { GemmNTRowOffsets(g.o, ckk, oh*n, oh, y, oh*oh*n, oh*n, x, off, g.h*n, 1, w, ckk) })
		})
	}
}
