// Package kernels provides the float32 hot loops of the engine: matrix
// multiplication (GEMM), im2col/col2im for convolutions and a few vector
// operations.
//
// Every kernel has two builds: one written with Go 1.27's portable simd
// package (files with //go:build goexperiment.simd) and a scalar twin
// (//go:build !goexperiment.simd). Tests run against both builds and compare
// them with gonum's blas32 as an independent reference.
//
// All matrices are row-major. Kernels never allocate. They panic, with a
// message prefixed "kernels:", when a caller passes slices too short for the
// stated sizes: that is a programmer mistake, not a data error.
package kernels
