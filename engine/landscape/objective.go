package landscape

import (
	"mnistplay/engine"
)

// batch is the largest number of examples one Forward sees, so memory does
// not grow with the dataset; gradients accumulate across batches.
const batch = 256

// Objective is the mean cross-entropy of a model on a dataset as a function
// of the flat weight vector (Model.Weights order), with its gradient. It
// sets the model's weights on every call and owns its buffers: after the
// first call nothing is allocated. Not safe for concurrent use; give each
// goroutine its own model.
type Objective struct {
	m     *engine.Model
	d     engine.Dataset
	in    engine.InputScale
	ev    *engine.Evaluator
	n     int       // number of weights
	x     []float32 // (batch, 1, 28, 28)
	y     []uint8   // (batch)
	idx   []int     // (batch)
	dl    []float32 // (batch, 10)
	Evals int       // passes over the dataset so far (loss or gradient)

	// Yield, if set, is called after every batch of a pass; when it
	// returns false the pass stops with an *Error of cause ErrCancelled.
	// A caller that runs the computation as a coroutine (iter.Pull) hands
	// control back to its event loop there, so even one pass over a large
	// dataset does not hold it.
	Yield func() bool
}

// NewObjective returns the loss of m on d, with the standard pixel scaling.
// The labels in d are the ones the loss is measured against (a
// shuffled-label run's training set gives its training loss).
func NewObjective(m *engine.Model, d engine.Dataset) (*Objective, error) {
	return NewObjectiveInput(m, d, engine.InputStandard)
}

// NewObjectiveInput is NewObjective for a model trained on pixels scaled as
// in says (its run's Config.Input).
func NewObjectiveInput(m *engine.Model, d engine.Dataset, in engine.InputScale) (*Objective, error) {
	if err := in.Validate(); err != nil {
		return nil, errorf("objective", ErrBadOption, "%v", err)
	}
	if d.N == 0 {
		return nil, errorf("objective", ErrEmptyData, "the dataset has no examples")
	}
	if err := d.Check(); err != nil {
		return nil, errorf("objective", ErrEmptyData, "%v", err)
	}
	k := min(batch, d.N)
	return &Objective{
		m: m, d: d, in: in, ev: engine.NewEvaluator(in), n: m.NumWeights(),
		x:   make([]float32, k*engine.ImageSize*engine.ImageSize),
		y:   make([]uint8, k),
		idx: make([]int, k),
		dl:  make([]float32, k*engine.NumClasses),
	}, nil
}

// Dim is the number of weights.
func (o *Objective) Dim() int { return o.n }

// N is the number of examples.
func (o *Objective) N() int { return o.d.N }

// Model returns the model the objective evaluates.
func (o *Objective) Model() *engine.Model { return o.m }

func (o *Objective) set(op string, theta []float32) error {
	if len(theta) != o.n {
		return errorf(op, ErrLength, "%d weights for a model with %d", len(theta), o.n)
	}
	if err := o.m.SetWeights(theta); err != nil {
		panic(err) // length checked above
	}
	return nil
}

// Loss returns the mean loss and the accuracy at theta. The loss may be NaN
// or infinite where the weights overflow; the caller decides what that means.
func (o *Objective) Loss(theta []float32) (loss, acc float64, err error) {
	if err := o.set("objective", theta); err != nil {
		return 0, 0, err
	}
	o.Evals++
	var sum float64
	correct := 0
	for lo := 0; lo < o.d.N; {
		k, l, c := o.ev.Part(o.m, o.d, lo, batch)
		lo += k
		sum += l
		correct += c
		if err := o.yield(); err != nil {
			return 0, 0, err
		}
	}
	return sum / float64(o.d.N), float64(correct) / float64(o.d.N), nil
}

func (o *Objective) yield() error {
	if o.Yield == nil || o.Yield() {
		return nil
	}
	return errorf("objective", ErrCancelled, "stopped by the caller")
}

// Gradient writes d(mean loss)/d(theta) into grad (Dim values) and returns
// the loss at theta.
func (o *Objective) Gradient(theta, grad []float32) (loss float64, err error) {
	if err := o.set("objective", theta); err != nil {
		return 0, err
	}
	if len(grad) != o.n {
		return 0, errorf("objective", ErrLength, "gradient buffer of %d for a model with %d weights", len(grad), o.n)
	}
	o.Evals++
	pix := engine.ImageSize * engine.ImageSize
	o.m.ZeroGrad()
	var sum float64
	for lo := 0; lo < o.d.N; lo += len(o.idx) {
		k := min(len(o.idx), o.d.N-lo)
		idx := o.idx[:k]
		for i := range idx {
			idx[i] = lo + i
		}
		o.d.BatchScaled(o.in, idx, o.x, o.y)
		logits := o.m.Forward(o.x[:k*pix], k, true)
		dl := o.dl[:k*engine.NumClasses]
		l, _ := engine.SoftmaxCrossEntropy(logits, o.y[:k], k, engine.NumClasses, dl)
		// Each batch's gradient is of its own mean: weight it to the mean
		// over the whole dataset.
		if s := float32(k) / float32(o.d.N); s != 1 {
			for i := range dl {
				dl[i] *= s
			}
		}
		o.m.Backward(dl)
		sum += l * float64(k)
		if err := o.yield(); err != nil {
			return 0, err
		}
	}
	off := 0
	for _, p := range o.m.Params() {
		off += copy(grad[off:], p.G)
	}
	return sum / float64(o.d.N), nil
}
