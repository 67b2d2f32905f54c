package engine

import (
	"slices"
	"testing"
)

func epochs(b *MiniBatcher, n int) [][]int {
	var out [][]int
	var cur []int
	for len(out) < n {
		idx, end := b.Next()
		cur = append(cur, idx...)
		if end {
			out = append(out, cur)
			cur = nil
		}
	}
	return out
}

func TestMiniBatcherCoversEachEpoch(t *testing.T) {
	for i, c := range []struct{ n, size, steps, last int }{
		{10, 3, 4, 1},
		{10, 5, 2, 5},
		{7, 1, 7, 1},
		{1000, 64, 16, 40},
	} {
		b := NewMiniBatcher(c.n, c.size, 42)
		if got := (Config{BatchSize: c.size}).EpochSteps(c.n); got != c.steps {
			t.Errorf("case %d: EpochSteps %d, want %d", i, got, c.steps)
		}
		var prev []int
		for e := range 3 {
			var all []int
			for s := range c.steps {
				idx, end := b.Next()
				if want := c.size; s == c.steps-1 {
					want = c.last
					if len(idx) != want {
						t.Errorf("case %d: last batch %d, want %d", i, len(idx), want)
					}
				} else if len(idx) != want {
					t.Errorf("case %d: batch %d has %d, want %d", i, s, len(idx), want)
				}
				if end != (s == c.steps-1) {
					t.Errorf("case %d epoch %d batch %d: epochEnd %v", i, e, s, end)
				}
				all = append(all, idx...)
			}
			if b.Epoch() != e+1 || b.Progress() != float64(e+1) {
				t.Errorf("case %d: Epoch %d Progress %v after %d epochs", i, b.Epoch(), b.Progress(), e+1)
			}
			sorted := slices.Sorted(slices.Values(all))
			for j, v := range sorted {
				if v != j {
					t.Fatalf("case %d epoch %d: indices are not a permutation of 0..%d: %v", i, e, c.n-1, sorted)
				}
			}
			if prev != nil && slices.Equal(prev, all) {
				t.Errorf("case %d epoch %d: same order as the previous epoch", i, e)
			}
			prev = all
		}
	}
}

func TestMiniBatcherDeterministic(t *testing.T) {
	a := epochs(NewMiniBatcher(100, 7, 1), 3)
	b := epochs(NewMiniBatcher(100, 7, 1), 3)
	c := epochs(NewMiniBatcher(100, 7, 2), 3)
	for e := range a {
		if !slices.Equal(a[e], b[e]) {
			t.Errorf("epoch %d differs for the same seed", e)
		}
		if slices.Equal(a[e], c[e]) {
			t.Errorf("epoch %d equal for seeds 1 and 2", e)
		}
	}
}

func TestMiniBatcherFullBatch(t *testing.T) {
	for i, size := range []int{0, 50, 51, 1000} {
		b := NewMiniBatcher(50, size, 3)
		if steps := (Config{BatchSize: size}).EpochSteps(50); b.Size() != 50 || steps != 1 {
			t.Errorf("case %d: size %d, steps %d", i, b.Size(), steps)
		}
		for range 3 {
			idx, end := b.Next()
			if !end || len(idx) != 50 {
				t.Fatalf("case %d: batch of %d, end %v", i, len(idx), end)
			}
			for j, v := range idx {
				if v != j {
					t.Fatalf("case %d: full batch not in order: %v", i, idx)
				}
			}
		}
	}
}

func TestMiniBatcherAllocs(t *testing.T) {
	b := NewMiniBatcher(1000, 64, 1)
	if n := testing.AllocsPerRun(200, func() { b.Next() }); n != 0 {
		t.Errorf("%v allocations per Next", n)
	}
}
