package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// naiveIm2col is the direct definition of the (C·KH·KW, OH·OW) unfolding.
func naiveIm2col(x []float32, c, h, w, kh, kw, sh, sw, ph, pw int) (cols []float32, oh, ow int) {
	oh = (h+2*ph-kh)/sh + 1
	ow = (w+2*pw-kw)/sw + 1
	cols = make([]float32, c*kh*kw*oh*ow)
	for ci := 0; ci < c; ci++ {
		for ky := 0; ky < kh; ky++ {
			for kx := 0; kx < kw; kx++ {
				r := (ci*kh+ky)*kw + kx
				for oy := 0; oy < oh; oy++ {
					for ox := 0; ox < ow; ox++ {
						iy, ix := oy*sh-ph+ky, ox*sw-pw+kx
						var v float32
						if iy >= 0 && iy < h && ix >= 0 && ix < w {
							v = x[(ci*h+iy)*w+ix]
						}
						cols[r*oh*ow+oy*ow+ox] = v
					}
				}
			}
		}
	}
	return cols, oh, ow
}

type convCase struct{ c, h, w, kh, kw, sh, sw, ph, pw int }

var convCases = []convCase{
	{1, 28, 28, 5, 5, 1, 1, 0, 0},   // conv1
	{10, 12, 12, 5, 5, 1, 1, 0, 0},  // conv2
	{1, 28, 28, 3, 3, 3, 3, 1, 1},   // report 3.2: 3x3 stride 3 pad 1
	{1, 28, 28, 14, 14, 1, 1, 3, 3}, // report 3.2: 14x14 stride 1 pad 3
	{2, 7, 9, 3, 2, 2, 3, 2, 1},
	{3, 5, 5, 5, 5, 1, 1, 2, 2},
	{1, 4, 4, 1, 1, 1, 1, 0, 0},
	{2, 3, 3, 7, 7, 1, 1, 3, 3}, // window wider than the image, all padding around
	{1, 6, 6, 2, 2, 4, 4, 1, 1},
	{1, 1, 5, 1, 3, 1, 2, 0, 4}, // padding larger than the kernel
}

func TestIm2colAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for i, tc := range convCases {
		x := randSlice(rng, tc.c*tc.h*tc.w)
		want, oh, ow := naiveIm2col(x, tc.c, tc.h, tc.w, tc.kh, tc.kw, tc.sh, tc.sw, tc.ph, tc.pw)
		if oh != ConvOutSize(tc.h, tc.kh, tc.sh, tc.ph) || ow != ConvOutSize(tc.w, tc.kw, tc.sw, tc.pw) {
			t.Fatalf("case %d: ConvOutSize disagrees with %dx%d", i, oh, ow)
		}
		// Place the image as image 1 of a batch of 3, with extra row stride.
		rows, n := tc.c*tc.kh*tc.kw, oh*ow
		ldc := 3*n + 5
		cols := make([]float32, rows*ldc)
		const sentinel = -12345
		for j := range cols {
			cols[j] = sentinel
		}
		Im2col(x, tc.c, tc.h, tc.w, tc.kh, tc.kw, tc.sh, tc.sw, tc.ph, tc.pw, cols, ldc, n)
		for r := 0; r < rows; r++ {
			for j := 0; j < ldc; j++ {
				got := cols[r*ldc+j]
				if j < n || j >= 2*n {
					if got != sentinel {
						t.Fatalf("case %d: wrote outside its columns at row %d col %d", i, r, j)
					}
					continue
				}
				if w := want[r*n+j-n]; got != w {
					t.Fatalf("case %d: cols[%d, %d] = %v, want %v", i, r, j-n, got, w)
				}
			}
		}
	}
}

// TestCol2imAdjoint checks <im2col(x), y> == <x, col2im(y)>, and that Col2im
// adds into x rather than overwriting it.
func TestCol2imAdjoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for i, tc := range convCases {
		oh, ow := ConvOutSize(tc.h, tc.kh, tc.sh, tc.ph), ConvOutSize(tc.w, tc.kw, tc.sw, tc.pw)
		rows, n := tc.c*tc.kh*tc.kw, oh*ow
		ldc, col0 := n+3, 2
		x := randSlice(rng, tc.c*tc.h*tc.w)
		y := randSlice(rng, rows*ldc)
		cols := make([]float32, rows*ldc)
		Im2col(x, tc.c, tc.h, tc.w, tc.kh, tc.kw, tc.sh, tc.sw, tc.ph, tc.pw, cols, ldc, col0)
		var lhs float64
		for r := 0; r < rows; r++ {
			for j := col0; j < col0+n; j++ {
				lhs += float64(cols[r*ldc+j]) * float64(y[r*ldc+j])
			}
		}
		base := randSlice(rng, len(x))
		dx := append([]float32(nil), base...)
		Col2im(dx, tc.c, tc.h, tc.w, tc.kh, tc.kw, tc.sh, tc.sw, tc.ph, tc.pw, y, ldc, col0)
		var rhs float64
		for j := range x {
			rhs += float64(x[j]) * float64(dx[j]-base[j])
		}
		if math.Abs(lhs-rhs) > 1e-4*math.Max(1, math.Abs(lhs)) {
			t.Errorf("case %d: <im2col(x), y> = %v, <x, col2im(y)> = %v", i, lhs, rhs)
		}
	}
}

func TestIm2colPanics(t *testing.T) {
	x := make([]float32, 2*5*5)
	cols := make([]float32, 2*9*9)                                    // (C·3·3, 3·3) for 5x5, k3 s2 p1
	ok := func() { Im2col(x, 2, 5, 5, 3, 3, 2, 2, 1, 1, cols, 9, 0) } // must not panic
	cases := []struct {
		f    func()
		want bool
	}{
		{ok, false},
		{func() { Col2im(x, 2, 5, 5, 3, 3, 2, 2, 1, 1, cols, 9, 0) }, false},
		{func() { Im2col(x[:49], 2, 5, 5, 3, 3, 2, 2, 1, 1, cols, 9, 0) }, true},
		{func() { Im2col(x, 2, 5, 5, 3, 3, 2, 2, 1, 1, cols[:len(cols)-1], 9, 0) }, true},
		{func() { Im2col(x, 2, 5, 5, 3, 3, 2, 2, 1, 1, cols, 8, 0) }, true},
		{func() { Im2col(x, 2, 5, 5, 3, 3, 2, 2, 1, 1, cols, 9, 1) }, true},
		{func() { Im2col(x, 2, 5, 5, 8, 8, 1, 1, 1, 1, cols, 9, 0) }, true}, // window does not fit
		{func() { Im2col(x, 2, 5, 5, 3, 3, 0, 2, 1, 1, cols, 9, 0) }, true},
		{func() { Col2im(x[:49], 2, 5, 5, 3, 3, 2, 2, 1, 1, cols, 9, 0) }, true},
		{func() { Col2im(x, 2, 5, 5, 3, 3, 2, 2, 1, 1, cols[:10], 9, 0) }, true},
	}
	for i, tc := range cases {
		if got := didPanic(tc.f); got != tc.want {
			t.Errorf("case %d: panicked = %v, want %v", i, got, tc.want)
		}
	}
}

func BenchmarkIm2col(b *testing.B) {
	for _, bc := range []struct {
		name string
		convCase
	}{
		{"conv1_b64_28x28_k5", convCase{1, 28, 28, 5, 5, 1, 1, 0, 0}},
		{"conv2_b64_10x12x12_k5", convCase{10, 12, 12, 5, 5, 1, 1, 0, 0}},
		{"k3s3p1_b64", convCase{1, 28, 28, 3, 3, 3, 3, 1, 1}},
	} {
		tc := bc.convCase
		const batch = 64
		oh, ow := ConvOutSize(tc.h, tc.kh, tc.sh, tc.ph), ConvOutSize(tc.w, tc.kw, tc.sw, tc.pw)
		x := make([]float32, batch*tc.c*tc.h*tc.w)
		ldc := batch * oh * ow
		cols := make([]float32, tc.c*tc.kh*tc.kw*ldc)
		img := tc.c * tc.h * tc.w
		b.Run("im2col_"+bc.name, func(b *testing.B) {
			cpu0 := cpuTime()
			for b.Loop() {
				for n := 0; n < batch; n++ {
					Im2col(x[n*img:(n+1)*img], tc.c, tc.h, tc.w, tc.kh, tc.kw, tc.sh, tc.sw, tc.ph, tc.pw, cols, ldc, n*oh*ow)
				}
			}
			b.SetBytes(int64(len(cols) * 4))
			// Per CPU second of this process: steadier on a shared machine.
			b.ReportMetric(float64(len(cols)*4*b.N)/(cpuTime()-cpu0).Seconds()/1e6, "cpu-MB/s")
		})
		b.Run("col2im_"+bc.name, func(b *testing.B) {
			cpu0 := cpuTime()
			for b.Loop() {
				for n := 0; n < batch; n++ {
					Col2im(x[n*img:(n+1)*img], tc.c, tc.h, tc.w, tc.kh, tc.kw, tc.sh, tc.sw, tc.ph, tc.pw, cols, ldc, n*oh*ow)
				}
			}
			b.SetBytes(int64(len(cols) * 4))
			// Per CPU second of this process: steadier on a shared machine.
			b.ReportMetric(float64(len(cols)*4*b.N)/(cpuTime()-cpu0).Seconds()/1e6, "cpu-MB/s")
		})
	}
}

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
