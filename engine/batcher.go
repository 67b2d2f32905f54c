package engine

import "math/rand/v2"

// MiniBatcher deals the indices 0..n-1 in minibatches, reshuffling them at
// the start of every epoch from its own seeded RNG (PCG), so the same seed
// gives the same batches. The last batch of an epoch holds the remainder
// when the size does not divide n. A batch size of 0 or >= n means full
// batch: every batch is all of 0..n-1 in order (gradient descent).
type MiniBatcher struct {
	n, size int
	perm    []int // (n) this epoch's order
	pos     int   // next position in perm
	epoch   int   // epochs completed
	rng     *rand.Rand
}

// NewMiniBatcher returns a batcher over n examples.
//
// It panics if n < 1 or size < 0.
func NewMiniBatcher(n, size int, seed uint64) *MiniBatcher {
	if n < 1 || size < 0 {
		panic("engine: NewMiniBatcher needs n >= 1 and size >= 0")
	}
	if size == 0 || size > n {
		size = n
	}
	b := &MiniBatcher{n: n, size: size, perm: make([]int, n), rng: rand.New(rand.NewPCG(seed, 0x6d696e69))}
	for i := range b.perm {
		b.perm[i] = i
	}
	b.shuffle()
	return b
}

// shuffle is Fisher-Yates on perm (rand.Shuffle's swap closure would allocate).
func (b *MiniBatcher) shuffle() {
	if b.size == b.n {
		return
	}
	p := b.perm
	for i := len(p) - 1; i > 0; i-- {
		j := b.rng.IntN(i + 1)
		p[i], p[j] = p[j], p[i]
	}
}

// Next returns the next batch's indices, valid until the following call, and
// whether it is the last batch of an epoch.
func (b *MiniBatcher) Next() (idx []int, epochEnd bool) {
	if b.pos >= b.n {
		b.pos = 0
		b.shuffle()
	}
	end := min(b.pos+b.size, b.n)
	idx = b.perm[b.pos:end]
	b.pos = end
	if end == b.n {
		b.epoch++
		return idx, true
	}
	return idx, false
}

// NextFull is Next with every batch of exactly Size indices: when fewer
// than Size are left in the pass, they are skipped and a new pass begins.
func (b *MiniBatcher) NextFull() (idx []int, passEnd bool) {
	if b.pos > 0 && b.pos < b.n && b.n-b.pos < b.size {
		b.pos = b.n
		b.epoch++
	}
	return b.Next()
}

// Size is the batch size in use (n for full batch).
func (b *MiniBatcher) Size() int { return b.size }

// N is the number of examples.
func (b *MiniBatcher) N() int { return b.n }

// Epoch is the number of epochs completed.
func (b *MiniBatcher) Epoch() int { return b.epoch }

// Progress is the fractional number of epochs dealt so far.
func (b *MiniBatcher) Progress() float64 {
	if b.pos >= b.n {
		return float64(b.epoch)
	}
	return float64(b.epoch) + float64(b.pos)/float64(b.n)
}

// unread takes back the last k indices dealt, so that the next Next deals
// them again (the trainer retries a batch that diverged).
func (b *MiniBatcher) unread(k int, epochEnd bool) {
	b.pos -= k
	if epochEnd {
		b.epoch--
	}
}
