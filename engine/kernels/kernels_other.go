//go:build !amd64

package kernels

// Without assembly every kernel is the build's Go (or wasm) loop.

type isaLevel int

const isaGeneric isaLevel = 0

func (isaLevel) String() string { return "generic" }

var isa = isaGeneric

func isaLevels() []isaLevel { return []isaLevel{isaGeneric} }

func tileSize() (mr, nr int) { return tileSizeGeneric() }

func dotMinK() int { return dotMinKGeneric }

func packPanel(d, b []float32, ldb, kc, nr int) { packPanelGeneric(d, b, ldb, kc, nr) }

func microKernel(kc, np int, ap, bp []float32, c []float32, ldc int, beta float32) {
	microKernelGeneric(kc, np, ap, bp, c, ldc, beta)
}

func microKernelOff(kc, np int, ap []float32, off []int32, bp []float32, c []float32, ldc int, beta float32) {
	microKernelOffGeneric(kc, np, ap, off, bp, c, ldc, beta)
}

func dot2x4Native(a0, a1, b0, b1, b2, b3 []float32, t *[8]float32) bool { return false }

func axpy(alpha float32, x, y []float32) { axpyGeneric(alpha, x, y) }
