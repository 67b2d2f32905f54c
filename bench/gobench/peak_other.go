//go:build !amd64 && !(goexperiment.simd && wasm)

package main

// peak has no register-only loop for this build (wasm without SIMD, or a
// CPU other than amd64): kernel lines come without a peak.
func peak() (name string, flops float64, run func()) { return "", 0, nil }

// loops128 has no 128-bit loops to compare here.
func loops128() []kernelMeasure { return nil }
