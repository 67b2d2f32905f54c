// Command wasmrelax repairs the relaxed SIMD instructions in a wasm module
// linked by Go 1.27's toolchain, in place:
//
//	wasmrelax FILE.wasm
//
// The relaxed SIMD opcodes are 0xFD followed by the LEB128 of 0x100 and up
// (f32x4.relaxed_madd is FD 85 02). Go's wasm assembler writes the LEB128
// of the low byte, which already ends in 01, and then the 02: FD 85 01 02,
// which an engine reads as another instruction followed by a block. The
// repair swaps the last two bytes, FD 85 02 01: the relaxed instruction
// and a nop, so no length or offset in the module changes. Only the code
// section is rewritten; the data segments are left alone. An engine that
// does not know relaxed SIMD rejects the repaired module, so the page
// loads it only after WebAssembly.validate accepts a module using
// relaxed_madd (web/worker.js).
//
// Plain SIMD instructions come out of the same assembler as FD XX 01 01
// (the instruction and a nop), so FD XX 01 02 cannot be one of them. The
// kernels' relaxed build (engine/kernels, tag relaxedsimd) needs this step
// after `go build` and before the module is run: the Makefile does it for
// web/trainer-relaxed.wasm and the benchmark binary, and
// scripts/relaxed_wasm_exec.sh for `go test -exec`.
package main
