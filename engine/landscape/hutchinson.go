package landscape

import (
	"math"
	"math/rand/v2"
)

// Hutchinson estimates the trace of a symmetric operator (for a Hessian, the
// sum of its eigenvalues: the average curvature times the dimension) as the
// mean of z·(A z) over random vectors z of independent ±1 entries, whose
// expectation is the trace. Each Step adds one sample (one operator
// application).
type Hutchinson struct {
	op    Operator
	rng   *rand.Rand
	z, az []float64 // (Dim)
	n     int
	sum   float64
	sumSq float64
}

// NewHutchinson prepares the estimate with random vectors drawn from seed.
func NewHutchinson(op Operator, seed uint64) (*Hutchinson, error) {
	n := op.Dim()
	if n == 0 {
		return nil, errorf("hutchinson", ErrLength, "an operator on vectors of 0 values")
	}
	return &Hutchinson{op: op, rng: rand.New(rand.NewPCG(seed, 0x68757463)), z: make([]float64, n), az: make([]float64, n)}, nil
}

// Step adds one sample.
func (h *Hutchinson) Step() error {
	for i := range h.z {
		h.z[i] = float64(int(h.rng.Uint64()&1)*2 - 1)
	}
	if err := h.op.Apply(h.az, h.z); err != nil {
		return err
	}
	s := dot(h.z, h.az)
	if !finite64(s) {
		return errorf("hutchinson", ErrNonFinite, "sample %d is %v", h.n+1, s)
	}
	h.n++
	h.sum += s
	h.sumSq += s * s
	return nil
}

// Estimate returns the mean of the samples so far, its standard error
// (NaN with fewer than two samples) and the number of samples.
func (h *Hutchinson) Estimate() (trace, stderr float64, samples int) {
	if h.n == 0 {
		return math.NaN(), math.NaN(), 0
	}
	mean := h.sum / float64(h.n)
	if h.n < 2 {
		return mean, math.NaN(), h.n
	}
	v := (h.sumSq - float64(h.n)*mean*mean) / float64(h.n-1)
	return mean, math.Sqrt(max(v, 0) / float64(h.n)), h.n
}
