package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

// refGemm computes the same product with gonum's blas32.
func refGemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ta, tb := blas.NoTrans, blas.NoTrans
	ar, ac := m, k
	if transA {
		ta, ar, ac = blas.Trans, k, m
	}
	br, bc := k, n
	if transB {
		tb, br, bc = blas.Trans, n, k
	}
	blas32.Gemm(ta, tb, 1,
		blas32.General{Rows: ar, Cols: ac, Stride: lda, Data: a},
		blas32.General{Rows: br, Cols: bc, Stride: ldb, Data: b},
		beta,
		blas32.General{Rows: m, Cols: n, Stride: ldc, Data: c})
}

func TestGemmAgainstBlas32(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{1, 3, 5, 7, 17, 33, 65}
	type shape struct{ m, n, k int }
	var shapes []shape
	for _, m := range sizes {
		for _, n := range sizes {
			for _, k := range []int{1, 7, 33} {
				shapes = append(shapes, shape{m, n, k})
			}
		}
	}
	// Shapes crossing the block sizes (KC=256, NC=1024, MC=96) and the engine's.
	shapes = append(shapes, shape{97, 1031, 300}, shape{10, 2305, 25}, shape{20, 250, 513},
		shape{250, 130, 20}, shape{6, 13, 2100}, shape{64, 100, 320}, shape{100, 320, 64}, shape{3, 5, 0},
		// The dot-product path (NT, k >= dotMinK): odd m and n, k crossing dotKC.
		shape{10, 25, 2600}, shape{5, 7, 1030}, shape{3, 9, 1023}, shape{2, 4, 1024}, shape{1, 6, 2049},
		// Around the assembly levels' dotMinK (256).
		shape{7, 5, 255}, shape{5, 9, 256}, shape{64, 100, 784})
	idx := 0
	for _, s := range shapes {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for _, beta := range []float32{0, 1, 0.5} {
					idx++
					m, n, k := s.m, s.n, s.k
					ar, ac := m, k
					if tA {
						ar, ac = k, m
					}
					br, bc := k, n
					if tB {
						br, bc = n, k
					}
					lda, ldb, ldc := ac+3, bc+1, n+2
					a := randSlice(rng, max(ar*lda, 1))
					b := randSlice(rng, max(br*ldb, 1))
					c := randSlice(rng, m*ldc)
					want := append([]float32(nil), c...)
					if beta == 0 {
						// beta 0 must overwrite, even NaN.
						for i := range c {
							c[i] = float32(math.NaN())
						}
					}
					Gemm(tA, tB, m, n, k, a, lda, b, ldb, beta, c, ldc)
					if k == 0 || ar == 0 {
						scaleRef(m, n, beta, want, ldc)
					} else {
						refGemm(tA, tB, m, n, k, a, lda, b, ldb, beta, want, ldc)
					}
					for i := 0; i < m; i++ {
						for j := 0; j < ldc; j++ {
							got, w := c[i*ldc+j], want[i*ldc+j]
							if j >= n {
								// Padding past n must be untouched.
								if beta == 0 {
									if !math.IsNaN(float64(got)) {
										t.Fatalf("case %d %+v tA=%v tB=%v beta=%v: wrote padding C[%d,%d]", idx, s, tA, tB, beta, i, j)
									}
								} else if got != w {
									t.Fatalf("case %d %+v tA=%v tB=%v beta=%v: wrote padding C[%d,%d]", idx, s, tA, tB, beta, i, j)
								}
								continue
							}
							if !close32(got, w, float32(k)) {
								t.Fatalf("case %d %+v tA=%v tB=%v beta=%v: C[%d,%d] = %v, want %v", idx, s, tA, tB, beta, i, j, got, w)
							}
						}
					}
				}
			}
		}
	}
}

func scaleRef(m, n int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			c[i*ldc+j] *= beta
		}
	}
}

// close32 compares with a relative tolerance of ~1e-5 scaled by the number of
// terms summed (sqrt(k) growth of rounding error for random data).
func close32(got, want, terms float32) bool {
	tol := 1e-5 * float32(math.Sqrt(float64(max(terms, 1)))) * max(1, float32(math.Abs(float64(want))))
	return float32(math.Abs(float64(got-want))) <= tol
}

func TestGemmAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	m, n, k := 20, 1100, 300
	a := randSlice(rng, m*k)
	b := randSlice(rng, k*n)
	c := make([]float32, m*n)
	bt := randSlice(rng, n*k)
	Gemm(false, false, m, n, k, a, k, b, n, 0, c, n) // warm up the pool
	for i, tc := range []struct{ tA, tB bool }{{false, false}, {false, true}, {true, false}, {true, true}} {
		allocs := testing.AllocsPerRun(10, func() {
			bb, ldb := b, n
			if tc.tB {
				bb, ldb = bt, k
			}
			lda := k
			if tc.tA {
				lda = m
			}
			Gemm(tc.tA, tc.tB, m, n, k, a, lda, bb, ldb, 1, c, n)
		})
		if allocs != 0 {
			t.Errorf("case %d: %v allocations per Gemm, want 0", i, allocs)
		}
	}
}

func TestGemmConcurrent(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	m, n, k := 33, 700, 290
	a := randSlice(rng, m*k)
	b := randSlice(rng, k*n)
	want := make([]float32, m*n)
	refGemm(false, false, m, n, k, a, k, b, n, 0, want, n)
	done := make(chan []float32)
	for g := 0; g < 4; g++ {
		go func() {
			c := make([]float32, m*n)
			for it := 0; it < 5; it++ {
				Gemm(false, false, m, n, k, a, k, b, n, 0, c, n)
			}
			done <- c
		}()
	}
	for g := 0; g < 4; g++ {
		c := <-done
		for i := range c {
			if !close32(c[i], want[i], float32(k)) {
				t.Fatalf("goroutine result %d: C[%d] = %v, want %v", g, i, c[i], want[i])
			}
		}
	}
}

func TestGemmPanics(t *testing.T) {
	a := make([]float32, 6)
	b := make([]float32, 6)
	c := make([]float32, 4)
	cases := []func(){
		func() { Gemm(false, false, 2, 2, 3, a[:5], 3, b, 2, 0, c, 2) },
		func() { Gemm(false, false, 2, 2, 3, a, 3, b[:5], 2, 0, c, 2) },
		func() { Gemm(false, false, 2, 2, 3, a, 3, b, 2, 0, c[:3], 2) },
		func() { Gemm(false, false, 2, 2, 3, a, 2, b, 2, 0, c, 2) },
		func() { Gemm(true, false, 2, 2, 3, a, 2, b, 2, 0, c, 2) }, // A is (3,2): lda 2 ok, len 6 ok -> must not panic? see below
		func() { Gemm(false, true, 2, 2, 3, a, 3, b, 2, 0, c, 2) },
		func() { Gemm(false, false, -1, 2, 3, a, 3, b, 2, 0, c, 2) },
	}
	wantPanic := []bool{true, true, true, true, false, true, true}
	for i, f := range cases {
		got := didPanic(f)
		if got != wantPanic[i] {
			t.Errorf("case %d: panicked = %v, want %v", i, got, wantPanic[i])
		}
	}
}

func didPanic(f func()) (p bool) {
	defer func() { p = recover() != nil }()
	f()
	return false
}

var gemmShapes = []struct {
	name    string
	tA, tB  bool
	m, n, k int
}{
	{"conv1_fwd_NN_10x36864x25", false, false, 10, 64 * 576, 25},
	{"conv1_dW_NT_10x25x36864", false, true, 10, 25, 36864},
	{"conv2_fwd_NN_20x4096x250", false, false, 20, 64 * 64, 250},
	{"conv2_dW_NT_20x250x4096", false, true, 20, 250, 4096},
	{"conv2_dcols_TN_250x4096x20", true, false, 250, 4096, 20},
	{"fc1_fwd_NT_64x100x320", false, true, 64, 100, 320},
	{"fc1_dW_TN_100x320x64", true, false, 100, 320, 64},
	{"fc1_dx_NN_64x320x100", false, false, 64, 320, 100},
	{"mlp1_fwd_NT_64x100x784", false, true, 64, 100, 784},
	{"mlp1_dW_TN_100x784x64", true, false, 100, 784, 64},
	{"mlp_dx_NN_64x784x100", false, false, 64, 784, 100},
	{"mlp2_fwd_NT_64x10x100", false, true, 64, 10, 100},
	{"mlp2_dW_TN_10x100x64", true, false, 10, 100, 64},
	{"mlp2_dx_NN_64x100x10", false, false, 64, 100, 10},
}

func BenchmarkGemm(b *testing.B) {
	for _, s := range gemmShapes {
		b.Run(s.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(7, 8))
			lda, ldb := s.k, s.n
			if s.tA {
				lda = s.m
			}
			if s.tB {
				ldb = s.k
			}
			a := randSlice(rng, s.m*s.k)
			bb := randSlice(rng, s.k*s.n)
			c := make([]float32, s.m*s.n)
			for range 3 { // warm up: under wasm, let V8 tier the code up first
				Gemm(s.tA, s.tB, s.m, s.n, s.k, a, lda, bb, ldb, 0, c, s.n)
			}
			best := time.Duration(math.MaxInt64)
			cpu0 := cpuTime()
			for b.Loop() {
				t0 := time.Now()
				Gemm(s.tA, s.tB, s.m, s.n, s.k, a, lda, bb, ldb, 0, c, s.n)
				best = min(best, time.Since(t0))
			}
			flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
			cpu := cpuTime() - cpu0
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			// Per CPU second of this process: steadier on a shared machine.
			b.ReportMetric(flops*float64(b.N)/cpu.Seconds()/1e9, "cpu-GFLOP/s")
			// The fastest single call: a steadier figure on a loaded machine.
			b.ReportMetric(flops/best.Seconds()/1e9, "best-GFLOP/s")
		})
	}
}

func ExampleGemm() {
	a := []float32{1, 2, 3, 4, 5, 6} // (2, 3)
	b := []float32{1, 0, 0, 1, 1, 1} // (3, 2)
	c := make([]float32, 4)          // (2, 2)
	Gemm(false, false, 2, 2, 3, a, 3, b, 2, 0, c, 2)
	fmt.Println(c)
	// Output: [4 5 10 11]
}
