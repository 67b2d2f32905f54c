//go:build goexperiment.simd && wasm && !relaxedsimd

#include "textflag.h"

// Each step is an f32x4.mul and an f32x4.add per chain.

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
	F32x4Mul
	Get V0
	F32x4Add
	Set V0
	Get V10
	Get V11
	F32x4Mul
	Get V1
	F32x4Add
	Set V1
	Get V10
	Get V11
	F32x4Mul
	Get V2
	F32x4Add
	Set V2
	Get V10
	Get V11
	F32x4Mul
	Get V3
	F32x4Add
	Set V3
	Get V10
	Get V11
	F32x4Mul
	Get V4
	F32x4Add
	Set V4
	Get V10
	Get V11
	F32x4Mul
	Get V5
	F32x4Add
	Set V5
	Get V10
	Get V11
	F32x4Mul
	Get V6
	F32x4Add
	Set V6
	Get V10
	Get V11
	F32x4Mul
	Get V7
	F32x4Add
	Set V7
	Get V10
	Get V11
	F32x4Mul
	Get V8
	F32x4Add
	Set V8
	Get V10
	Get V11
	F32x4Mul
	Get V9
	F32x4Add
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
