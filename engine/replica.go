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
	// stopped, a cancelled run) ends the step with that error. buf is at
	// most ReduceFloats(NumWeights) long.
	Reduce(buf []float32) error
}

// ReduceExtra is the number of floats a step's exchange carries besides
// the gradients: the loss sum, the correct count and replica 0's label
// shuffling.
const ReduceExtra = 3

// ReduceFloats is the longest buffer a data-parallel run of a model of
// numWeights weights passes to Reduce.
func ReduceFloats(numWeights int) int { return numWeights + ReduceExtra }

// evalShare is how many floats each replica contributes to an epoch end's
// exchange: four float64 sums (validation loss and correct count, and
// EvalTrain's), each as four 16-bit pieces, which float32 holds exactly
// and which survive being added to the other replicas' zeros.
const evalShare = 4 * 4

// replica is a Trainer's place in a data-parallel run.
type replica struct {
	rank, size int
	red        GradReducer
	buf        []float32 // (ReduceFloats) gradients, the loss sum, the correct count, the shuffling
	synced     bool      // the weights were taken from replica 0
	// shuffle is, on replica 0, the label shuffling it sends at the next
	// exchange (a SetShuffle since the last one, else the last sent).
	shuffle shuffleReq
	// next is the shuffling the last exchange agreed on, for every replica
	// from the next batch; nil: no exchange since it was applied.
	next *shuffleReq
	// evaluated counts the validation and training examples this replica
	// evaluated at epoch ends (for tests: each evaluates only its share).
	evaluated int
}

// SetReplica makes t replica rank of size replicas training one run: each
// step every replica draws the same global batch (same Config, same seed),
// computes the gradient of its share of it (a contiguous slice of the
// batch, weighted as part of the global mean), and r sums the shares, so
// every replica applies the same update to the same weights. Before the
// first step the weights of replica 0 are sent to the others (through r),
// so weights loaded into replica 0 alone are every replica's.
//
// At an epoch end each replica evaluates its share of the validation set
// (and of the training set with EvalTrain) and the sums are exchanged, so
// every replica gets the same EpochStats and early stopping ends them all
// at the same epoch. Replica 0's SetShuffle is every replica's: it travels
// with the next exchange and applies to every replica from the batch after
// it; the other replicas' SetShuffle calls are ignored.
//
// Every replica must call Step or StepChunk in the same order. SetReplica
// panics after the first step or with rank outside 0..size-1.
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
	n := ReduceFloats(t.model.NumWeights())
	if evalShare*size > n {
		panic(fmt.Sprintf("engine: %d replicas for a model of %d weights", size, t.model.NumWeights()))
	}
	rep := &replica{rank: rank, size: size, red: r, buf: make([]float32, n)}
	rep.shuffle = shuffleReq{on: t.shuffleOn, fraction: t.shuffleFr}
	if p := t.pending.Swap(nil); p != nil && rank == 0 { // in force from the first batch
		rep.shuffle, rep.next = *p, p
	}
	t.rep = rep
}

// Replicas returns the number of replicas training this run (1 when it is
// not data-parallel) and this trainer's rank among them.
func (t *Trainer) Replicas() (rank, size int) {
	if t.rep == nil {
		return 0, 1
	}
	return t.rep.rank, t.rep.size
}

// shard is the part [lo, hi) of n examples (a batch, a validation set)
// that this trainer computes.
func (t *Trainer) shard(n int) (lo, hi int) {
	if t.rep == nil {
		return 0, n
	}
	return t.rep.rank * n / t.rep.size, (t.rep.rank + 1) * n / t.rep.size
}

// putShuffle writes replica 0's label shuffling into the exchange's slot
// v (the others write 0, "no word"): -1 off, else the fraction.
func (t *Trainer) putShuffle(v *float32) {
	r := t.rep
	*v = 0
	if r.rank != 0 {
		return
	}
	if p := t.pending.Swap(nil); p != nil {
		r.shuffle = *p
	}
	*v = -1
	if r.shuffle.on && r.shuffle.fraction > 0 {
		*v = r.shuffle.fraction
	}
}

// takeShuffle reads the shuffling the exchange agreed on.
func (t *Trainer) takeShuffle(v float32) {
	if v == 0 {
		return
	}
	t.rep.next = &shuffleReq{on: v > 0, fraction: max(v, 0)}
}

// syncWeights gives every replica replica 0's weights and shuffling:
// replica 0 adds its own, the others zeros.
func (t *Trainer) syncWeights() error {
	r := t.rep
	nw := t.model.NumWeights()
	buf := r.buf[:nw+1]
	if r.rank == 0 {
		t.model.Weights(buf[:nw])
	} else {
		clear(buf[:nw])
	}
	t.putShuffle(&buf[nw])
	if err := r.red.Reduce(buf); err != nil {
		return err
	}
	if err := t.model.SetWeights(buf[:nw]); err != nil {
		panic(err) // same model, same length
	}
	t.takeShuffle(buf[nw])
	r.synced = true
	return nil
}

// reduce sums the batch's gradients, loss and correct count over the
// replicas, and passes replica 0's shuffling to all.
func (t *Trainer) reduce(b *batchProgress) error {
	r := t.rep
	off := 0
	for _, p := range t.params {
		off += copy(r.buf[off:], p.G)
	}
	r.buf[off] = float32(b.lossSum)
	r.buf[off+1] = float32(b.correct)
	t.putShuffle(&r.buf[off+2])
	if err := r.red.Reduce(r.buf); err != nil {
		return err
	}
	off = 0
	for _, p := range t.params {
		off += copy(p.G, r.buf[off:])
	}
	b.lossSum = float64(r.buf[off])
	b.correct = int(math.Round(float64(r.buf[off+1])))
	t.takeShuffle(r.buf[off+2])
	return nil
}

// shareEval replaces this replica's epoch-end sums with every replica's
// totals, added in replica order so that all get the same bits.
func (t *Trainer) shareEval(sums *[4]float64) error {
	r := t.rep
	buf := r.buf[:evalShare*r.size]
	clear(buf)
	own := buf[r.rank*evalShare:]
	for i, v := range sums {
		bits := math.Float64bits(v)
		for j := range 4 {
			own[4*i+j] = float32(bits >> (16 * j) & 0xffff)
		}
	}
	if err := r.red.Reduce(buf); err != nil {
		return err
	}
	*sums = [4]float64{}
	for rank := range r.size {
		part := buf[rank*evalShare:]
		for i := range sums {
			var bits uint64
			for j := range 4 {
				bits |= uint64(part[4*i+j]) << (16 * j)
			}
			sums[i] += math.Float64frombits(bits)
		}
	}
	return nil
}
