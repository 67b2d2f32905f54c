//go:build goexperiment.simd && wasm

// dot2x4's loop in WebAssembly (see dot2x4Asm in gemm_dot_simd_wasm.go).
//
// Registers (wasm locals): R0 groups of 4 vectors left, R1 single vectors
// left, R2 and R3 rows a0 and a1, R4-R7 rows b0-b3 (running pointers), R8
// acc. V0-V7 the accumulators acc.c0-c7 (c0-c3: a0 times b0-b3, c4-c7: a1
// times b0-b3), V8 and V9 a vector of a0 and a1, V10 a vector of a b row.

#include "textflag.h"

// func dot2x4Asm(groups, singles int, a0, a1, b0, b1, b2, b3 *float32, acc *[32]float32)
TEXT ·dot2x4Asm(SB), NOSPLIT, $0-72
	Get SP
	I64Load groups+0(FP)
	Set R0
	Get SP
	I64Load singles+8(FP)
	Set R1
	Get SP
	I64Load a0+16(FP)
	Set R2
	Get SP
	I64Load a1+24(FP)
	Set R3
	Get SP
	I64Load b0+32(FP)
	Set R4
	Get SP
	I64Load b1+40(FP)
	Set R5
	Get SP
	I64Load b2+48(FP)
	Set R6
	Get SP
	I64Load b3+56(FP)
	Set R7
	Get SP
	I64Load acc+64(FP)
	Set R8
	// Load the accumulators.
	Get R8
	I32WrapI64
	V128Load $0
	Set V0
	Get R8
	I32WrapI64
	V128Load $16
	Set V1
	Get R8
	I32WrapI64
	V128Load $32
	Set V2
	Get R8
	I32WrapI64
	V128Load $48
	Set V3
	Get R8
	I32WrapI64
	V128Load $64
	Set V4
	Get R8
	I32WrapI64
	V128Load $80
	Set V5
	Get R8
	I32WrapI64
	V128Load $96
	Set V6
	Get R8
	I32WrapI64
	V128Load $112
	Set V7
	// Groups of 4 vectors: loads at constant offsets, one pointer update each.
	Block
	Get R0
	I64Eqz
	BrIf $0
	Loop
	Get R2
	I32WrapI64
	V128Load $0
	Set V8
	Get R3
	I32WrapI64
	V128Load $0
	Set V9
	Get R4
	I32WrapI64
	V128Load $0
	Set V10
	Get V8
	Get V10
	F32x4Mul
	Get V0
	F32x4Add
	Set V0
	Get V9
	Get V10
	F32x4Mul
	Get V4
	F32x4Add
	Set V4
	Get R5
	I32WrapI64
	V128Load $0
	Set V10
	Get V8
	Get V10
	F32x4Mul
	Get V1
	F32x4Add
	Set V1
	Get V9
	Get V10
	F32x4Mul
	Get V5
	F32x4Add
	Set V5
	Get R6
	I32WrapI64
	V128Load $0
	Set V10
	Get V8
	Get V10
	F32x4Mul
	Get V2
	F32x4Add
	Set V2
	Get V9
	Get V10
	F32x4Mul
	Get V6
	F32x4Add
	Set V6
	Get R7
	I32WrapI64
	V128Load $0
	Set V10
	Get V8
	Get V10
	F32x4Mul
	Get V3
	F32x4Add
	Set V3
	Get V9
	Get V10
	F32x4Mul
	Get V7
	F32x4Add
	Set V7
	Get R2
	I32WrapI64
	V128Load $16
	Set V8
	Get R3
	I32WrapI64
	V128Load $16
	Set V9
	Get R4
	I32WrapI64
	V128Load $16
	Set V10
	Get V8
	Get V10
	F32x4Mul
	Get V0
	F32x4Add
	Set V0
	Get V9
	Get V10
	F32x4Mul
	Get V4
	F32x4Add
	Set V4
	Get R5
	I32WrapI64
	V128Load $16
	Set V10
	Get V8
	Get V10
	F32x4Mul
	Get V1
	F32x4Add
	Set V1
	Get V9
	Get V10
	F32x4Mul
	Get V5
	F32x4Add
	Set V5
	Get R6
	I32WrapI64
	V128Load $16
	Set V10
	Get V8
	Get V10
	F32x4Mul
	Get V2
	F32x4Add
	Set V2
	Get V9
	Get V10
	F32x4Mul
	Get V6
	F32x4Add
	Set V6
	Get R7
	I32WrapI64
	V128Load $16
	Set V10
	Get V8
	Get V10
	F32x4Mul
	Get V3
	F32x4Add
	Set V3
	Get V9
	Get V10
	F32x4Mul
	Get V7
	F32x4Add
	Set V7
	Get R2
	I32WrapI64
	V128Load $32
	Set V8
	Get R3
	I32WrapI64
	V128Load $32
	Set V9
	Get R4
	I32WrapI64
	V128Load $32
	Set V10
	Get V8
	Get V10
	F32x4Mul
	Get V0
	F32x4Add
	Set V0
	Get V9
	Get V10
	F32x4Mul
	Get V4
	F32x4Add
	Set V4
	Get R5
	I32WrapI64
	V128Load $32
	Set V10
	Get V8
	Get V10
	F32x4Mul
	Get V1
	F32x4Add
	Set V1
	Get V9
	Get V10
	F32x4Mul
	Get V5
	F32x4Add
	Set V5
	Get R6
	I32WrapI64
	V128Load $32
	Set V10
	Get V8
	Get V10
	F32x4Mul
	Get V2
	F32x4Add
	Set V2
	Get V9
	Get V10
	F32x4Mul
	Get V6
	F32x4Add
	Set V6
	Get R7
	I32WrapI64
	V128Load $32
	Set V10
	Get V8
	Get V10
	F32x4Mul
	Get V3
	F32x4Add
	Set V3
	Get V9
	Get V10
	F32x4Mul
	Get V7
	F32x4Add
	Set V7
	Get R2
	I32WrapI64
	V128Load $48
	Set V8
	Get R3
	I32WrapI64
	V128Load $48
	Set V9
	Get R4
	I32WrapI64
	V128Load $48
	Set V10
	Get V8
	Get V10
	F32x4Mul
	Get V0
	F32x4Add
	Set V0
	Get V9
	Get V10
	F32x4Mul
	Get V4
	F32x4Add
	Set V4
	Get R5
	I32WrapI64
	V128Load $48
	Set V10
	Get V8
	Get V10
	F32x4Mul
	Get V1
	F32x4Add
	Set V1
	Get V9
	Get V10
	F32x4Mul
	Get V5
	F32x4Add
	Set V5
	Get R6
	I32WrapI64
	V128Load $48
	Set V10
	Get V8
	Get V10
	F32x4Mul
	Get V2
	F32x4Add
	Set V2
	Get V9
	Get V10
	F32x4Mul
	Get V6
	F32x4Add
	Set V6
	Get R7
	I32WrapI64
	V128Load $48
	Set V10
	Get V8
	Get V10
	F32x4Mul
	Get V3
	F32x4Add
	Set V3
	Get V9
	Get V10
	F32x4Mul
	Get V7
	F32x4Add
	Set V7
	Get R2
	I64Const $64
	I64Add
	Set R2
	Get R3
	I64Const $64
	I64Add
	Set R3
	Get R4
	I64Const $64
	I64Add
	Set R4
	Get R5
	I64Const $64
	I64Add
	Set R5
	Get R6
	I64Const $64
	I64Add
	Set R6
	Get R7
	I64Const $64
	I64Add
	Set R7
	Get R0
	I64Const $1
	I64Sub
	Tee R0
	I32WrapI64
	BrIf $0
	End
	End
	// The last vectors, one at a time.
	Block
	Get R1
	I64Eqz
	BrIf $0
	Loop
	Get R2
	I32WrapI64
	V128Load $0
	Set V8
	Get R3
	I32WrapI64
	V128Load $0
	Set V9
	Get R4
	I32WrapI64
	V128Load $0
	Set V10
	Get V8
	Get V10
	F32x4Mul
	Get V0
	F32x4Add
	Set V0
	Get V9
	Get V10
	F32x4Mul
	Get V4
	F32x4Add
	Set V4
	Get R5
	I32WrapI64
	V128Load $0
	Set V10
	Get V8
	Get V10
	F32x4Mul
	Get V1
	F32x4Add
	Set V1
	Get V9
	Get V10
	F32x4Mul
	Get V5
	F32x4Add
	Set V5
	Get R6
	I32WrapI64
	V128Load $0
	Set V10
	Get V8
	Get V10
	F32x4Mul
	Get V2
	F32x4Add
	Set V2
	Get V9
	Get V10
	F32x4Mul
	Get V6
	F32x4Add
	Set V6
	Get R7
	I32WrapI64
	V128Load $0
	Set V10
	Get V8
	Get V10
	F32x4Mul
	Get V3
	F32x4Add
	Set V3
	Get V9
	Get V10
	F32x4Mul
	Get V7
	F32x4Add
	Set V7
	Get R2
	I64Const $16
	I64Add
	Set R2
	Get R3
	I64Const $16
	I64Add
	Set R3
	Get R4
	I64Const $16
	I64Add
	Set R4
	Get R5
	I64Const $16
	I64Add
	Set R5
	Get R6
	I64Const $16
	I64Add
	Set R6
	Get R7
	I64Const $16
	I64Add
	Set R7
	Get R1
	I64Const $1
	I64Sub
	Tee R1
	I32WrapI64
	BrIf $0
	End
	End
	// Store the accumulators (the assembler drops a store's offset: add it).
	Get R8
	I32WrapI64
	Get V0
	V128Store $0
	Get R8
	I64Const $16
	I64Add
	I32WrapI64
	Get V1
	V128Store $0
	Get R8
	I64Const $32
	I64Add
	I32WrapI64
	Get V2
	V128Store $0
	Get R8
	I64Const $48
	I64Add
	I32WrapI64
	Get V3
	V128Store $0
	Get R8
	I64Const $64
	I64Add
	I32WrapI64
	Get V4
	V128Store $0
	Get R8
	I64Const $80
	I64Add
	I32WrapI64
	Get V5
	V128Store $0
	Get R8
	I64Const $96
	I64Add
	I32WrapI64
	Get V6
	V128Store $0
	Get R8
	I64Const $112
	I64Add
	I32WrapI64
	Get V7
	V128Store $0
	RET
