//go:build goexperiment.simd && wasm

// The 4x8 micro-kernels of gemm_simd_wasm.go and gemm_off_simd_wasm.go in
// WebAssembly, written out by hand so that the loop over k is a native wasm
// loop and the tile stays in vector locals (see microKernelAsm).
//
// Registers (wasm locals): R0 tiles left, R1 kc, R2 ap, R3 off, R4 B (the
// tile's panel, or its column when B rows are at offsets), R5 the tile's
// column in row 0 of C, R6 ldc in bytes, R7 the running A pointer, R8 the
// running off pointer, R9 steps left, R10 the B row, R11 a row of C, R12
// beta's bits. V0-V7 the tile (row i in V2i, V2i+1), V8 and V9 a B row,
// V10 a broadcast A value, V11 beta broadcast, V12 zero (never set: locals
// start at zero).
//
// Go's assembler drops the offset of a store (V128Store $16 stores at 0),
// so stores add their offset to the address first.

#include "textflag.h"

// func microKernelAsm(kc, np int, ap *float32, bp *float32, c *float32, ldc int, beta float32)
TEXT ·microKernelAsm(SB), NOSPLIT, $0-52
	Get SP
	I64Load kc+0(FP)
	Set R1
	Get SP
	I64Load np+8(FP)
	Set R0
	Get SP
	I64Load ap+16(FP)
	Set R2
	Get SP
	I64Load bp+24(FP)
	Set R4
	Get SP
	I64Load c+32(FP)
	Set R5
	Get SP
	I64Load ldc+40(FP)
	I64Const $2
	I64Shl
	Set R6
	Get SP
	I64Load32U beta+48(FP)
	Set R12
	Get SP
	F32Load beta+48(FP)
	F32x4Splat
	Set V11

	Block
	Loop
	Get R0
	I64Eqz
	BrIf $1
	// Tile: V0-V7 = 0, then kc steps of C += a(:, p)·b(p, :).
	Get V12
	Set V0
	Get V12
	Set V1
	Get V12
	Set V2
	Get V12
	Set V3
	Get V12
	Set V4
	Get V12
	Set V5
	Get V12
	Set V6
	Get V12
	Set V7
	Get R2
	Set R7
	Get R1
	Set R9
	Loop
	Get R4
	I32WrapI64
	V128Load $0
	Set V8
	Get R4
	I32WrapI64
	V128Load $16
	Set V9
	Get R7
	I32WrapI64
	F32Load $0
	F32x4Splat
	Set V10
	Get V10
	Get V8
	F32x4Mul
	Get V0
	F32x4Add
	Set V0
	Get V10
	Get V9
	F32x4Mul
	Get V1
	F32x4Add
	Set V1
	Get R7
	I32WrapI64
	F32Load $4
	F32x4Splat
	Set V10
	Get V10
	Get V8
	F32x4Mul
	Get V2
	F32x4Add
	Set V2
	Get V10
	Get V9
	F32x4Mul
	Get V3
	F32x4Add
	Set V3
	Get R7
	I32WrapI64
	F32Load $8
	F32x4Splat
	Set V10
	Get V10
	Get V8
	F32x4Mul
	Get V4
	F32x4Add
	Set V4
	Get V10
	Get V9
	F32x4Mul
	Get V5
	F32x4Add
	Set V5
	Get R7
	I32WrapI64
	F32Load $12
	F32x4Splat
	Set V10
	Get V10
	Get V8
	F32x4Mul
	Get V6
	F32x4Add
	Set V6
	Get V10
	Get V9
	F32x4Mul
	Get V7
	F32x4Add
	Set V7
	Get R7
	I64Const $16
	I64Add
	Set R7
	Get R4
	I64Const $32
	I64Add
	Set R4
	Get R9
	I64Const $1
	I64Sub
	Tee R9
	I32WrapI64
	BrIf $0
	End
	// Unless beta is 0, the tile += beta·C.
	Get R12
	I32WrapI64
	If
	Get R5
	I32WrapI64
	V128Load $0
	Get V11
	F32x4Mul
	Get V0
	F32x4Add
	Set V0
	Get R5
	I32WrapI64
	V128Load $16
	Get V11
	F32x4Mul
	Get V1
	F32x4Add
	Set V1
	Get R5
	Get R6
	I64Add
	Set R11
	Get R11
	I32WrapI64
	V128Load $0
	Get V11
	F32x4Mul
	Get V2
	F32x4Add
	Set V2
	Get R11
	I32WrapI64
	V128Load $16
	Get V11
	F32x4Mul
	Get V3
	F32x4Add
	Set V3
	Get R11
	Get R6
	I64Add
	Set R11
	Get R11
	I32WrapI64
	V128Load $0
	Get V11
	F32x4Mul
	Get V4
	F32x4Add
	Set V4
	Get R11
	I32WrapI64
	V128Load $16
	Get V11
	F32x4Mul
	Get V5
	F32x4Add
	Set V5
	Get R11
	Get R6
	I64Add
	Set R11
	Get R11
	I32WrapI64
	V128Load $0
	Get V11
	F32x4Mul
	Get V6
	F32x4Add
	Set V6
	Get R11
	I32WrapI64
	V128Load $16
	Get V11
	F32x4Mul
	Get V7
	F32x4Add
	Set V7
	End
	// Store the tile.
	Get R5
	I32WrapI64
	Get V0
	V128Store $0
	Get R5
	I64Const $16
	I64Add
	I32WrapI64
	Get V1
	V128Store $0
	Get R5
	Get R6
	I64Add
	Set R11
	Get R11
	I32WrapI64
	Get V2
	V128Store $0
	Get R11
	I64Const $16
	I64Add
	I32WrapI64
	Get V3
	V128Store $0
	Get R11
	Get R6
	I64Add
	Set R11
	Get R11
	I32WrapI64
	Get V4
	V128Store $0
	Get R11
	I64Const $16
	I64Add
	I32WrapI64
	Get V5
	V128Store $0
	Get R11
	Get R6
	I64Add
	Set R11
	Get R11
	I32WrapI64
	Get V6
	V128Store $0
	Get R11
	I64Const $16
	I64Add
	I32WrapI64
	Get V7
	V128Store $0
	// Next tile: C and, for B rows at offsets, B move 8 columns on; a
	// packed B pointer is already at the next panel.
	Get R5
	I64Const $32
	I64Add
	Set R5
	Get R0
	I64Const $1
	I64Sub
	Set R0
	Br $0
	End
	End
	RET

// func microKernelOffAsm(kc, np int, ap *float32, off *int32, bp *float32, c *float32, ldc int, beta float32)
TEXT ·microKernelOffAsm(SB), NOSPLIT, $0-60
	Get SP
	I64Load kc+0(FP)
	Set R1
	Get SP
	I64Load np+8(FP)
	Set R0
	Get SP
	I64Load ap+16(FP)
	Set R2
	Get SP
	I64Load off+24(FP)
	Set R3
	Get SP
	I64Load bp+32(FP)
	Set R4
	Get SP
	I64Load c+40(FP)
	Set R5
	Get SP
	I64Load ldc+48(FP)
	I64Const $2
	I64Shl
	Set R6
	Get SP
	I64Load32U beta+56(FP)
	Set R12
	Get SP
	F32Load beta+56(FP)
	F32x4Splat
	Set V11

	Block
	Loop
	Get R0
	I64Eqz
	BrIf $1
	// Tile: V0-V7 = 0, then kc steps of C += a(:, p)·b(p, :).
	Get V12
	Set V0
	Get V12
	Set V1
	Get V12
	Set V2
	Get V12
	Set V3
	Get V12
	Set V4
	Get V12
	Set V5
	Get V12
	Set V6
	Get V12
	Set V7
	Get R2
	Set R7
	Get R3
	Set R8
	Get R1
	Set R9
	Loop
	// B row p of this tile: bp + 4·off[p] + the tile's column.
	Get R8
	I32WrapI64
	I64Load32S $0
	I64Const $2
	I64Shl
	Get R4
	I64Add
	Set R10
	Get R10
	I32WrapI64
	V128Load $0
	Set V8
	Get R10
	I32WrapI64
	V128Load $16
	Set V9
	Get R7
	I32WrapI64
	F32Load $0
	F32x4Splat
	Set V10
	Get V10
	Get V8
	F32x4Mul
	Get V0
	F32x4Add
	Set V0
	Get V10
	Get V9
	F32x4Mul
	Get V1
	F32x4Add
	Set V1
	Get R7
	I32WrapI64
	F32Load $4
	F32x4Splat
	Set V10
	Get V10
	Get V8
	F32x4Mul
	Get V2
	F32x4Add
	Set V2
	Get V10
	Get V9
	F32x4Mul
	Get V3
	F32x4Add
	Set V3
	Get R7
	I32WrapI64
	F32Load $8
	F32x4Splat
	Set V10
	Get V10
	Get V8
	F32x4Mul
	Get V4
	F32x4Add
	Set V4
	Get V10
	Get V9
	F32x4Mul
	Get V5
	F32x4Add
	Set V5
	Get R7
	I32WrapI64
	F32Load $12
	F32x4Splat
	Set V10
	Get V10
	Get V8
	F32x4Mul
	Get V6
	F32x4Add
	Set V6
	Get V10
	Get V9
	F32x4Mul
	Get V7
	F32x4Add
	Set V7
	Get R7
	I64Const $16
	I64Add
	Set R7
	Get R8
	I64Const $4
	I64Add
	Set R8
	Get R9
	I64Const $1
	I64Sub
	Tee R9
	I32WrapI64
	BrIf $0
	End
	// Unless beta is 0, the tile += beta·C.
	Get R12
	I32WrapI64
	If
	Get R5
	I32WrapI64
	V128Load $0
	Get V11
	F32x4Mul
	Get V0
	F32x4Add
	Set V0
	Get R5
	I32WrapI64
	V128Load $16
	Get V11
	F32x4Mul
	Get V1
	F32x4Add
	Set V1
	Get R5
	Get R6
	I64Add
	Set R11
	Get R11
	I32WrapI64
	V128Load $0
	Get V11
	F32x4Mul
	Get V2
	F32x4Add
	Set V2
	Get R11
	I32WrapI64
	V128Load $16
	Get V11
	F32x4Mul
	Get V3
	F32x4Add
	Set V3
	Get R11
	Get R6
	I64Add
	Set R11
	Get R11
	I32WrapI64
	V128Load $0
	Get V11
	F32x4Mul
	Get V4
	F32x4Add
	Set V4
	Get R11
	I32WrapI64
	V128Load $16
	Get V11
	F32x4Mul
	Get V5
	F32x4Add
	Set V5
	Get R11
	Get R6
	I64Add
	Set R11
	Get R11
	I32WrapI64
	V128Load $0
	Get V11
	F32x4Mul
	Get V6
	F32x4Add
	Set V6
	Get R11
	I32WrapI64
	V128Load $16
	Get V11
	F32x4Mul
	Get V7
	F32x4Add
	Set V7
	End
	// Store the tile.
	Get R5
	I32WrapI64
	Get V0
	V128Store $0
	Get R5
	I64Const $16
	I64Add
	I32WrapI64
	Get V1
	V128Store $0
	Get R5
	Get R6
	I64Add
	Set R11
	Get R11
	I32WrapI64
	Get V2
	V128Store $0
	Get R11
	I64Const $16
	I64Add
	I32WrapI64
	Get V3
	V128Store $0
	Get R11
	Get R6
	I64Add
	Set R11
	Get R11
	I32WrapI64
	Get V4
	V128Store $0
	Get R11
	I64Const $16
	I64Add
	I32WrapI64
	Get V5
	V128Store $0
	Get R11
	Get R6
	I64Add
	Set R11
	Get R11
	I32WrapI64
	Get V6
	V128Store $0
	Get R11
	I64Const $16
	I64Add
	I32WrapI64
	Get V7
	V128Store $0
	// Next tile: C and, for B rows at offsets, B move 8 columns on; a
	// packed B pointer is already at the next panel.
	Get R5
	I64Const $32
	I64Add
	Set R5
	Get R4
	I64Const $32
	I64Add
	Set R4
	Get R0
	I64Const $1
	I64Sub
	Set R0
	Br $0
	End
	End
	RET
