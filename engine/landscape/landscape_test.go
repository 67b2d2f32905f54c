package landscape

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"

	"mnistplay/engine"
)

// synthetic returns n random images whose label is decided by the mean
// brightness of one of ten stripes, so a model can learn something.
func synthetic(n int, seed uint64) engine.Dataset {
	rng := rand.New(rand.NewPCG(seed, 1))
	const pix = engine.ImageSize * engine.ImageSize
	d := engine.Dataset{Images: make([]uint8, n*pix), Labels: make([]uint8, n), N: n}
	for i := 0; i < n; i++ {
		lab := rng.IntN(engine.NumClasses)
		d.Labels[i] = uint8(lab)
		for p := 0; p < pix; p++ {
			v := rng.IntN(120)
			if (p/engine.ImageSize)*engine.NumClasses/engine.ImageSize == lab {
				v += 120
			}
			d.Images[i*pix+p] = uint8(v)
		}
	}
	return d
}

func build(t *testing.T, hidden []int, seed uint64) *engine.Model {
	t.Helper()
	m, err := engine.Build(engine.Spec{Arch: engine.ArchMLP, Hidden: hidden}, seed)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func unit(n int, rng *rand.Rand) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	scale(v, 1/norm(v))
	return v
}

func step(theta []float32, h float64, v []float64) []float32 {
	out := make([]float32, len(theta))
	for i := range theta {
		out[i] = float32(float64(theta[i]) + h*v[i])
	}
	return out
}

// The gradient over a dataset larger than one batch (so batches are
// weighted into one mean) matches central differences of the loss.
func TestGradientMatchesLossDifferences(t *testing.T) {
	m := build(t, []int{8}, 3)
	obj, err := NewObjective(m, synthetic(300, 1))
	if err != nil {
		t.Fatal(err)
	}
	theta := m.Weights(nil)
	g := make([]float32, len(theta))
	if _, err := obj.Gradient(theta, g); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	const h = 1e-2
	for k := 0; k < 4; k++ {
		v := unit(len(theta), rng)
		var gv float64
		for i := range v {
			gv += float64(g[i]) * v[i]
		}
		lp, _, _ := obj.Loss(step(theta, h, v))
		lm, _, _ := obj.Loss(step(theta, -h, v))
		fd := (lp - lm) / (2 * h)
		if math.Abs(fd-gv) > 2e-3*math.Max(1, math.Abs(gv)) {
			t.Errorf("direction %d: g·v = %.6g, (L(θ+hv) - L(θ-hv))/2h = %.6g", k, gv, fd)
		}
	}
}

// For softmax regression (smooth and convex), v·Hv from two gradients
// matches the second difference of the loss, and u·Hv = v·Hu.
func TestHessianVectorProductMatchesLossCurvature(t *testing.T) {
	m := build(t, nil, 2)
	obj, err := NewObjective(m, synthetic(200, 2))
	if err != nil {
		t.Fatal(err)
	}
	theta := m.Weights(nil)
	h, err := NewHessian(obj, theta, 0)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	n := len(theta)
	hu, hv := make([]float64, n), make([]float64, n)
	l0, _, _ := obj.Loss(theta)
	for k := 0; k < 3; k++ {
		u, v := unit(n, rng), unit(n, rng)
		if err := h.Apply(hv, v); err != nil {
			t.Fatal(err)
		}
		if err := h.Apply(hu, u); err != nil {
			t.Fatal(err)
		}
		const s = 0.2
		lp, _, _ := obj.Loss(step(theta, s, v))
		lm, _, _ := obj.Loss(step(theta, -s, v))
		curv := (lp - 2*l0 + lm) / (s * s)
		vhv := dot(v, hv)
		if math.Abs(curv-vhv) > 0.01*math.Abs(vhv) {
			t.Errorf("v·Hv = %.6g, second difference of the loss %.6g", vhv, curv)
		}
		if a, b := dot(u, hv), dot(v, hu); math.Abs(a-b) > 1e-3*(math.Abs(vhv)+math.Abs(a)) {
			t.Errorf("not symmetric: u·Hv = %.6g, v·Hu = %.6g", a, b)
		}
		// Scaling v scales H·v (the step is normalised).
		scale(v, 3)
		if err := h.Apply(hu, v); err != nil {
			t.Fatal(err)
		}
		if a := dot(v, hu) / 9; math.Abs(a-vhv) > 1e-3*math.Abs(vhv) {
			t.Errorf("H(3v)·(3v)/9 = %.6g, v·Hv = %.6g", a, vhv)
		}
	}
}

// matrixOp applies a dense symmetric matrix.
type matrixOp struct{ a *mat.SymDense }

func (o matrixOp) Dim() int { return o.a.SymmetricDim() }
func (o matrixOp) Apply(dst, v []float64) error {
	mat.NewVecDense(len(dst), dst).MulVec(o.a, mat.NewVecDense(len(v), v))
	return nil
}

func eigen(t *testing.T, a *mat.SymDense) []float64 {
	t.Helper()
	var es mat.EigenSym
	if !es.Factorize(a, false) {
		t.Fatal("EigenSym failed")
	}
	v := es.Values(nil)
	sort.Sort(sort.Reverse(sort.Float64Slice(v)))
	return v
}

// Lanczos finds the top eigenvalues of a matrix with a known spectrum (a
// few large ones above a bulk, like a Hessian) long before n iterations,
// and all of them, with vanishing bounds, after n.
func TestLanczosKnownSpectrum(t *testing.T) {
	const n = 80
	rng := rand.New(rand.NewPCG(1, 2))
	var qr mat.QR
	g := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	qr.Factorize(g)
	var q mat.Dense
	qr.QTo(&q)
	lam := make([]float64, n)
	for i := range lam {
		lam[i] = rng.Float64() - 0.3 // the bulk, some negative
	}
	lam[0], lam[1], lam[2] = 40, 25, 12
	a := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			var s float64
			for k := 0; k < n; k++ {
				s += q.At(i, k) * lam[k] * q.At(j, k)
			}
			a.SetSym(i, j, s)
		}
	}
	want := eigen(t, a)
	if math.Abs(want[0]-40) > 1e-9 {
		t.Fatalf("test matrix: EigenSym top %v, built with 40", want[0])
	}
	l, err := NewLanczos(matrixOp{a}, 20, 9)
	if err != nil {
		t.Fatal(err)
	}
	for !l.Done() {
		if err := l.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Step(); !errors.Is(err, ErrDone) {
		t.Errorf("Step after Done: %v, want ErrDone", err)
	}
	vals, bounds, err := l.Ritz()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if math.Abs(vals[i]-want[i]) > 1e-8*want[0] || bounds[i] > 1e-6 {
			t.Errorf("20 iterations: Ritz value %d = %.12g (bound %.2g), EigenSym %.12g", i, vals[i], bounds[i], want[i])
		}
	}
	// The top Ritz vector is the top eigenvector: A·y = 40·y.
	y, ay := make([]float64, n), make([]float64, n)
	if v, err := l.Vector(0, y); err != nil || v != vals[0] {
		t.Fatalf("Vector(0): %v, %v; Ritz value %v", v, err, vals[0])
	}
	matrixOp{a}.Apply(ay, y)
	axpy(ay, -40, y)
	if r := norm(ay); r > 1e-6 || math.Abs(norm(y)-1) > 1e-12 {
		t.Errorf("|A·y - 40·y| = %.3g for the top Ritz vector (|y| = %v)", r, norm(y))
	}
	l, _ = NewLanczos(matrixOp{a}, n, 9)
	for !l.Done() {
		if err := l.Step(); err != nil {
			t.Fatal(err)
		}
	}
	vals, _, _ = l.Ritz()
	if len(vals) != n {
		t.Fatalf("%d Ritz values after %d iterations", len(vals), n)
	}
	for i := range vals {
		if math.Abs(vals[i]-want[i]) > 1e-9*want[0] {
			t.Errorf("full Lanczos: value %d = %.12g, EigenSym %.12g", i, vals[i], want[i])
		}
	}
}

// On a small net, the Lanczos estimate of the Hessian's top eigenvalues
// (from Hessian-vector products) agrees with mat.EigenSym on the Hessian
// built column by column from the same products, which is symmetric.
func TestLanczosMatchesExactHessian(t *testing.T) {
	m := build(t, []int{1}, 4)
	obj, err := NewObjective(m, synthetic(60, 3))
	if err != nil {
		t.Fatal(err)
	}
	theta := m.Weights(nil)
	n := len(theta)
	h, err := NewHessian(obj, theta, 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	full := mat.NewDense(n, n, nil)
	e, col := make([]float64, n), make([]float64, n)
	for j := 0; j < n; j++ {
		e[j] = 1
		if err := h.Apply(col, e); err != nil {
			t.Fatal(err)
		}
		e[j] = 0
		full.SetCol(j, col)
	}
	a := mat.NewSymDense(n, nil)
	var asym, size float64
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			x, y := full.At(i, j), full.At(j, i)
			a.SetSym(i, j, (x+y)/2)
			asym = math.Max(asym, math.Abs(x-y))
			size = math.Max(size, math.Abs(x))
		}
	}
	if asym > 1e-2*size {
		t.Errorf("the Hessian from gradient differences is not symmetric: max |H_ij - H_ji| = %.3g, max |H_ij| = %.3g", asym, size)
	}
	want := eigen(t, a)
	l, err := NewLanczos(h, 40, 1)
	if err != nil {
		t.Fatal(err)
	}
	for !l.Done() {
		if err := l.Step(); err != nil {
			t.Fatal(err)
		}
	}
	vals, _, err := l.Ritz()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if math.Abs(vals[i]-want[i]) > 2e-3*want[0] {
			t.Errorf("eigenvalue %d: Lanczos %.6g, EigenSym of the exact Hessian %.6g", i, vals[i], want[i])
		}
	}
	if !(want[0] > 0) {
		t.Errorf("top eigenvalue %v: the test net should have positive curvature", want[0])
	}
}

// Hutchinson is exact for a diagonal matrix (z·Dz = trace D for z of ±1)
// and unbiased otherwise.
func TestHutchinson(t *testing.T) {
	const n = 30
	d := mat.NewSymDense(n, nil)
	var tr float64
	for i := 0; i < n; i++ {
		d.SetSym(i, i, float64(i)-4)
		tr += float64(i) - 4
	}
	h, _ := NewHutchinson(matrixOp{d}, 1)
	for range 3 {
		if err := h.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if got, se, k := h.Estimate(); got != tr || se != 0 || k != 3 {
		t.Errorf("diagonal: estimate %v ± %v from %d samples, trace %v", got, se, k, tr)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	a := mat.NewSymDense(n, nil)
	tr = 0
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			a.SetSym(i, j, rng.NormFloat64())
		}
		tr += a.At(i, i)
	}
	h, _ = NewHutchinson(matrixOp{a}, 2)
	for range 4000 {
		if err := h.Step(); err != nil {
			t.Fatal(err)
		}
	}
	got, se, _ := h.Estimate()
	if math.Abs(got-tr) > 4*se || se > 1 {
		t.Errorf("estimate %.4g ± %.2g, trace %.4g", got, se, tr)
	}
}

// A straight-line trajectory has one principal component carrying all the
// variance, along the line, and the path's coordinates are the distances.
func TestPCAStraightLine(t *testing.T) {
	const n = 500
	rng := rand.New(rand.NewPCG(4, 4))
	final := make([]float32, n)
	u := make([]float64, n)
	for i := range final {
		final[i] = float32(rng.NormFloat64())
		u[i] = rng.NormFloat64()
	}
	scale(u, 1/norm(u))
	var snaps [][]float32
	ts := []float64{-3, -2.5, -1.7, -1, -0.4, -0.1}
	for _, s := range ts {
		snaps = append(snaps, step(final, s, u))
	}
	p, err := TrajectoryPCA(snaps, final)
	if err != nil {
		t.Fatal(err)
	}
	if p.Explained[0] < 1-1e-6 || p.Explained[1] > 1e-6 {
		t.Errorf("explained variance %v, want [1 0]", p.Explained)
	}
	var c float64
	for i := range u {
		c += u[i] * float64(p.Dirs[0][i])
	}
	if math.Abs(math.Abs(c)-1) > 1e-5 {
		t.Errorf("first direction · line = %v, want ±1", c)
	}
	for i, s := range ts {
		if math.Abs(p.Path[i][0]-s) > 1e-4 || math.Abs(p.Path[i][1]) > 1e-4 {
			t.Errorf("snapshot %d at %v, want (%v, 0)", i, p.Path[i], s)
		}
	}
}

// An L-shaped path lies in its PCA plane: the two components carry all the
// variance and the projection reconstructs every snapshot.
func TestPCAPlanarPath(t *testing.T) {
	const n = 300
	rng := rand.New(rand.NewPCG(6, 6))
	final := make([]float32, n)
	for i := range final {
		final[i] = float32(rng.NormFloat64())
	}
	a, b := unit(n, rng), unit(n, rng)
	var snaps [][]float32
	for _, ab := range [][2]float64{{-4, -1}, {-3, -1}, {-2, -1}, {-1, -1}, {0, -0.5}, {0, -0.2}} {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(float64(final[i]) + ab[0]*a[i] + ab[1]*b[i])
		}
		snaps = append(snaps, s)
	}
	p, err := TrajectoryPCA(snaps, final)
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Explained[0] + p.Explained[1]; math.Abs(s-1) > 1e-6 || p.Explained[0] < p.Explained[1] {
		t.Errorf("explained %v, want two components summing to 1, largest first", p.Explained)
	}
	if d := dot32(p.Dirs[0], p.Dirs[1]); math.Abs(d) > 1e-6 {
		t.Errorf("directions not orthogonal: %v", d)
	}
	for k, s := range snaps {
		for i := range s {
			r := float64(final[i]) + p.Path[k][0]*float64(p.Dirs[0][i]) + p.Path[k][1]*float64(p.Dirs[1][i])
			if math.Abs(r-float64(s[i])) > 1e-4 {
				t.Fatalf("snapshot %d weight %d: reconstructed %v, was %v", k, i, r, s[i])
			}
		}
		if k == 0 && (p.Path[0][0] > 0 || p.Path[0][1] > 0) {
			t.Errorf("first snapshot at %v: want coordinates <= 0", p.Path[0])
		}
	}
}

func dot32(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// Filter-normalised directions: every filter (row) has the norm of the
// matching filter of theta, biases are zero, the seed decides the draw.
func TestFilterNormalized(t *testing.T) {
	m := build(t, []int{6}, 1)
	theta := m.Weights(nil)
	d := make([]float32, len(theta))
	if err := FilterNormalized(m, theta, 3, d); err != nil {
		t.Fatal(err)
	}
	off := 0
	for _, p := range m.Params() {
		w, dd := theta[off:off+len(p.W)], d[off:off+len(p.W)]
		off += len(p.W)
		if len(p.Shape) == 1 {
			for _, v := range dd {
				if v != 0 {
					t.Fatalf("%s: bias direction %v, want 0", p.Name, v)
				}
			}
			continue
		}
		size := len(w) / p.Shape[0]
		for f := 0; f < p.Shape[0]; f++ {
			a, b := w[f*size:(f+1)*size], dd[f*size:(f+1)*size]
			if na, nb := math.Sqrt(dot32(a, a)), math.Sqrt(dot32(b, b)); math.Abs(na-nb) > 1e-5*na {
				t.Errorf("%s filter %d: norm %v, theta's %v", p.Name, f, nb, na)
			}
		}
	}
	d2 := make([]float32, len(theta))
	FilterNormalized(m, theta, 3, d2)
	d3 := make([]float32, len(theta))
	FilterNormalized(m, theta, 4, d3)
	if dot32(d, d2) != dot32(d, d) || dot32(d, d3) == dot32(d, d) {
		t.Error("the same seed must give the same direction, another seed another")
	}
}

// The grid's point (0, 0) is the loss at the plane's origin, to the bit;
// points come one per Next, row by row, then ErrDone.
func TestSurfaceOriginIsFinalLoss(t *testing.T) {
	m := build(t, []int{5}, 1)
	train, val := synthetic(100, 1), synthetic(70, 2)
	ot, _ := NewObjective(m, train)
	ov, _ := NewObjective(m, val)
	theta := m.Weights(nil)
	d1, d2 := make([]float32, len(theta)), make([]float32, len(theta))
	FilterNormalized(m, theta, 1, d1)
	FilterNormalized(m, theta, 2, d2)
	s, err := NewSurface(Plane{theta, d1, d2}, Linspace(-1, 1, 5), Linspace(-0.5, 0.5, 3), ot, ov)
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	for {
		i, j, err := s.Next()
		if errors.Is(err, ErrDone) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if i != calls/5 || j != calls%5 {
			t.Fatalf("call %d gave point (%d, %d)", calls, i, j)
		}
		calls++
	}
	if calls != 15 || !s.Done() {
		t.Fatalf("%d points computed, want 15", calls)
	}
	wantT, accT, _ := ot.Loss(theta)
	wantV, _, _ := ov.Loss(theta)
	k := 1*5 + 2 // y = 0, x = 0
	if s.Loss[0][k] != wantT || s.Loss[1][k] != wantV || s.Acc[0][k] != accT {
		t.Errorf("at (0, 0): train %v val %v, want %v and %v", s.Loss[0][k], s.Loss[1][k], wantT, wantV)
	}
	for _, l := range s.Loss[0] {
		if !(l > 0) {
			t.Errorf("loss %v on the grid", l)
		}
	}
}

// Bad input gives an *Error with the right cause, never a hang or a panic.
func TestBadInput(t *testing.T) {
	m := build(t, []int{3}, 1)
	theta := m.Weights(nil)
	obj, _ := NewObjective(m, synthetic(20, 1))
	d := make([]float32, len(theta))
	FilterNormalized(m, theta, 1, d)
	plane := Plane{theta, d, d}
	check := func(name string, err error, cause error) {
		t.Helper()
		var le *Error
		if !errors.Is(err, cause) || !errors.As(err, &le) {
			t.Errorf("%s: error %v, want an *Error with cause %v", name, err, cause)
			return
		}
		t.Logf("%s: %v", name, err)
	}
	_, err := NewSurface(plane, nil, Linspace(0, 1, 3), obj)
	check("0 points", err, ErrGridSize)
	_, err = NewSurface(plane, Linspace(-1, 1, 100), Linspace(-1, 1, 100), obj)
	check("10,000 points", err, ErrGridSize)
	_, err = NewSurface(plane, []float64{math.NaN()}, []float64{0}, obj)
	check("NaN coordinate", err, ErrNonFinite)
	bad := append([]float32(nil), theta...)
	bad[7] = float32(math.NaN())
	_, err = NewSurface(Plane{bad, d, d}, []float64{0}, []float64{0}, obj)
	check("NaN weight", err, ErrNonFinite)
	_, err = NewSurface(Plane{theta[:5], d, d}, []float64{0}, []float64{0}, obj)
	check("short origin", err, ErrLength)
	_, err = TrajectoryPCA(nil, theta)
	check("no snapshots", err, ErrNoSnapshots)
	_, err = TrajectoryPCA([][]float32{theta, theta}, theta)
	check("no movement", err, ErrNoSnapshots)
	_, err = TrajectoryPCA([][]float32{theta, theta[:3]}, theta)
	check("short snapshot", err, ErrLength)
	_, err = NewObjective(m, engine.Dataset{})
	check("empty dataset", err, ErrEmptyData)
	_, err = NewLanczos(matrixOp{mat.NewSymDense(3, nil)}, 0, 1)
	check("0 Lanczos iterations", err, ErrBadOption)
	_, err = NewHessian(obj, bad, 0)
	check("NaN Hessian point", err, ErrNonFinite)

	// Far along a huge direction the weights overflow and the loss is NaN:
	// that point gives a *PointError, the others are computed.
	huge := make([]float32, len(theta))
	for i := range huge {
		huge[i] = 1e37
	}
	s, err := NewSurface(Plane{theta, huge, d}, []float64{0, 10}, []float64{0}, obj)
	if err != nil {
		t.Fatal(err)
	}
	var pe *PointError
	nBad := 0
	for range s.Len() + 1 {
		_, _, err := s.Next()
		if errors.Is(err, ErrDone) {
			break
		}
		if errors.As(err, &pe) {
			nBad++
			t.Logf("overflow: %v", err)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if nBad != 1 || !s.Done() || !(s.Loss[0][0] > 0) || !math.IsNaN(s.Loss[0][1]) || !errors.Is(pe, ErrNonFinite) {
		t.Errorf("%d bad points, losses %v, want the second NaN and the first finite", nBad, s.Loss[0])
	}
	// A Hessian where the gradient overflows is an error, not NaN eigenvalues.
	h, _ := NewHessian(obj, theta, 1e38)
	l, _ := NewLanczos(h, 3, 1)
	check("overflowing Hessian", l.Step(), ErrNonFinite)
}

// Evaluating a grid point allocates nothing once the buffers exist.
func TestSurfaceNoAllocs(t *testing.T) {
	m := build(t, []int{5}, 1)
	obj, _ := NewObjective(m, synthetic(300, 1))
	theta := m.Weights(nil)
	d := make([]float32, len(theta))
	FilterNormalized(m, theta, 1, d)
	s, _ := NewSurface(Plane{theta, d, d}, Linspace(-1, 1, 8), Linspace(-1, 1, 8), obj)
	s.Next()
	if a := testing.AllocsPerRun(10, func() { s.Next() }); a != 0 {
		t.Errorf("%v allocations per grid point", a)
	}
	h, _ := NewHessian(obj, theta, 0)
	v, hv := make([]float64, len(theta)), make([]float64, len(theta))
	v[3] = 1
	h.Apply(hv, v)
	if a := testing.AllocsPerRun(5, func() { h.Apply(hv, v) }); a != 0 {
		t.Errorf("%v allocations per Hessian-vector product", a)
	}
}

// An objective of a run with another input scaling evaluates what the
// engine's evaluation of that run says (not the standard scaling), and its
// gradient is of that loss.
func TestObjectiveUsesTheRunsInputScaling(t *testing.T) {
	m := build(t, []int{8}, 5)
	d := synthetic(300, 4)
	theta := m.Weights(nil)
	obj, err := NewObjectiveInput(m, d, engine.InputUnit)
	if err != nil {
		t.Fatal(err)
	}
	loss, acc, err := obj.Loss(theta)
	if err != nil {
		t.Fatal(err)
	}
	wantL, wantA := engine.EvaluateInput(m, d, engine.InputUnit, 0)
	if math.Abs(loss-wantL) > 1e-9 || acc != wantA {
		t.Errorf("unit-scaled objective: loss %v acc %v; the engine says %v %v", loss, acc, wantL, wantA)
	}
	stdL, _ := engine.EvaluateInput(m, d, engine.InputStandard, 0)
	if math.Abs(stdL-wantL) < 1e-6 {
		t.Fatalf("the test cannot tell the scalings apart (%v)", stdL)
	}
	g := make([]float32, len(theta))
	gl, err := obj.Gradient(theta, g)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(gl-wantL) > 1e-5 {
		t.Errorf("gradient pass loss %v, want %v", gl, wantL)
	}
	if _, err := NewObjectiveInput(m, d, "bogus"); !errors.Is(err, ErrBadOption) {
		t.Errorf("unknown scaling: %v, want ErrBadOption", err)
	}
}

// Yield is called after every batch; returning false stops the pass with
// ErrCancelled, and a later pass works again.
func TestObjectiveYieldCancels(t *testing.T) {
	m := build(t, []int{8}, 5)
	obj, _ := NewObjective(m, synthetic(3*batch+10, 4))
	theta := m.Weights(nil)
	calls := 0
	obj.Yield = func() bool { calls++; return calls < 2 }
	if _, _, err := obj.Loss(theta); !errors.Is(err, ErrCancelled) {
		t.Fatalf("loss with a refusing Yield: %v, want ErrCancelled", err)
	}
	if calls != 2 {
		t.Errorf("Yield called %d times before stopping, want 2", calls)
	}
	calls = -100
	if _, err := obj.Gradient(theta, make([]float32, len(theta))); err != nil {
		t.Fatal(err)
	}
	if calls != -96 {
		t.Errorf("a gradient over 4 batches yielded %d times", calls+100)
	}
}

// The PCA grid covers the path with its margin, and a flat axis gets a
// quarter of the larger extent.
func TestPCAGridCoversPath(t *testing.T) {
	p := &PCA{Path: [][2]float64{{-4, -0.1}, {-2, 0}, {0, 0}}}
	xs, ys := p.Grid(5, 0.25)
	if xs[0] != -5 || xs[4] != 1 {
		t.Errorf("x range %v..%v, want -5..1", xs[0], xs[4])
	}
	if w := ys[4] - ys[0]; math.Abs(w-(0.1+2+0.9)) > 1e-12 {
		t.Errorf("y range %v..%v: width %v, want 3", ys[0], ys[4], w)
	}
}
