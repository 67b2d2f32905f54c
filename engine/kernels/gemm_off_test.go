package kernels

import (
	"math/rand/v2"
	"testing"
)

func TestGemmRowOffsetsAgainstBlas32(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	type shape struct{ m, n, k, nseg int }
	var shapes []shape
	for _, m := range []int{1, 3, 4, 5, 10, 97, 101} {
		for _, n := range []int{1, 7, 8, 17, 300} {
			for _, k := range []int{1, 5, 25, 300} {
				shapes = append(shapes, shape{m, n, k, 1 + (m+n+k)%3})
			}
		}
	}
	// The engine's convolutions: conv1 and conv2 of the report's CNN at
	// batch 64 and 7, one segment per output row.
	shapes = append(shapes, shape{10, 24 * 64, 25, 24}, shape{20, 8 * 64, 250, 8}, shape{10, 24 * 7, 25, 24}, shape{20, 8 * 7, 250, 3})
	for idx, s := range shapes {
		lda, sb, ldc := s.k+2, s.n+5, s.nseg*(s.n+3)+1
		sc := s.n + 3
		blen := (s.nseg-1)*sb + s.n + 50
		a := randSlice(rng, s.m*lda)
		b := randSlice(rng, blen)
		boff := make([]int32, s.k)
		for p := range boff {
			boff[p] = int32(rng.IntN(51))
		}
		c := randSlice(rng, s.m*ldc)
		want := append([]float32(nil), c...)
		bs := make([]float32, s.k*s.n) // (k, n) B_s materialised
		for seg := 0; seg < s.nseg; seg++ {
			for p := 0; p < s.k; p++ {
				copy(bs[p*s.n:(p+1)*s.n], b[int(boff[p])+seg*sb:])
			}
			refGemm(false, false, s.m, s.n, s.k, a, lda, bs, s.n, 0, want[seg*sc:], ldc)
		}
		GemmRowOffsets(s.m, s.n, s.k, s.nseg, a, lda, b, boff, sb, c, ldc, sc)
		for i := range c {
			if !close32(c[i], want[i], float32(s.k)) {
				t.Fatalf("case %d %+v: C[%d] = %v, want %v", idx, s, i, c[i], want[i])
			}
		}
	}
}

func TestGemmRowOffsetsPanics(t *testing.T) {
	a := make([]float32, 6) // (2, 3)
	b := make([]float32, 10)
	c := make([]float32, 16) // (2, 8)
	off := []int32{0, 1, 2}
	cases := []struct {
		f    func()
		want bool
	}{
		{func() { GemmRowOffsets(2, 4, 3, 2, a, 3, b, off, 4, c, 8, 4) }, false},
		{func() { GemmRowOffsets(2, 4, 3, 2, a, 3, b, off[:2], 4, c, 8, 4) }, true},
		{func() { GemmRowOffsets(2, 4, 3, 2, a, 3, b, []int32{0, 1, 3}, 4, c, 8, 4) }, true},
		{func() { GemmRowOffsets(2, 4, 3, 2, a[:5], 3, b, off, 4, c, 8, 4) }, true},
		{func() { GemmRowOffsets(2, 4, 3, 2, a, 3, b, off, 4, c[:15], 8, 4) }, true},
		{func() { GemmRowOffsets(-1, 4, 3, 2, a, 3, b, off, 4, c, 8, 4) }, true},
	}
	for i, tc := range cases {
		if got := didPanic(tc.f); got != tc.want {
			t.Errorf("case %d: panicked = %v, want %v", i, got, tc.want)
		}
	}
}

func TestGemmRowOffsetsAllocs(t *testing.T) {
	a := make([]float32, 20*250)
	b := make([]float32, 10*12*12*64)
	c := make([]float32, 20*64*64)
	off := make([]int32, 250)
	GemmRowOffsets(20, 512, 250, 8, a, 250, b, off, 768, c, 4096, 512)
	if n := testing.AllocsPerRun(5, func() { GemmRowOffsets(20, 512, 250, 8, a, 250, b, off, 768, c, 4096, 512) }); n != 0 {
		t.Errorf("%v allocations per call, want 0", n)
	}
}

func TestGemmNTRowOffsetsAgainstBlas32(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	type shape struct{ m, n, l, nseg int }
	var shapes []shape
	for _, m := range []int{1, 2, 3, 5, 10} {
		for _, n := range []int{1, 3, 4, 5, 6, 9, 25} {
			for _, l := range []int{1, 7, 8, 33, 300} {
				shapes = append(shapes, shape{m, n, l, 1 + (m+n+l)%3})
			}
		}
	}
	// conv1 and conv2 weight gradients of the report's CNN, batch 64 and 7.
	shapes = append(shapes, shape{10, 25, 24 * 64, 24}, shape{20, 250, 8 * 64, 8}, shape{10, 25, 24 * 7, 24}, shape{20, 250, 8 * 7, 8})
	for idx, s := range shapes {
		for _, beta := range []float32{0, 1, 0.5} {
			sa := s.l + 3
			lda := s.nseg*sa + 2
			sb := s.l + 4
			a := randSlice(rng, s.m*lda)
			b := randSlice(rng, (s.nseg-1)*sb+s.l+40)
			boff := make([]int32, s.n)
			for j := range boff {
				boff[j] = int32(rng.IntN(41))
			}
			ldc := s.n + 2
			c := randSlice(rng, s.m*ldc)
			want := append([]float32(nil), c...)
			scaleRef(s.m, s.n, beta, want, ldc)
			bs := make([]float32, s.n*s.l) // (n, l) segment of B
			for seg := 0; seg < s.nseg; seg++ {
				for j := 0; j < s.n; j++ {
					copy(bs[j*s.l:(j+1)*s.l], b[int(boff[j])+seg*sb:])
				}
				refGemm(false, true, s.m, s.n, s.l, a[seg*sa:], lda, bs, s.l, 1, want, ldc)
			}
			GemmNTRowOffsets(s.m, s.n, s.l, s.nseg, a, lda, sa, b, boff, sb, beta, c, ldc)
			for i := range c {
				if !close32(c[i], want[i], float32(s.l*s.nseg)) {
					t.Fatalf("case %d %+v beta %v: C[%d] = %v, want %v", idx, s, beta, i, c[i], want[i])
				}
			}
		}
	}
}
