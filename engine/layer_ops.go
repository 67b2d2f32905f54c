package engine

// Small helpers the layers share; the hot loops are in package kernels.

// grow returns buf resliced to n, reallocating only when its capacity is short.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}
