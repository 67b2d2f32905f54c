// Package kernels provides the float32 hot loops of the engine: matrix
// multiplication (GEMM) and a few vector operations.
//
// Every kernel has two builds: one written with Go 1.27's portable simd
// package (files with //go:build goexperiment.simd) and a scalar twin
// (//go:build !goexperiment.simd). Tests run against both builds and compare
// them with gonum's blas32 as an independent reference.
//
// Gemm packs op(A) and op(B) into cache-sized panels (GotoBLAS loop order,
// buffers from a mutex-guarded free list that survives garbage collections, so it is safe for concurrent use and does not
// allocate once warm) and runs one register-blocked micro-kernel for all four
// transpose combinations: 4 x 2V values of C in 8 vector registers in the simd
// build (V = simd.Float32s.Len(): 4 under wasm, 8 with AVX2), 4x4 scalars in
// the scalar build.
//
// Gemm(false, true, ...) with k >= 1024 (a convolution's weight gradient)
// skips packing: 2 rows of A by 4 rows of B, both contiguous along k, are
// summed in 8 vector accumulators. GemmRowOffsets and GemmNTRowOffsets are a
// stride-1 convolution's forward pass and weight gradient without im2col:
// rows of B are runs of the (C, H, W, N) input found through a table of
// kernel-tap offsets.
//
// Axpy, Scale, Dot, Sum, AddConst, AddRowVector, SumRows, ReLU, ReLUBackward
// and AdamUpdate are the small vector loops of layers and optimizers.
// AdamUpdate rounds every operation on its own in both builds, so Adam's
// weights are the same bits with and without SIMD.
//
// Under wasm every loop iteration and every call is costly (Go's wasm code
// jumps through a dispatch table on each back edge and passes arguments in
// memory), so the kernels unroll short loops and avoid per-element calls. A
// bounds check per vector load also costs more than the load. The three
// loops that do nearly all of a CNN step's arithmetic, the two 4x8
// micro-kernels (packed B, and B rows at tap offsets; 5x8 in the relaxed
// build) and the 2x4
// dot-product tile, are written in WebAssembly assembly for the simd wasm
// build (gemm_wasm.s, gemm_dot_wasm.s): there each loop is a native wasm
// loop and the tile stays in vector locals that V8 keeps in registers,
// where the compiled Go spilled part of it to the stack. That doubled
// their speed under Node. Their Go wrappers check every slice's extent
// first, and the tests run them against blas32 like every other build.
// gen_wasm_asm.go writes both files (go generate), and a second pair for
// builds with the tag relaxedsimd (gemm_relaxed_wasm.s,
// gemm_dot_relaxed_wasm.s), where each multiply and add is one
// f32x4.relaxed_madd of the relaxed SIMD proposal: an engine may fuse it
// (one rounding, as FMA) or not, so those builds' results may differ from
// the plain build's in the last bits, within the tests' tolerance. On x64
// a fused multiply-add has the throughput of a multiply and an add, so
// the relaxed kernels win by needing fewer instructions and registers: a
// multiply-add accumulates in place, with no temporary, which leaves room
// for a 5x8 tile (10 accumulators, each B row feeding 10 multiply-adds;
// the plain build keeps 4x8, where a fifth row did not pay), and the dot
// tile, where 8 chains of dependent fused multiply-adds would wait on each
// other, sums each pair of vectors in a short chain of its own that one
// add folds into the accumulator. The generator also writes the tile
// height of each build (gemm_tile_wasm.go, gemm_tile_relaxed_wasm.go),
// which tileSize and the slice checks read. Go's
// assembler misencodes the relaxed opcodes; cmd/wasmrelax repairs them in
// the linked module, and an engine without relaxed SIMD rejects the
// module, so the page loads that build only where WebAssembly.validate
// accepts relaxed_madd.
//
// On amd64 the same three loops, and axpy, are x86 assembly generated with
// avo (internal/asmgen, a module of its own so avo is no dependency of the
// engine; go generate writes gemm_amd64.s and stubs_amd64.go, and a test
// checks that they match regenerating them). Each comes in an AVX2+FMA
// (YMM) and an AVX-512 (ZMM) width; kernels_amd64.go picks the widest the
// CPU supports, with golang.org/x/sys/cpu, once at start-up, and falls back
// to the build's Go loops (scalar, or the simd package's) on CPUs with
// neither. Both builds, with and without GOEXPERIMENT=simd, use the
// assembly; tests run every level the CPU has against blas32. The tile is
// 4 x 2V values of C (V = 8 or 16 lanes), and since the dot-product tile
// needs no packing it takes Gemm(false, true, ...) from k >= 256 there.
// Every assembly loop ends with VZEROUPPER, and on amd64 the simd
// package's loops clear the upper halves too (clearUpper): Go's scalar
// float code is SSE, which runs many times slower after a wide
// instruction has left them dirty.
//
// All matrices are row-major. Kernels never allocate. They panic, with a
// message prefixed "kernels:", when a caller passes slices too short for the
// stated sizes: that is a programmer mistake, not a data error.
package kernels

//go:generate go run gen_wasm_asm.go
//go:generate sh -c "cd internal/asmgen && go run . -out ../../gemm_amd64.s -stubs ../../stubs_amd64.go -pkg kernels"
