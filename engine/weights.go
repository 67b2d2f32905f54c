package engine

import "fmt"

// Weights returns all parameters as one flat vector in Params() order,
// reusing dst when its capacity is large enough.
func (m *Model) Weights(dst []float32) []float32 {
	n := m.NumWeights()
	dst = grow(dst, n)
	off := 0
	for _, p := range m.params {
		off += copy(dst[off:], p.W)
	}
	return dst
}

// SetWeights copies a flat vector in Params() order into the parameters.
// It returns an error, changing nothing, if theta has the wrong length.
func (m *Model) SetWeights(theta []float32) error {
	if n := m.NumWeights(); len(theta) != n {
		return fmt.Errorf("engine: SetWeights: %d values for a model with %d weights", len(theta), n)
	}
	off := 0
	for _, p := range m.params {
		off += copy(p.W, theta[off:])
	}
	return nil
}

// Interpolate sets dst = (1-alpha)·theta0 + alpha·theta1, elementwise
// (alpha outside [0, 1] extrapolates). It panics if the lengths differ.
func Interpolate(dst, theta0, theta1 []float32, alpha float32) {
	if len(theta0) != len(dst) || len(theta1) != len(dst) {
		panic(fmt.Sprintf("engine: Interpolate: lengths %d, %d, %d differ", len(dst), len(theta0), len(theta1)))
	}
	a0 := 1 - alpha
	for i := range dst {
		dst[i] = a0*theta0[i] + alpha*theta1[i]
	}
}
