package landscape

import (
	"math"
)

// Operator is a symmetric linear map on vectors of Dim values: a Hessian,
// or in tests a matrix.
type Operator interface {
	Dim() int
	// Apply writes A·v into dst (both Dim long).
	Apply(dst, v []float64) error
}

// DefaultEps is the length of the weight step of a Hessian-vector product:
// large enough that float32 rounding of the stepped weights is negligible,
// small enough that the loss is close to quadratic over it.
const DefaultEps = 1e-2

// Hessian is the Hessian of an objective at fixed weights, applied to a
// vector by a central difference of two gradients:
//
//	H·v ≈ (g(θ + h·v) - g(θ - h·v)) / (2h),  h = Eps/|v|,
//
// which is exact for a quadratic and has an error of order h² otherwise.
// With ReLUs and max pooling the loss is only piecewise smooth: steps
// cross kinks, so where the curvature is small the result depends on Eps
// (the curvature at that scale, not at a point). Each Apply costs two
// passes over the objective's dataset.
type Hessian struct {
	obj   *Objective
	theta []float32 // (NumWeights) the point, a copy
	eps   float64
	tp    []float32 // (NumWeights) stepped weights
	gp    []float32 // (NumWeights) gradient at θ + h·v
	gm    []float32 // (NumWeights) gradient at θ - h·v
}

// NewHessian returns the Hessian of obj at theta (copied); eps <= 0 means
// DefaultEps.
func NewHessian(obj *Objective, theta []float32, eps float64) (*Hessian, error) {
	if len(theta) != obj.Dim() {
		return nil, errorf("hessian", ErrLength, "%d weights for a model with %d", len(theta), obj.Dim())
	}
	if !finite32(theta) {
		return nil, errorf("hessian", ErrNonFinite, "the weights have a NaN or infinite value")
	}
	if !finite64(eps) {
		return nil, errorf("hessian", ErrBadOption, "step %v", eps)
	}
	if eps <= 0 {
		eps = DefaultEps
	}
	n := obj.Dim()
	return &Hessian{obj: obj, theta: append([]float32(nil), theta...), eps: eps,
		tp: make([]float32, n), gp: make([]float32, n), gm: make([]float32, n)}, nil
}

// Dim is the number of weights.
func (h *Hessian) Dim() int { return len(h.theta) }

// Apply writes H·v into dst.
func (h *Hessian) Apply(dst, v []float64) error {
	n := len(h.theta)
	if len(dst) != n || len(v) != n {
		return errorf("hessian", ErrLength, "vectors of %d and %d values for %d weights", len(dst), len(v), n)
	}
	var vn float64
	for _, x := range v {
		vn += x * x
	}
	vn = math.Sqrt(vn)
	if vn == 0 {
		clear(dst)
		return nil
	}
	if !finite64(vn) {
		return errorf("hessian", ErrNonFinite, "the vector has a NaN or infinite value")
	}
	step := h.eps / vn
	for _, sg := range [2]float64{1, -1} {
		for i, t := range h.theta {
			h.tp[i] = float32(float64(t) + sg*step*v[i])
		}
		g := h.gp
		if sg < 0 {
			g = h.gm
		}
		loss, err := h.obj.Gradient(h.tp, g)
		if err != nil {
			return err
		}
		if !finite64(loss) || !finite32(g) {
			return errorf("hessian", ErrNonFinite, "the loss or its gradient near the weights is NaN or infinite (loss %v)", loss)
		}
	}
	inv := 1 / (2 * step)
	for i := range dst {
		dst[i] = (float64(h.gp[i]) - float64(h.gm[i])) * inv
	}
	return nil
}
