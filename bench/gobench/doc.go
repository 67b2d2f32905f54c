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
// Usage:
//
//	gobench [-system go-native] [-seconds 2] [-warmup 0.5] [-longstep 0] [-only cnn-train,cnn-infer,mlp-train]
//
// In Chromium, bench/js/chromium.js -workers K runs K copies in K Web
// Workers with -rank and -replicas: one training run data-parallel across
// them (wasm/gradsum), timed by rank 0.
package main
