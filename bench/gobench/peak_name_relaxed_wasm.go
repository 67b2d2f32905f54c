//go:build goexperiment.simd && wasm && relaxedsimd

package main

const peakName = "wasm-relaxed-madd"
