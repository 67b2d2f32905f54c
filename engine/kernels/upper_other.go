//go:build !goexperiment.simd || !amd64

package kernels

// clearUpper is a no-op without the simd package's wide vectors on amd64
// (see upper_simd_amd64.go).
func clearUpper() {}
