package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// ShuffleLabels writes into dst the labels src with a fraction of them
// moved between examples, for the random-labels experiment (Zhang et al.,
// "Understanding deep learning requires rethinking generalization").
//
// It picks k = round(fraction·n) examples at random (a seeded PCG) and moves
// their labels one step along a random cycle through them, so each picked
// example receives the label of another picked example: the labels as a
// multiset are kept, the unpicked examples keep theirs, and with 10 balanced
// classes about 90% of the picked examples end up with a wrong label.
// For a seed the picks are nested: those for a smaller fraction are a subset
// of those for a larger one. Fraction 0 copies src; dst may not alias src.
//
// It panics if len(dst) < len(src) or fraction is outside [0, 1].
func ShuffleLabels(dst, src []uint8, fraction float32, seed uint64) {
	n := len(src)
	if len(dst) < n {
		panic("engine: ShuffleLabels dst too short")
	}
	if !(fraction >= 0 && fraction <= 1) {
		panic(fmt.Sprintf("engine: ShuffleLabels fraction %v outside [0, 1]", fraction))
	}
	copy(dst, src)
	k := int(math.Round(float64(fraction) * float64(n)))
	if k < 2 {
		return
	}
	rng := rand.New(rand.NewPCG(seed, 0x6c61626c))
	pos := make([]int, n)
	for i := range pos {
		pos[i] = i
	}
	for i := 0; i < k; i++ { // partial Fisher-Yates: pos[:k] is a random k-subset in random order
		j := i + rng.IntN(n-i)
		pos[i], pos[j] = pos[j], pos[i]
	}
	for i := 0; i < k; i++ {
		dst[pos[i]] = src[pos[(i+1)%k]]
	}
}
