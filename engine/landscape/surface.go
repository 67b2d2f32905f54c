package landscape

import (
	"math"
)

// MaxPoints bounds a grid: 64 x 64. A grid is evaluated point by point on a
// whole dataset each, so a larger one is almost certainly a mistake.
const MaxPoints = 64 * 64

// Surface is the loss over a grid of the plane, computed one point per call
// of Next so that a caller can show points as they come and stop at any time
// (cancelling is not calling Next again). Points go row by row: y outer, x
// inner. Values not yet computed, and those whose loss is not finite, are NaN.
type Surface struct {
	Xs, Ys []float64   // grid coordinates along D1 and D2
	Loss   [][]float64 // Loss[s] (len(Ys), len(Xs)): mean loss on objective s
	Acc    [][]float64 // Acc[s] (len(Ys), len(Xs)): accuracy on objective s

	plane Plane
	objs  []*Objective
	theta []float32 // (NumWeights) weights of the point being evaluated
	next  int       // index of the next point, row-major
}

// Linspace returns n evenly spaced values from lo to hi, both included
// (lo alone if n == 1).
func Linspace(lo, hi float64, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		if n == 1 {
			v[i] = lo
			continue
		}
		v[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	return v
}

// NewSurface prepares the grid xs x ys of plane, each point evaluated on
// every objective (for example the training and the validation loss; they
// must evaluate models with the plane's number of weights and may share one
// model). It returns an *Error if the grid is empty or has more than
// MaxPoints points, a coordinate or a plane vector is not finite, or the
// lengths do not match.
func NewSurface(plane Plane, xs, ys []float64, objs ...*Objective) (*Surface, error) {
	nx, ny := len(xs), len(ys)
	if nx == 0 || ny == 0 {
		return nil, errorf("grid", ErrGridSize, "a %d x %d grid has no points", nx, ny)
	}
	if nx*ny > MaxPoints {
		return nil, errorf("grid", ErrGridSize, "a %d x %d grid has %d points, more than the %d allowed (each point is a pass over the dataset)", nx, ny, nx*ny, MaxPoints)
	}
	for _, v := range append(append([]float64(nil), xs...), ys...) {
		if !finite64(v) {
			return nil, errorf("grid", ErrNonFinite, "grid coordinate %v", v)
		}
	}
	if len(objs) == 0 {
		return nil, errorf("grid", ErrEmptyData, "no dataset to evaluate the loss on")
	}
	n := objs[0].Dim()
	for _, o := range objs {
		if o.Dim() != n {
			return nil, errorf("grid", ErrLength, "objectives of models with %d and %d weights", n, o.Dim())
		}
	}
	if err := plane.check("grid", n); err != nil {
		return nil, err
	}
	s := &Surface{Xs: xs, Ys: ys, plane: plane, objs: objs, theta: make([]float32, n)}
	for range objs {
		l := make([]float64, nx*ny)
		a := make([]float64, nx*ny)
		for i := range l {
			l[i], a[i] = math.NaN(), math.NaN()
		}
		s.Loss = append(s.Loss, l)
		s.Acc = append(s.Acc, a)
	}
	return s, nil
}

// Len is the number of grid points.
func (s *Surface) Len() int { return len(s.Xs) * len(s.Ys) }

// Done reports whether every point has been computed.
func (s *Surface) Done() bool { return s.next >= s.Len() }

// Next computes the next point on every objective and returns its row i (y)
// and column j (x); its values are Loss[set][i*len(Xs)+j]. After the last
// point it returns ErrDone. If a loss there is NaN or infinite it records
// NaN and returns a *PointError with the indices filled in; the next call
// goes on with the following point.
func (s *Surface) Next() (i, j int, err error) {
	if s.Done() {
		return 0, 0, ErrDone
	}
	k := s.next
	s.next++
	i, j = k/len(s.Xs), k%len(s.Xs)
	s.plane.At(s.theta, s.Xs[j], s.Ys[i])
	var bad *PointError
	for o, obj := range s.objs {
		loss, acc, err := obj.Loss(s.theta)
		if err != nil {
			return i, j, err
		}
		if !finite64(loss) {
			if bad == nil {
				bad = &PointError{Set: o, I: i, J: j, X: s.Xs[j], Y: s.Ys[i], Loss: loss}
			}
			continue
		}
		s.Loss[o][k], s.Acc[o][k] = loss, acc
	}
	if bad != nil {
		return i, j, bad
	}
	return i, j, nil
}
