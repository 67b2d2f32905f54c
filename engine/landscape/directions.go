package landscape

import (
	"math"
	"math/rand/v2"

	"mnistplay/engine"
)

// FilterNormalized writes into dst (NumWeights) a random direction for the
// weights theta of m, as Li et al. (2018) make theirs: a standard normal
// draw in which every filter (a conv weight's output channel, a linear
// weight's row: one output unit) is rescaled to the norm of the same filter
// of theta, so that the direction's steps are comparable across layers of
// different scale. Biases get 0, as Li et al. do by default (their
// "ignore biasbn"): the plane moves only the weights. The same seed gives
// the same direction.
func FilterNormalized(m *engine.Model, theta []float32, seed uint64, dst []float32) error {
	n := m.NumWeights()
	if len(theta) != n || len(dst) != n {
		return errorf("directions", ErrLength, "theta has %d and dst %d values for a model with %d weights", len(theta), len(dst), n)
	}
	if !finite32(theta) {
		return errorf("directions", ErrNonFinite, "theta has a NaN or infinite weight")
	}
	rng := rand.New(rand.NewPCG(seed, 0x6c616e64)) // "land"
	off := 0
	for _, p := range m.Params() {
		w := theta[off : off+len(p.W)]
		d := dst[off : off+len(p.W)]
		off += len(p.W)
		if len(p.Shape) <= 1 { // a bias
			clear(d)
			continue
		}
		size := len(w) / p.Shape[0] // one filter: (InC, KH, KW) or (In)
		for f := 0; f < p.Shape[0]; f++ {
			wf := w[f*size : (f+1)*size]
			df := d[f*size : (f+1)*size]
			var dn, wn float64
			for i := range df {
				v := rng.NormFloat64()
				df[i] = float32(v)
				dn += v * v
				wn += float64(wf[i]) * float64(wf[i])
			}
			s := 0.0
			if dn > 0 {
				s = math.Sqrt(wn / dn)
			}
			for i := range df {
				df[i] = float32(float64(df[i]) * s)
			}
		}
	}
	return nil
}

// Plane is the 2-D affine subspace theta(x, y) = Origin + x·D1 + y·D2 of
// weight space (every vector NumWeights long).
type Plane struct {
	Origin, D1, D2 []float32
}

func (p Plane) check(op string, n int) error {
	if len(p.Origin) != n || len(p.D1) != n || len(p.D2) != n {
		return errorf(op, ErrLength, "plane vectors of %d, %d and %d values for a model with %d weights", len(p.Origin), len(p.D1), len(p.D2), n)
	}
	if !finite32(p.Origin) || !finite32(p.D1) || !finite32(p.D2) {
		return errorf(op, ErrNonFinite, "the plane's origin or a direction has a NaN or infinite value")
	}
	return nil
}

// At writes theta(x, y) into dst. It panics if the lengths differ.
func (p Plane) At(dst []float32, x, y float64) {
	if len(dst) != len(p.Origin) || len(p.D1) != len(dst) || len(p.D2) != len(dst) {
		panic("landscape: Plane.At: lengths differ")
	}
	fx, fy := float32(x), float32(y)
	for i := range dst {
		dst[i] = p.Origin[i] + fx*p.D1[i] + fy*p.D2[i]
	}
}
