//go:build goexperiment.simd && wasm

package main

// peakIters is the loop count of one call of the peak loop: long enough
// that the call costs nothing, short enough to time in small steps.
const peakIters = 1 << 16

// peak returns the register-only loop of this wasm build: 10 independent
// chains of 4-lane multiply-adds in vector locals (peak_wasm.s: f32x4.mul
// and f32x4.add; peak_relaxed_wasm.s, tag relaxedsimd: f32x4.relaxed_madd),
// enough to keep the engine's vector units busy whatever their latency.
func peak() (name string, flops float64, run func()) {
	var out [16]float32
	return peakName, 10 * 4 * 2 * peakIters, func() { peakWasm(peakIters, &out) }
}

// peakWasm runs n > 0 steps of the loop and stores the sum of the chains in
// out (a result the engine cannot drop).
//
//go:noescape
func peakWasm(n int, out *[16]float32)

// loops128 is native only: the wasm build's own peak loop is its limit.
func loops128() []kernelMeasure { return nil }
