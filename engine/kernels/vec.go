package kernels

// Axpy computes y += alpha·x.
//
// It panics if len(x) != len(y).
func Axpy(alpha float32, x, y []float32) {
	if len(x) != len(y) {
		panic("kernels: Axpy: length mismatch")
	}
	axpy(alpha, x, y)
}

// Scale computes x *= alpha.
func Scale(alpha float32, x []float32) {
	scale(alpha, x)
}

// Dot returns the inner product of x and y, accumulated in float32 over
// several partial sums (so the order of additions differs between builds).
//
// It panics if len(x) != len(y).
func Dot(x, y []float32) float32 {
	if len(x) != len(y) {
		panic("kernels: Dot: length mismatch")
	}
	return dot(x, y)
}

// Sum returns the sum of x, accumulated in float32 over several partial
// sums (so the order of additions differs between builds): a bias gradient.
func Sum(x []float32) float32 { return sum(x) }

// AddConst adds c to every element of x: a bias add.
func AddConst(c float32, x []float32) { addConst(c, x) }

// AddRowVector adds v (cols) to every row of m (rows, cols): the bias add.
//
// It panics if len(v) != cols or len(m) < rows·cols.
func AddRowVector(m []float32, rows, cols int, v []float32) {
	if rows < 0 || cols < 0 || len(v) != cols || len(m) < rows*cols {
		panic("kernels: AddRowVector: bad sizes")
	}
	for i := 0; i < rows; i++ {
		axpy(1, v, m[i*cols:(i+1)*cols])
	}
}

// SumRows adds the column sums of m (rows, cols) into dst (cols): the bias
// gradient. dst is not cleared first.
//
// It panics if len(dst) != cols or len(m) < rows·cols.
func SumRows(dst []float32, m []float32, rows, cols int) {
	if rows < 0 || cols < 0 || len(dst) != cols || len(m) < rows*cols {
		panic("kernels: SumRows: bad sizes")
	}
	for i := 0; i < rows; i++ {
		axpy(1, m[i*cols:(i+1)*cols], dst)
	}
}

// ReLU sets dst[i] = max(x[i], 0); NaN maps to 0. dst may be x.
//
// It panics if len(dst) != len(x).
func ReLU(dst, x []float32) {
	if len(dst) != len(x) {
		panic("kernels: ReLU: length mismatch")
	}
	relu(dst, x)
}

// ReLUBackward sets dx[i] = dy[i] where y[i] > 0 and 0 elsewhere, y being the
// ReLU's output (or its input: the sign is the same). dx may be dy.
//
// It panics if the three lengths differ.
func ReLUBackward(dx, dy, y []float32) {
	if len(dx) != len(dy) || len(dy) != len(y) {
		panic("kernels: ReLUBackward: length mismatch")
	}
	reluBackward(dx, dy, y)
}

// AdamCoef are the scalars of one Adam update (see AdamUpdate).
type AdamCoef struct {
	L2      float32 // weight decay added to the gradient
	W1, W2  float32 // 1-beta1 and 1-beta2
	B2      float32 // beta2
	SqrtBC2 float32 // sqrt of the second moment's bias correction
	Eps     float32
	Step    float32 // learning rate over the first moment's bias correction
}

// AdamUpdate applies one Adam step to the weights w with moments m and v
// and gradient g (all as long as w), element by element:
//
//	gi = g[i] + L2·w[i]
//	m[i] = m[i] + W1·(gi - m[i])
//	v[i] = v[i]·B2 + W2·gi·gi
//	w[i] -= Step · (m[i] / (sqrt(v[i])/SqrtBC2 + Eps))
//
// Each operation rounds to float32 on its own (no fused multiply-add), so
// every build gives the same bits.
//
// It panics if g, m or v is shorter than w.
func AdamUpdate(w, g, m, v []float32, c AdamCoef) {
	if len(g) < len(w) || len(m) < len(w) || len(v) < len(w) {
		panic("kernels: AdamUpdate: slice shorter than w")
	}
	adamUpdate(w, g[:len(w)], m[:len(w)], v[:len(w)], c)
}
