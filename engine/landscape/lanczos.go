package landscape

import (
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// MaxLanczos bounds the Lanczos iterations: each keeps a vector of the
// model's size and costs one Hessian-vector product.
const MaxLanczos = 200

// Lanczos finds the extreme eigenvalues of a symmetric operator with the
// Lanczos iteration: after m steps the m x m tridiagonal matrix T_m of the
// recurrence has eigenvalues (Ritz values) that converge first to the
// largest and smallest of the operator's. Each Step applies the operator
// once, so a caller can stop or show progress between steps. The basis is
// fully re-orthogonalised at every step: without it rounding makes copies
// of converged eigenvalues appear.
type Lanczos struct {
	op    Operator
	q     [][]float64 // (maxIter+1, Dim) the orthonormal Lanczos vectors
	w     []float64   // (Dim) scratch
	alpha []float64   // diagonal of T
	beta  []float64   // off-diagonal of T; beta[j] couples q[j] and q[j+1]
	size  float64     // max |alpha_j| + beta_j, the operator's scale
	done  bool
}

// NewLanczos prepares at most maxIter steps on op from a random unit start
// vector drawn with seed.
func NewLanczos(op Operator, maxIter int, seed uint64) (*Lanczos, error) {
	n := op.Dim()
	if maxIter < 1 || maxIter > MaxLanczos {
		return nil, errorf("lanczos", ErrBadOption, "%d iterations: want 1..%d", maxIter, MaxLanczos)
	}
	if n == 0 {
		return nil, errorf("lanczos", ErrLength, "an operator on vectors of 0 values")
	}
	maxIter = min(maxIter, n)
	l := &Lanczos{op: op, w: make([]float64, n), q: make([][]float64, maxIter+1)}
	for i := range l.q {
		l.q[i] = make([]float64, n)
	}
	rng := rand.New(rand.NewPCG(seed, 0x6c616e63)) // "lanc"
	q0 := l.q[0]
	for i := range q0 {
		q0[i] = rng.NormFloat64()
	}
	scale(q0, 1/norm(q0))
	l.alpha = make([]float64, 0, maxIter)
	l.beta = make([]float64, 0, maxIter)
	return l, nil
}

// Iterations is the number of steps taken.
func (l *Lanczos) Iterations() int { return len(l.alpha) }

// Done reports whether Step has nothing left to do: the iteration limit is
// reached or the Krylov space is invariant (the Ritz values are exact).
func (l *Lanczos) Done() bool { return l.done }

// Step does one Lanczos iteration (one operator application). It returns
// ErrDone once Done, and the operator's error if it fails.
func (l *Lanczos) Step() error {
	if l.done {
		return ErrDone
	}
	j := len(l.alpha)
	q := l.q[j]
	if err := l.op.Apply(l.w, q); err != nil {
		return err
	}
	if !finiteSlice(l.w) {
		return errorf("lanczos", ErrNonFinite, "the operator returned a NaN or infinite value at iteration %d", j+1)
	}
	a := dot(q, l.w)
	l.alpha = append(l.alpha, a)
	axpy(l.w, -a, q)
	if j > 0 {
		axpy(l.w, -l.beta[j-1], l.q[j-1])
	}
	// Two passes of classical Gram-Schmidt against the whole basis.
	for range 2 {
		for i := 0; i <= j; i++ {
			axpy(l.w, -dot(l.q[i], l.w), l.q[i])
		}
	}
	b := norm(l.w)
	l.beta = append(l.beta, b)
	l.size = max(l.size, math.Abs(a)+b)
	// A residual at rounding level means the basis spans an invariant
	// subspace: T's eigenvalues are the operator's, and there is no next vector.
	if len(l.alpha) == len(l.q)-1 || b <= 1e-12*l.size {
		l.done = true
		return nil
	}
	copy(l.q[j+1], l.w)
	scale(l.q[j+1], 1/b)
	return nil
}

// Ritz returns the eigenvalues of T_m in decreasing order and, for each,
// the bound |beta_m · s_m| on the residual |A·y - theta·y| of its Ritz vector
// y (s_m is the last component of the eigenvector of T_m): a Ritz value with
// a small bound is within that distance of an eigenvalue of the operator.
func (l *Lanczos) Ritz() (values, bounds []float64, err error) {
	vals, vecs, err := l.eigen()
	if err != nil {
		return nil, nil, err
	}
	m := len(vals)
	values = make([]float64, m)
	bounds = make([]float64, m)
	last := l.beta[m-1]
	for r := range vals {
		values[r] = vals[r]
		bounds[r] = math.Abs(last * vecs.At(m-1, r))
	}
	return values, bounds, nil
}

// Vector writes into dst (Dim) the unit Ritz vector of the rank-th largest
// Ritz value (rank 0: the top one), the approximate eigenvector, and
// returns that value.
func (l *Lanczos) Vector(rank int, dst []float64) (float64, error) {
	if len(dst) != len(l.w) {
		return 0, errorf("lanczos", ErrLength, "a vector of %d values for an operator on %d", len(dst), len(l.w))
	}
	vals, vecs, err := l.eigen()
	if err != nil {
		return 0, err
	}
	if rank < 0 || rank >= len(vals) {
		return 0, errorf("lanczos", ErrBadOption, "Ritz value %d of %d", rank, len(vals))
	}
	clear(dst)
	for j := range vals {
		axpy(dst, vecs.At(j, rank), l.q[j])
	}
	scale(dst, 1/norm(dst))
	return vals[rank], nil
}

// eigen solves the eigenproblem of T_m: values decreasing, and the matching
// eigenvectors as columns.
func (l *Lanczos) eigen() ([]float64, *mat.Dense, error) {
	m := len(l.alpha)
	if m == 0 {
		return nil, nil, errorf("lanczos", ErrBadOption, "no iteration yet")
	}
	t := mat.NewSymDense(m, nil)
	for i := 0; i < m; i++ {
		t.SetSym(i, i, l.alpha[i])
		if i+1 < m {
			t.SetSym(i, i+1, l.beta[i])
		}
	}
	var es mat.EigenSym
	if !es.Factorize(t, true) {
		return nil, nil, errorf("lanczos", ErrNonFinite, "the tridiagonal eigenproblem did not converge")
	}
	asc := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	idx := make([]int, m)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return asc[idx[a]] > asc[idx[b]] })
	vals := make([]float64, m)
	out := mat.NewDense(m, m, nil)
	for r, i := range idx {
		vals[r] = asc[i]
		for j := 0; j < m; j++ {
			out.Set(j, r, vecs.At(j, i))
		}
	}
	return vals, out, nil
}

func dot(a, b []float64) float64 {
	var s float64
	for i, x := range a {
		s += x * b[i]
	}
	return s
}

func axpy(y []float64, a float64, x []float64) {
	for i, v := range x {
		y[i] += a * v
	}
}

func scale(x []float64, a float64) {
	for i := range x {
		x[i] *= a
	}
}

func norm(x []float64) float64 { return math.Sqrt(dot(x, x)) }

func finiteSlice(x []float64) bool {
	for _, v := range x {
		if v-v != 0 {
			return false
		}
	}
	return true
}
