//go:build goexperiment.simd && wasm && relaxedsimd

#include "textflag.h"

// Each step is one f32x4.relaxed_madd per chain; cmd/wasmrelax repairs
// its encoding after linking (see mk/bench.mk).

// func peakWasm(n int, out *[16]float32)
TEXT ·peakWasm(SB), NOSPLIT, $0-16
	Get SP
	I64Load n+0(FP)
	Set R0
	Get SP
	I64Load out+8(FP)
	Set R1
	Get R1
	I32WrapI64
	V128Load $0
	Set V10
	Get R1
	I32WrapI64
	V128Load $16
	Set V11
	Loop
	Get V10
	Get V11
	Get V0
	F32x4RelaxedMadd
	Set V0
	Get V10
	Get V11
	Get V1
	F32x4RelaxedMadd
	Set V1
	Get V10
	Get V11
	Get V2
	F32x4RelaxedMadd
	Set V2
	Get V10
	Get V11
	Get V3
	F32x4RelaxedMadd
	Set V3
	Get V10
	Get V11
	Get V4
	F32x4RelaxedMadd
	Set V4
	Get V10
	Get V11
	Get V5
	F32x4RelaxedMadd
	Set V5
	Get V10
	Get V11
	Get V6
	F32x4RelaxedMadd
	Set V6
	Get V10
	Get V11
	Get V7
	F32x4RelaxedMadd
	Set V7
	Get V10
	Get V11
	Get V8
	F32x4RelaxedMadd
	Set V8
	Get V10
	Get V11
	Get V9
	F32x4RelaxedMadd
	Set V9
	Get R0
	I64Const $1
	I64Sub
	Tee R0
	I32WrapI64
	BrIf $0
	End
	// The sum of the chains, stored, so that the engine keeps all of them.
	Get V0
	Get V1
	F32x4Add
	Set V0
	Get V0
	Get V2
	F32x4Add
	Set V0
	Get V0
	Get V3
	F32x4Add
	Set V0
	Get V0
	Get V4
	F32x4Add
	Set V0
	Get V0
	Get V5
	F32x4Add
	Set V0
	Get V0
	Get V6
	F32x4Add
	Set V0
	Get V0
	Get V7
	F32x4Add
	Set V0
	Get V0
	Get V8
	F32x4Add
	Set V0
	Get V0
	Get V9
	F32x4Add
	Set V0
	Get R1
	I32WrapI64
	Get V0
	V128Store $0
	RET
