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

// loops128 returns the register-only loops at 128 bits, the width of wasm
// SIMD: 12 chains of fused multiply-adds (what f32x4.relaxed_madd becomes
// on this CPU) and 12 chains of a multiply then an add (f32x4.mul and
// f32x4.add). Their ratio is the most the relaxed build can gain where a
// kernel is bound by the arithmetic units; nil without AVX and FMA.
func loops128() []kernelMeasure {
	if !cpu.X86.HasAVX || !cpu.X86.HasFMA {
		return nil
	}
	var out [16]float32
	return []kernelMeasure{
		{"fma", 12 * 4 * 2 * peakIters, func() { peakSSEFMA(peakIters, &out) }},
		{"mul-add", 12 * 4 * 2 * peakIters, func() { peakSSEMulAdd(peakIters, &out) }},
	}
}

// peakSSEFMA is peakAVX512 on XMM registers.
//
//go:noescape
func peakSSEFMA(n int, out *[16]float32)

// peakSSEMulAdd runs n > 0 steps of 12 VMULPS then 12 VADDPS on XMM
// registers (12 chains of a multiply and an add) and stores the first
// chain in out.
//
//go:noescape
func peakSSEMulAdd(n int, out *[16]float32)
