// Command gobench measures this project's engine on the side-by-side
// benchmark (bench/js/run.js drives it): training steps (forward, backward,
// plain SGD update) on batches of 64 random examples for the report's CNN and
// the MLP 784-100-10, and CNN inference, after a warm-up.
//
// The same program runs natively, as wasm under Node (go_js_wasm_exec) and
// as wasm in Chromium (bench/js/chromium.js): it uses no syscall/js (except
// the exchange of -replicas) and writes its results to standard output, one
// line per measure:
//
//	bench system=NAME net=cnn|mlp mode=train|infer examples_per_s=N
//
// With -only kernels it measures instead the engine's kernels at shapes the
// CNN uses, each in GFLOP/s next to the peak of a register-only
// multiply-add loop of the same build (amd64: FMA at the kernels' vector
// width; wasm SIMD: 4-lane mul and add, or relaxed_madd with the tag
// relaxedsimd), so that how close each comes to the limit is a number:
//
//	bench system=NAME kernel=peak-WHAT gflops=P
//	bench system=NAME kernel=K gflops=N peak_gflops=P of_peak=F
//
// Usage:
//
//	gobench [-system go-native] [-seconds 2] [-warmup 0.5] [-longstep 0] [-only cnn-train,cnn-infer,mlp-train]
//
// In Chromium, bench/js/chromium.js -workers K runs K copies in K Web
// Workers with -rank and -replicas: one training run data-parallel across
// them (wasm/gradsum), timed by rank 0.
package main
