package main

import (
	"fmt"
	"time"

	"mnistplay/engine/kernels"
)

// kernelMeasure is one kernel at a shape the engine uses: run does one call
// of flops floating-point operations (a multiply-add counts 2).
type kernelMeasure struct {
	name  string
	flops float64
	run   func()
}

// kernelMeasures returns the measures of -only kernels: each assembly loop
// of engine/kernels reached through its public entry point, at the report's
// CNN (conv2: 10->20 channels, 12x12 input, 5x5 kernel, batch 64) or a
// square product.
func kernelMeasures() []kernelMeasure {
	const (
		n          = batch
		c, h, o, k = 10, 12, 20, 5
		oh         = h - k + 1
		ckk        = c * k * k
	)
	x := make([]float32, c*h*h*n)   // (C, H, W, N)
	w := make([]float32, o*ckk)     // (OutC, C·K·K)
	y := make([]float32, o*oh*oh*n) // (OutC, OH, OW, N)
	off := make([]int32, ckk)
	for ci := range c {
		for ky := range k {
			for kx := range k {
				off[(ci*k+ky)*k+kx] = int32(ci*h*h*n + ky*h*n + kx*n)
			}
		}
	}
	convFlops := 2 * float64(o*ckk*oh*oh*n)

	const sq = 256
	a := make([]float32, sq*sq)
	b := make([]float32, sq*sq)
	cc := make([]float32, sq*sq)
	const ntM, ntN, ntK = 64, 256, 1024
	an := make([]float32, ntM*ntK)
	bn := make([]float32, ntN*ntK)
	cn := make([]float32, ntM*ntN)
	return []kernelMeasure{
		// The 4xN micro-kernel on packed panels.
		{"gemm-nn-256", 2 * sq * sq * sq, func() { kernels.Gemm(false, false, sq, sq, sq, a, sq, b, sq, 0, cc, sq) }},
		// The micro-kernel with B rows at tap offsets: conv2 forward.
		{"conv2-fwd", convFlops, func() { kernels.GemmRowOffsets(o, oh*n, ckk, oh, w, ckk, x, off, h*n, y, oh*oh*n, oh*n) }},
		// The 2x4 dot-product tile: an NT product with a long k.
		{"gemm-nt-64x256x1024", 2 * ntM * ntN * ntK, func() { kernels.Gemm(false, true, ntM, ntN, ntK, an, ntK, bn, ntK, 0, cn, ntN) }},
		// The dot-product tile at tap offsets: conv2 weight gradient.
		{"conv2-dw", convFlops, func() { kernels.GemmNTRowOffsets(o, ckk, oh*n, oh, y, oh*oh*n, oh*n, x, off, h*n, 1, w, ckk) }},
	}
}

// runKernels prints the peak multiply-add rate of a register-only loop
// (peak), then each kernel's rate and its fraction of that peak, each the
// best rate over short slices (see rate):
//
//	bench system=NAME kernel=peak-WHAT gflops=P
//	bench system=NAME kernel=loop128-fma|loop128-mul-add gflops=L   (amd64)
//	bench system=NAME kernel=K gflops=N peak_gflops=P of_peak=F
func runKernels(system string, warmup, seconds float64) {
	pname, pflops, prun := peak()
	p := 0.0
	if prun != nil {
		p = rate(pflops, prun, warmup, seconds)
		fmt.Printf("bench system=%s kernel=peak-%s gflops=%.2f\n", system, pname, p)
	}
	for _, l := range loops128() {
		fmt.Printf("bench system=%s kernel=loop128-%s gflops=%.2f\n", system, l.name, rate(l.flops, l.run, warmup, seconds))
	}
	for _, m := range kernelMeasures() {
		g := rate(m.flops, m.run, warmup, seconds)
		if p > 0 {
			fmt.Printf("bench system=%s kernel=%s gflops=%.2f peak_gflops=%.2f of_peak=%.3f\n", system, m.name, g, p, g/p)
		} else {
			fmt.Printf("bench system=%s kernel=%s gflops=%.2f\n", system, m.name, g)
		}
	}
}

// rate runs f for warmup seconds, then for seconds (at least once each),
// and returns the GFLOP/s of the fastest slice of the timed part, each
// slice at least rateSlice long: a rate next to a peak should be the
// machine's, and on a shared machine the slices where another process held
// the core are the slow ones.
func rate(flops float64, f func(), warmup, seconds float64) float64 {
	const rateSlice = 0.02 // seconds
	t0 := time.Now()
	for f(); time.Since(t0).Seconds() < warmup; {
		f()
	}
	best := 0.0
	t0 = time.Now()
	for {
		n, s0 := 0, time.Now()
		var el float64
		for {
			f()
			n++
			if el = time.Since(s0).Seconds(); el >= rateSlice {
				break
			}
		}
		best = max(best, flops*float64(n)/el/1e9)
		if time.Since(t0).Seconds() >= seconds {
			return best
		}
	}
}
