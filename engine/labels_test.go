package engine

import (
	"slices"
	"testing"
)

func testLabels(n int) []uint8 {
	l := make([]uint8, n)
	for i := range l {
		l[i] = uint8((i*7 + i/3) % 10)
	}
	return l
}

func TestShuffleLabels(t *testing.T) {
	src := testLabels(10000)
	orig := slices.Clone(src)
	for i, c := range []struct {
		frac               float32
		minMoved, maxMoved int // examples whose label changed
	}{
		{0, 0, 0},
		{1, 8500, 9500},
		{0.5, 4200, 4800},
		{0.0001, 0, 1},
	} {
		dst := make([]uint8, len(src))
		ShuffleLabels(dst, src, c.frac, 9)
		if !slices.Equal(src, orig) {
			t.Fatalf("case %d: source labels changed", i)
		}
		moved := 0
		for j := range dst {
			if dst[j] != src[j] {
				moved++
			}
		}
		if moved < c.minMoved || moved > c.maxMoved {
			t.Errorf("case %d: fraction %v changed %d labels, want %d..%d", i, c.frac, moved, c.minMoved, c.maxMoved)
		}
		a, b := slices.Sorted(slices.Values(dst)), slices.Sorted(slices.Values(src))
		if !slices.Equal(a, b) {
			t.Errorf("case %d: not a permutation of the labels", i)
		}
		again := make([]uint8, len(src))
		ShuffleLabels(again, src, c.frac, 9)
		if !slices.Equal(again, dst) {
			t.Errorf("case %d: not deterministic", i)
		}
	}
}

func TestShuffleLabelsNested(t *testing.T) {
	// The picks are nested: with all-distinct labels, every example moved
	// at a fraction 0.25 is also moved at fraction 1, and all move at 1.
	distinct := make([]uint8, 200)
	for i := range distinct {
		distinct[i] = uint8(i)
	}
	h, a := make([]uint8, 200), make([]uint8, 200)
	ShuffleLabels(h, distinct, 0.25, 5)
	ShuffleLabels(a, distinct, 1, 5)
	moved := 0
	for j := range h {
		if h[j] != distinct[j] {
			moved++
			if a[j] == distinct[j] {
				t.Errorf("example %d moved at 25%% but not at 100%%", j)
			}
		}
		if a[j] == distinct[j] {
			t.Errorf("example %d kept its distinct label at fraction 1", j)
		}
	}
	if moved != 50 {
		t.Errorf("fraction 0.25 of 200 distinct labels moved %d, want 50", moved)
	}
}

func TestShufflePanicsOnBadFraction(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for fraction 1.5")
		}
	}()
	ShuffleLabels(make([]uint8, 3), make([]uint8, 3), 1.5, 1)
}
