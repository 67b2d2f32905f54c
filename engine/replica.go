package engine

import (
	"fmt"
	"math"
)

// GradReducer sums one data-parallel run's gradients over its replicas. The
// engine does not know how the replicas talk (threads, Web Workers sharing
// memory); the caller implements this.
type GradReducer interface {
	// Reduce replaces buf with the element-wise sum of every replica's buf.
	// It returns once every replica has called it with a buffer of the same
	// length. Each replica must get the same bits (add in replica order),
	// or the replicas' weights drift apart. An error (a replica that
	// stopped, a cancelled run) ends the step with that error.
	Reduce(buf []float32) error
}

// replica is a Trainer's place in a data-parallel run.
type replica struct {
	rank, size int
	red        GradReducer
	buf        []float32 // (NumWeights + 2) gradients, then the loss sum and the correct count
	synced     bool      // the weights were taken from replica 0
}

// SetReplica makes t replica rank of size replicas training one run: each
// step every replica draws the same global batch (same Config, same seed),
// computes the gradient of its share of it (a contiguous slice of the
// batch, weighted as part of the global mean), and r sums the shares, so
// every replica applies the same update to the same weights. Before the
// first step the weights of replica 0 are sent to the others (through r),
// so weights loaded into replica 0 alone are every replica's.
//
// Every replica must call Step or StepChunk in the same order; evaluation
// is done by each replica on its own. SetReplica panics after the first
// step or with rank outside 0..size-1.
func (t *Trainer) SetReplica(rank, size int, r GradReducer) {
	if t.steps > 0 || t.InStep() {
		panic("engine: SetReplica after training began")
	}
	if size < 1 || rank < 0 || rank >= size || r == nil {
		panic(fmt.Sprintf("engine: SetReplica(%d, %d, %v)", rank, size, r))
	}
	if size == 1 {
		t.rep = nil
		return
	}
	t.rep = &replica{rank: rank, size: size, red: r, buf: make([]float32, t.model.NumWeights()+2)}
}

// Replicas returns the number of replicas training this run (1 when it is
// not data-parallel) and this trainer's rank among them.
func (t *Trainer) Replicas() (rank, size int) {
	if t.rep == nil {
		return 0, 1
	}
	return t.rep.rank, t.rep.size
}

// shard is the part [lo, hi) of an n-example batch that this trainer
// computes.
func (t *Trainer) shard(n int) (lo, hi int) {
	if t.rep == nil {
		return 0, n
	}
	return t.rep.rank * n / t.rep.size, (t.rep.rank + 1) * n / t.rep.size
}

// syncWeights gives every replica replica 0's weights: replica 0 adds its
// weights, the others zeros.
func (t *Trainer) syncWeights() error {
	r := t.rep
	buf := r.buf[:t.model.NumWeights()]
	if r.rank == 0 {
		t.model.Weights(buf)
	} else {
		clear(buf)
	}
	if err := r.red.Reduce(buf); err != nil {
		return err
	}
	if err := t.model.SetWeights(buf); err != nil {
		panic(err) // same model, same length
	}
	r.synced = true
	return nil
}

// reduce sums the batch's gradients, loss and correct count over the
// replicas.
func (t *Trainer) reduce(b *batchProgress) error {
	r := t.rep
	off := 0
	for _, p := range t.params {
		off += copy(r.buf[off:], p.G)
	}
	r.buf[off] = float32(b.lossSum)
	r.buf[off+1] = float32(b.correct)
	if err := r.red.Reduce(r.buf); err != nil {
		return err
	}
	off = 0
	for _, p := range t.params {
		off += copy(p.G, r.buf[off:])
	}
	b.lossSum = float64(r.buf[off])
	b.correct = int(math.Round(float64(r.buf[off+1])))
	return nil
}
