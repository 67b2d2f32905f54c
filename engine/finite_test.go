package engine

import (
	"math"
	"testing"
)

// finite finds a NaN or an infinity anywhere (also past the vector loops'
// blocks), and is not fooled by finite values whose sum overflows.
func TestFinite(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	for n := range 40 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(i) - 7.5
		}
		if !finite(v) {
			t.Fatalf("n=%d: finite values reported non-finite", n)
		}
		for i := range n {
			for _, bad := range []float32{nan, inf, -inf} {
				old := v[i]
				v[i] = bad
				if finite(v) {
					t.Errorf("n=%d: %v at %d not found", n, bad, i)
				}
				v[i] = old
			}
		}
	}
	big := []float32{3e38, 3e38, 3e38, 3e38, -3e38, -3e38, 3e38, 3e38, 3e38}
	if !finite(big) {
		t.Error("finite values whose sum overflows reported non-finite")
	}
	if finite(append(big, inf)) || finite([]float32{inf, -inf}) {
		t.Error("infinities with an overflowing sum not found")
	}
}
