package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestVectorOps(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for i, n := range []int{0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 257} {
		x := randSlice(rng, n)
		y := randSlice(rng, n)
		if n > 2 {
			x[1] = float32(math.NaN()) // NaN must map to 0 in ReLU
			x[2] = 0
		}
		// Axpy
		got := append([]float32(nil), y...)
		Axpy(0.75, x, got)
		for j := range got {
			if w := y[j] + 0.75*x[j]; !close32(got[j], w, 1) && !(math.IsNaN(float64(w)) && math.IsNaN(float64(got[j]))) {
				t.Fatalf("case %d: Axpy[%d] = %v, want %v", i, j, got[j], w)
			}
		}
		// Scale
		got = append([]float32(nil), y...)
		Scale(-1.5, got)
		for j := range got {
			if w := -1.5 * y[j]; got[j] != w {
				t.Fatalf("case %d: Scale[%d] = %v, want %v", i, j, got[j], w)
			}
		}
		// Dot (on finite inputs)
		z := randSlice(rng, n)
		var want float64
		for j := range y {
			want += float64(y[j]) * float64(z[j])
		}
		if d := Dot(y, z); math.Abs(float64(d)-want) > 1e-5*math.Sqrt(float64(n+1))*math.Max(1, math.Abs(want)) {
			t.Fatalf("case %d: Dot = %v, want %v", i, d, want)
		}
		// Sum and AddConst
		want = 0
		for _, v := range z {
			want += float64(v)
		}
		if s := Sum(z); math.Abs(float64(s)-want) > 1e-5*math.Sqrt(float64(n+1))*math.Max(1, math.Abs(want)) {
			t.Fatalf("case %d: Sum = %v, want %v", i, s, want)
		}
		got = append([]float32(nil), z...)
		AddConst(-0.25, got)
		for j := range got {
			if w := z[j] - 0.25; got[j] != w {
				t.Fatalf("case %d: AddConst[%d] = %v, want %v", i, j, got[j], w)
			}
		}
		// ReLU, in place and not
		dst := make([]float32, n)
		ReLU(dst, x)
		inplace := append([]float32(nil), x...)
		ReLU(inplace, inplace)
		for j, v := range x {
			w := float32(0)
			if v > 0 {
				w = v
			}
			if dst[j] != w || inplace[j] != w {
				t.Fatalf("case %d: ReLU[%d] of %v = %v (in place %v), want %v", i, j, v, dst[j], inplace[j], w)
			}
		}
		// ReLUBackward, dx aliasing dy
		dx := append([]float32(nil), z...)
		ReLUBackward(dx, dx, dst)
		for j := range dx {
			w := float32(0)
			if dst[j] > 0 {
				w = z[j]
			}
			if dx[j] != w {
				t.Fatalf("case %d: ReLUBackward[%d] = %v, want %v", i, j, dx[j], w)
			}
		}
	}
}

func TestBiasOps(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for i, sz := range []struct{ rows, cols int }{{1, 1}, {3, 5}, {64, 10}, {7, 33}, {2, 100}} {
		m := randSlice(rng, sz.rows*sz.cols)
		v := randSlice(rng, sz.cols)
		got := append([]float32(nil), m...)
		AddRowVector(got, sz.rows, sz.cols, v)
		for r := 0; r < sz.rows; r++ {
			for c := 0; c < sz.cols; c++ {
				if w := m[r*sz.cols+c] + v[c]; got[r*sz.cols+c] != w {
					t.Fatalf("case %d: AddRowVector[%d,%d] = %v, want %v", i, r, c, got[r*sz.cols+c], w)
				}
			}
		}
		dst := append([]float32(nil), v...)
		SumRows(dst, m, sz.rows, sz.cols)
		for c := 0; c < sz.cols; c++ {
			w := float64(v[c])
			for r := 0; r < sz.rows; r++ {
				w += float64(m[r*sz.cols+c])
			}
			if !close32(dst[c], float32(w), float32(sz.rows)) {
				t.Fatalf("case %d: SumRows[%d] = %v, want %v", i, c, dst[c], w)
			}
		}
	}
}

func TestVectorPanics(t *testing.T) {
	a, b := make([]float32, 4), make([]float32, 5)
	cases := []func(){
		func() { Axpy(1, a, b) },
		func() { Dot(a, b) },
		func() { ReLU(a, b) },
		func() { ReLUBackward(a, a, b) },
		func() { AddRowVector(a, 2, 3, b[:3]) },
		func() { AddRowVector(b, 1, 5, a) },
		func() { SumRows(b[:3], a, 2, 3) },
		func() { SumRows(a, b, 1, 5) },
	}
	for i, f := range cases {
		if !didPanic(f) {
			t.Errorf("case %d: did not panic", i)
		}
	}
}

func TestVectorOpsAllocs(t *testing.T) {
	x, y := make([]float32, 100), make([]float32, 100)
	allocs := testing.AllocsPerRun(10, func() {
		Axpy(2, x, y)
		Scale(2, x)
		_ = Dot(x, y)
		_ = Sum(x)
		AddConst(1, y)
		ReLU(y, x)
		ReLUBackward(y, y, x)
		AddRowVector(y, 10, 10, x[:10])
		SumRows(x[:10], y, 10, 10)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run, want 0", allocs)
	}
}

// TestAdamUpdate checks AdamUpdate against the update written out in
// float64 and rounded to float32 after every operation, bit for bit, at
// lengths around the vector widths.
func TestAdamUpdate(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	c := AdamCoef{L2: 1e-4, W1: 0.1, W2: 0.001, B2: 0.999, SqrtBC2: 0.05, Eps: 1e-8, Step: 0.003}
	r := func(x float64) float32 { return float32(x) }
	for _, n := range []int{0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 100, 257} {
		w, g, m := randSlice(rng, n), randSlice(rng, n), randSlice(rng, n)
		v := randSlice(rng, n)
		for i := range v {
			v[i] *= v[i]
		}
		ww, wm, wv := append([]float32(nil), w...), append([]float32(nil), m...), append([]float32(nil), v...)
		for j := range ww {
			gj := r(float64(g[j]) + float64(r(float64(c.L2)*float64(ww[j]))))
			wm[j] = r(float64(wm[j]) + float64(r(float64(c.W1)*float64(r(float64(gj)-float64(wm[j]))))))
			wv[j] = r(float64(r(float64(wv[j])*float64(c.B2))) + float64(r(float64(r(float64(c.W2)*float64(gj)))*float64(gj))))
			denom := r(float64(r(float64(r(math.Sqrt(float64(wv[j]))))/float64(c.SqrtBC2))) + float64(c.Eps))
			ww[j] = r(float64(ww[j]) - float64(r(float64(c.Step)*float64(r(float64(wm[j])/float64(denom))))))
		}
		AdamUpdate(w, g, m, v, c)
		for j := range w {
			if w[j] != ww[j] || m[j] != wm[j] || v[j] != wv[j] {
				t.Fatalf("n=%d: element %d: w, m, v = %v, %v, %v; want %v, %v, %v", n, j, w[j], m[j], v[j], ww[j], wm[j], wv[j])
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("AdamUpdate with a short gradient did not panic")
		}
	}()
	AdamUpdate(make([]float32, 4), make([]float32, 3), make([]float32, 4), make([]float32, 4), c)
}
