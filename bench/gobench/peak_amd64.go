package main

import "golang.org/x/sys/cpu"

// peakIters is the loop count of one call of the peak loop: long enough
// that the call costs nothing, short enough to time in small steps.
const peakIters = 1 << 16

// peak returns the register-only loop at the widest level the engine's
// amd64 kernels use on this CPU (engine/kernels picks it the same way): 12
// independent chains of vector fused multiply-adds, enough to keep every
// FMA unit busy whatever its latency.
func peak() (name string, flops float64, run func()) {
	var out [16]float32
	switch {
	case cpu.X86.HasAVX512F && cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return "avx512-fma", 12 * 16 * 2 * peakIters, func() { peakAVX512(peakIters, &out) }
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return "avx2-fma", 12 * 8 * 2 * peakIters, func() { peakAVX2(peakIters, &out) }
	}
	return "", 0, nil
}

// peakAVX512 runs n > 0 steps of 12 VFMADD231PS on ZMM registers and
// stores the first chain in out.
//
//go:noescape
func peakAVX512(n int, out *[16]float32)

// peakAVX2 is peakAVX512 on YMM registers.
//
//go:noescape
func peakAVX2(n int, out *[16]float32)
