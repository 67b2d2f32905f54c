package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync/atomic"

	"mnistplay/engine/kernels"
)

// chunk is the largest number of examples one Forward sees. Bigger batches
// (up to full-batch gradient descent on 60,000 images) are processed in
// chunks whose gradients accumulate, so memory does not grow with the batch.
const chunk = 256

// Config is one training run: everything needed to reproduce it.
type Config struct {
	Model     Spec        `json:"model"`
	Optim     OptimConfig `json:"optim"`
	Schedule  Schedule    `json:"schedule"`
	BatchSize int         `json:"batchSize"` // 0 or >= the training set: full-batch gradient descent
	Epochs    int         `json:"epochs"`    // 0: no limit (until stopped or early stopping)
	Subset    int         `json:"subset"`    // train on the first Subset examples; 0: all
	Patience  int         `json:"patience"`  // early stopping on validation loss after this many epochs without improvement; 0: off
	Seed      uint64      `json:"seed"`      // initial weights, batch order and label shuffling
	// ShuffleFraction > 0 starts the run with that fraction of the training
	// labels shuffled (see ShuffleLabels); SetShuffle changes it later.
	ShuffleFraction float32 `json:"shuffleFraction,omitempty"`
	// EvalSubset evaluates each epoch on the first EvalSubset validation
	// examples (0 or more than there are: all of them).
	EvalSubset int `json:"evalSubset,omitempty"`

	// Input is how pixels are scaled for the model ("" = standard). The
	// trainer's own evaluations use it; Evaluate and Flatness feed
	// standardised pixels, so use them only on models trained that way.
	Input InputScale `json:"input,omitempty"`
	// StepsPerEpoch > 0 ends an epoch after that many steps instead of after
	// one pass over the training set; each batch then holds exactly
	// BatchSize images (the remainder of a shuffled pass is skipped), so
	// StepsPerEpoch 1 is one batch drawn at random per epoch.
	StepsPerEpoch int `json:"stepsPerEpoch,omitempty"`
	// EvalEvery > 1 evaluates only every EvalEvery-th epoch and the last
	// one; the other epochs have Unevaluated set. 0 or 1: every epoch.
	EvalEvery int `json:"evalEvery,omitempty"`
	// EvalTrain also evaluates the whole training set in use (after Subset,
	// with the labels in force) after each evaluated epoch, into
	// EpochStats.TrainEvalLoss and TrainEvalAcc.
	EvalTrain bool `json:"evalTrain,omitempty"`
}

// StepStats describes one optimizer step.
type StepStats struct {
	Step  int     `json:"step"`  // steps taken so far, this one included
	Epoch float64 `json:"epoch"` // fractional epochs dealt so far
	Loss  float64 `json:"loss"`  // mean cross-entropy of the batch (without the L2 term)
	Acc   float64 `json:"acc"`   // accuracy of the batch, before the update
	LR    float32 `json:"lr"`    // learning rate used
}

// EpochStats describes a finished epoch. TrainLoss and TrainAcc are the means
// over the epoch's batches as they were trained (before each update, against
// the labels in force, shuffled or not); ValLoss and ValAcc are measured on
// the validation set (or its first EvalSubset examples) after the epoch, and
// are 0 without a validation set or when Unevaluated. TrainEvalLoss and
// TrainEvalAcc are measured on the whole training set in use after the epoch
// (Config.EvalTrain; otherwise 0).
type EpochStats struct {
	Epoch         int     `json:"epoch"` // 1-based
	TrainLoss     float64 `json:"trainLoss"`
	TrainAcc      float64 `json:"trainAcc"`
	ValLoss       float64 `json:"valLoss"`
	ValAcc        float64 `json:"valAcc"`
	Best          bool    `json:"best"` // lowest validation loss so far
	TrainEvalLoss float64 `json:"trainEvalLoss,omitempty"`
	TrainEvalAcc  float64 `json:"trainEvalAcc,omitempty"`
	Unevaluated   bool    `json:"unevaluated,omitempty"` // skipped by Config.EvalEvery
}

// ErrDone is returned by Step once the run has finished.
var ErrDone = errors.New("engine: training finished")

// Trainer trains a model on a dataset. It is driven either one batch at a
// time with Step (the browser worker, which must return to its event loop
// between batches: pausing is not calling Step) or by Run (native code).
//
// A Trainer is not safe for concurrent use, except that SetShuffle may be
// called from any goroutine while Run or Step is in progress.
type Trainer struct {
	cfg     Config
	model   *Model
	params  []*Param
	opt     Optimizer
	sched   Schedule // cfg.Schedule in steps
	batcher *MiniBatcher
	es      EarlyStopping

	train      Dataset // the training set with the labels in force
	trueLabels []uint8 // the caller's labels (N); never written
	shuffled   []uint8 // (N) our shuffled copy, allocated when first needed
	shuffleOn  bool
	shuffleFr  float32
	pending    atomic.Pointer[shuffleReq]
	val        Dataset // validation set or its EvalSubset head

	x       []float32 // (chunk, 1, 28, 28)
	y       []uint8   // (chunk)
	dlogits []float32 // (chunk, 10)
	backup  []float32 // (NumWeights) weights before the step in progress
	theta0  []float32 // (NumWeights) initial weights
	ev      evaluator

	pixels    *[256]float32 // Config.Input's table
	steps     int           // successful optimizer steps
	epSteps   int           // steps in the epoch in progress
	epoch     int           // finished epochs
	epLoss    float64       // sum of loss·n over this epoch's batches
	epCorrect int
	epSeen    int
	last      EpochStats
	cur       batchProgress // the batch StepChunk is working through
	chunkN    int           // examples per StepChunk call, 1..chunk (SetChunk); 0: chunk
	rep       *replica      // data-parallel run (SetReplica); nil: this trainer alone
	done      bool
	err       error
}

// batchProgress is a batch whose chunks StepChunk has partly done.
type batchProgress struct {
	idx      []int // the batch's examples; nil: none in progress
	passEnd  bool  // the batch ends a pass over the training set
	epochEnd bool  // the batch ends an epoch
	lo       int   // next example of this trainer's shard
	hi       int   // end of this trainer's shard (the batch's end unless data-parallel)
	lossSum  float64
	correct  int

	// After an epoch's last batch: the validation set is evaluated one
	// chunk per call too, and the step's stats wait in st.
	evaluating bool
	st         StepStats
	evalLo     int     // next validation example of this trainer's share
	evalHi     int     // end of this trainer's share of the validation set
	valLoss    float64 // sum of loss·n over them
	valCorrect int
}

type shuffleReq struct {
	on       bool
	fraction float32
}

// NewTrainer builds the model of cfg and prepares a run on train, evaluating
// on val (which may be empty unless Patience > 0). It does not copy the
// datasets and never writes to them.
func NewTrainer(cfg Config, train, val Dataset) (*Trainer, error) {
	if err := train.Check(); err != nil {
		return nil, fmt.Errorf("engine: training set: %w", err)
	}
	if err := val.Check(); err != nil {
		return nil, fmt.Errorf("engine: validation set: %w", err)
	}
	mem, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.Subset > train.N:
		return nil, &OptionError{Option: "training subset", Value: cfg.Subset, Want: fmt.Sprintf("0..%d (0 = all)", train.N)}
	case cfg.Patience > 0 && val.N == 0:
		return nil, errors.New("engine: early stopping needs a validation set")
	}
	if cfg.Subset > 0 {
		train = train.Head(cfg.Subset)
	}
	if train.N == 0 {
		return nil, errors.New("engine: empty training set")
	}
	if cfg.EvalSubset > 0 && cfg.EvalSubset < val.N {
		val = val.Head(cfg.EvalSubset)
	}
	opt, err := NewOptimizer(cfg.Optim)
	if err != nil {
		return nil, err
	}
	m, err := Build(cfg.Model, cfg.Seed)
	if err != nil {
		return nil, err
	}
	m.evalBatch = mem.Eval
	t := &Trainer{
		cfg:        cfg,
		model:      m,
		params:     m.Params(),
		opt:        opt,
		batcher:    NewMiniBatcher(train.N, cfg.BatchSize, cfg.Seed),
		es:         EarlyStopping{Patience: cfg.Patience},
		train:      train,
		trueLabels: train.Labels,
		val:        val,
		x:          make([]float32, chunk*imagePixels),
		y:          make([]uint8, chunk),
		dlogits:    make([]float32, chunk*NumClasses),
		theta0:     m.Weights(nil),
		pixels:     cfg.Input.table(),
	}
	t.sched = cfg.Schedule.InSteps(t.StepsPerEpoch())
	t.backup = make([]float32, len(t.theta0))
	t.ev = evaluator{x: t.x, y: t.y, idx: make([]int, chunk), pixels: t.pixels}
	if cfg.ShuffleFraction > 0 {
		t.SetShuffle(true, cfg.ShuffleFraction)
	}
	return t, nil
}

// Model returns the model being trained. Between steps the caller may read
// it (Weights, Forward on other data); Forward overwrites the model's
// buffers, which is harmless between steps.
func (t *Trainer) Model() *Model { return t.model }

// InitialWeights returns the weights before the first step (theta0 of the
// flatness experiment). The slice is the trainer's: do not modify it.
func (t *Trainer) InitialWeights() []float32 { return t.theta0 }

// Done reports whether the run has finished: the configured epochs are done
// or early stopping ended it (the best weights are then in the model).
func (t *Trainer) Done() bool { return t.done }

// Err returns the error that stopped training (a non-finite loss), if any.
func (t *Trainer) Err() error { return t.err }

// Steps returns the number of optimizer steps taken.
func (t *Trainer) Steps() int { return t.steps }

// Epoch returns the number of finished epochs.
func (t *Trainer) Epoch() int { return t.epoch }

// StepsPerEpoch returns the number of batches in an epoch.
func (t *Trainer) StepsPerEpoch() int { return t.cfg.EpochSteps(t.train.N) }

// EpochSteps returns the number of batches in an epoch of cfg on a
// training set of n examples (n >= 1, after Subset).
func (cfg Config) EpochSteps(n int) int {
	if cfg.StepsPerEpoch > 0 {
		return cfg.StepsPerEpoch
	}
	if cfg.BatchSize <= 0 || cfg.BatchSize >= n {
		return 1
	}
	return (n + cfg.BatchSize - 1) / cfg.BatchSize
}

// Config returns the configuration the trainer was made with.
func (t *Trainer) Config() Config { return t.cfg }

// Best returns the lowest validation loss seen at an epoch end and its epoch
// (0 before the first epoch ends or without a validation set).
func (t *Trainer) Best() (valLoss float64, epoch int) { return t.es.Best() }

// TrainSet returns the training set in use (after Subset) with the labels
// currently in force, shuffled or not. Its Labels must not be modified.
func (t *Trainer) TrainSet() Dataset { t.applyShuffle(); return t.train }

// ValSet returns the validation set in use (after EvalSubset).
func (t *Trainer) ValSet() Dataset { return t.val }

// SetShuffle turns label shuffling on (with the given fraction of the
// training labels, clamped to [0, 1]) or off, restoring the true labels. It
// takes effect at the next batch. The shuffle depends only on the seed and
// the fraction, so turning it off and on again gives the same labels.
// Validation labels are never touched. In a data-parallel run replica 0's
// call is every replica's, from the batch after the next exchange; the
// other replicas' calls are ignored (SetReplica).
func (t *Trainer) SetShuffle(on bool, fraction float32) {
	if !(fraction >= 0) {
		fraction = 0
	}
	fraction = min(fraction, 1)
	t.pending.Store(&shuffleReq{on: on, fraction: fraction})
}

// Shuffled reports whether shuffled labels are in force, and their fraction.
func (t *Trainer) Shuffled() (on bool, fraction float32) {
	t.applyShuffle()
	return t.shuffleOn, t.shuffleFr
}

func (t *Trainer) applyShuffle() {
	if t.cur.idx != nil { // not in the middle of a batch
		return
	}
	var r *shuffleReq
	if t.rep != nil { // the shuffling every replica agreed on (replica.go)
		r, t.rep.next = t.rep.next, nil
	} else {
		r = t.pending.Swap(nil)
	}
	if r == nil {
		return
	}
	if !r.on || r.fraction == 0 {
		t.shuffleOn, t.shuffleFr = false, 0
		t.train.Labels = t.trueLabels
		return
	}
	if t.shuffled == nil {
		t.shuffled = make([]uint8, t.train.N)
	}
	if !t.shuffleOn || t.shuffleFr != r.fraction {
		ShuffleLabels(t.shuffled, t.trueLabels[:t.train.N], r.fraction, t.cfg.Seed)
	}
	t.shuffleOn, t.shuffleFr = true, r.fraction
	t.train.Labels = t.shuffled
}

// Resume clears the error of a run stopped by a non-finite loss and goes on
// with schedule s (typically a lower rate). The optimizer's state (momentum
// buffers, Adam's moments) starts afresh; the step count and the batch order
// go on, and the batch that failed is trained again.
func (t *Trainer) Resume(s Schedule) error {
	if err := s.Validate(); err != nil {
		return err
	}
	t.sched = s.InSteps(t.StepsPerEpoch())
	t.cfg.Schedule = s
	t.opt.Reset()
	t.err = nil
	return nil
}

// Step trains one batch: forward, loss, backward, optimizer update. At the
// last batch of an epoch it also evaluates the validation set and returns
// that epoch's stats (the pointer is valid until the next Step), applies
// early stopping and, when the run ends, restores the best weights if
// Patience > 0. A batch StepChunk has begun is finished.
//
// If the loss, a gradient or an updated weight is NaN or infinite, Step
// returns an error, the model keeps the weights from before this step and
// further Steps return the same error until Resume. After the run has
// finished Step returns ErrDone. Step allocates nothing in steady state.
func (t *Trainer) Step() (StepStats, *EpochStats, error) {
	for {
		st, ep, complete, err := t.StepChunk()
		if err != nil || complete {
			return st, ep, err
		}
	}
}

// StepChunk does a bounded part of Step: forward and backward on the next
// chunk (at most 256 examples) of the current batch, starting a new batch
// if none is in progress; after the last chunk, the update; after an
// epoch's last batch, the validation set, a chunk per call. When the step
// is finished it returns complete = true with what Step returns; otherwise
// complete = false (the gradient, or the step's stats, wait in the
// trainer). A caller that must answer between bounded pieces of work (the
// browser worker, whose full-batch step would otherwise block it for
// seconds) calls StepChunk; the step is the same as Step's, bit for bit.
func (t *Trainer) StepChunk() (st StepStats, ep *EpochStats, complete bool, err error) {
	if t.err != nil {
		return StepStats{}, nil, false, t.err
	}
	if t.done {
		return StepStats{}, nil, false, ErrDone
	}
	b := &t.cur
	if b.evaluating {
		return t.evalChunk()
	}
	if b.idx == nil {
		if t.rep != nil && !t.rep.synced {
			if err := t.syncWeights(); err != nil {
				return t.stop(err)
			}
		}
		t.applyShuffle()
		if k := t.cfg.StepsPerEpoch; k > 0 {
			b.idx, b.passEnd = t.batcher.NextFull()
			b.epochEnd = t.epSteps+1 >= k
		} else {
			b.idx, b.passEnd = t.batcher.Next()
			b.epochEnd = b.passEnd
		}
		b.lo, b.hi = t.shard(len(b.idx))
		b.lossSum, b.correct = 0, 0
		t.model.ZeroGrad()
	}
	idx, n := b.idx, len(b.idx)
	if b.lo < b.hi { // a replica's shard may be empty when the batch is smaller than the replicas
		part := idx[b.lo:min(b.lo+t.chunkSize(), b.hi)]
		k := len(part)
		t.train.batch(t.pixels, part, t.x, t.y)
		logits := t.model.Forward(t.x[:k*imagePixels], k, true)
		dl := t.dlogits[:k*NumClasses]
		loss, c := SoftmaxCrossEntropy(logits, t.y[:k], k, NumClasses, dl)
		// A replica checks the summed loss instead, so that all stop together.
		if t.rep == nil && (math.IsNaN(loss) || math.IsInf(loss, 0)) {
			return t.fail(fmt.Sprintf("loss is %v", loss))
		}
		if k != n { // the chunk's gradient is of its own mean; weight it to the batch mean
			s := float32(k) / float32(n)
			for i := range dl {
				dl[i] *= s
			}
		}
		t.model.Backward(dl)
		b.lossSum += loss * float64(k)
		b.correct += c
		b.lo += k
		if b.lo < b.hi {
			return StepStats{}, nil, false, nil
		}
	}
	if t.rep != nil {
		if err := t.reduce(b); err != nil {
			return t.stop(err)
		}
		if loss := b.lossSum / float64(n); math.IsNaN(loss) || math.IsInf(loss, 0) {
			return t.fail(fmt.Sprintf("loss is %v", loss))
		}
	}
	lr := t.sched.LR(t.steps)
	for _, p := range t.params {
		if !finite(p.G) {
			return t.fail("gradient of " + p.Name + " is not finite")
		}
	}
	t.backup = t.model.Weights(t.backup)
	t.opt.Step(t.params, lr)
	for _, p := range t.params {
		if !finite(p.W) {
			if err := t.model.SetWeights(t.backup); err != nil {
				panic(err) // same model, same length
			}
			return t.fail(fmt.Sprintf("update of %s overflowed at learning rate %v", p.Name, lr))
		}
	}
	epochEnd := b.epochEnd
	b.idx = nil
	t.steps++
	t.epSteps++
	t.epLoss += b.lossSum
	t.epCorrect += b.correct
	t.epSeen += n
	st = StepStats{Step: t.steps, Epoch: t.progress(), Loss: b.lossSum / float64(n), Acc: float64(b.correct) / float64(n), LR: lr}
	if !epochEnd {
		return st, nil, true, nil
	}
	if t.val.N == 0 || !t.cfg.evaluates(t.epoch+1) {
		ep, err := t.endEpoch(0, 0)
		if err != nil {
			return t.stop(err)
		}
		return st, ep, true, nil
	}
	b.evaluating, b.st, b.valLoss, b.valCorrect = true, st, 0, 0
	b.evalLo, b.evalHi = t.shard(t.val.N)
	return StepStats{}, nil, false, nil
}

// evalChunk evaluates the next chunk of the validation set after an
// epoch's last batch, and ends the epoch after the last one.
func (t *Trainer) evalChunk() (StepStats, *EpochStats, bool, error) {
	b := &t.cur
	if b.evalLo < b.evalHi { // a replica's share may be empty
		k, loss, correct := t.ev.part(t.model, t.val, b.evalLo, min(t.chunkSize(), b.evalHi-b.evalLo))
		b.evalLo += k
		b.valLoss += loss
		b.valCorrect += correct
		if t.rep != nil {
			t.rep.evaluated += k
		}
		if b.evalLo < b.evalHi {
			return StepStats{}, nil, false, nil
		}
	}
	b.evaluating = false
	ep, err := t.endEpoch(b.valLoss, b.valCorrect)
	if err != nil {
		return t.stop(err)
	}
	return b.st, ep, true, nil
}

// SetChunk sets how many examples one StepChunk call trains or evaluates:
// n, clamped to 1..256. A caller that must answer within a bounded time
// (the browser worker's Pause) lowers it for a model whose examples are
// slow. The step stays the same, up to float rounding: the chunks'
// gradients add up to the batch's.
func (t *Trainer) SetChunk(n int) { t.chunkN = min(max(n, 1), chunk) }

// Chunk is the number of examples one StepChunk call handles.
func (t *Trainer) Chunk() int { return t.chunkSize() }

func (t *Trainer) chunkSize() int {
	if t.chunkN == 0 {
		return chunk
	}
	return t.chunkN
}

// InStep reports whether a step begun by StepChunk awaits its other chunks.
func (t *Trainer) InStep() bool { return t.cur.idx != nil || t.cur.evaluating }

// progress is the fractional number of epochs trained so far.
func (t *Trainer) progress() float64 {
	if k := t.cfg.StepsPerEpoch; k > 0 {
		return float64(t.epoch) + float64(t.epSteps)/float64(k)
	}
	return t.batcher.Progress()
}

// fail records a non-finite step and rewinds the batcher so that Resume
// trains the same batch again.
func (t *Trainer) fail(why string) (StepStats, *EpochStats, bool, error) {
	t.batcher.unread(len(t.cur.idx), t.cur.passEnd)
	t.cur.idx = nil
	t.err = &DivergedError{Step: t.steps + 1, Epoch: t.progress(), Why: why}
	return StepStats{}, nil, false, t.err
}

// stop ends training with err (a replica's Reduce failed), rewinding the
// batcher like fail.
func (t *Trainer) stop(err error) (StepStats, *EpochStats, bool, error) {
	if t.cur.idx != nil {
		t.batcher.unread(len(t.cur.idx), t.cur.passEnd)
		t.cur.idx = nil
	}
	t.err = fmt.Errorf("engine: data-parallel step %d: %w", t.steps+1, err)
	return StepStats{}, nil, false, t.err
}

// endEpoch records the end of an epoch whose validation loss sum and
// correct count (of this trainer's share of the validation set; zeros
// without one) are valLossSum and valCorrect. A replica's error is the
// exchange's.
func (t *Trainer) endEpoch(valLossSum float64, valCorrect int) (*EpochStats, error) {
	t.epoch++
	// The sums of the validation set's and of the training set's losses and
	// correct counts: this trainer's share, then (data-parallel) everyone's.
	sums := [4]float64{valLossSum, float64(valCorrect)}
	evaluated := t.cfg.evaluates(t.epoch)
	if evaluated && t.cfg.EvalTrain && t.train.N > 0 {
		for lo, hi := t.shard(t.train.N); lo < hi; {
			k, l, c := t.ev.part(t.model, t.train, lo, min(chunk, hi-lo))
			lo += k
			sums[2] += l
			sums[3] += float64(c)
			if t.rep != nil {
				t.rep.evaluated += k
			}
		}
	}
	if t.rep != nil && evaluated && (t.val.N > 0 || t.cfg.EvalTrain) {
		if err := t.shareEval(&sums); err != nil {
			return nil, err
		}
	}
	e := &t.last
	*e = EpochStats{
		Epoch:     t.epoch,
		TrainLoss: t.epLoss / float64(t.epSeen),
		TrainAcc:  float64(t.epCorrect) / float64(t.epSeen),
	}
	t.epLoss, t.epCorrect, t.epSeen, t.epSteps = 0, 0, 0, 0
	stop := false
	switch {
	case !t.cfg.evaluates(t.epoch):
		e.Unevaluated = true
	case t.val.N > 0:
		n := float64(t.val.N)
		e.ValLoss, e.ValAcc = sums[0]/n, sums[1]/n
		e.Best, stop = t.es.Observe(t.epoch, e.ValLoss, t.model)
	}
	if t.cfg.EvalTrain && !e.Unevaluated && t.train.N > 0 {
		n := float64(t.train.N)
		e.TrainEvalLoss, e.TrainEvalAcc = sums[2]/n, sums[3]/n
	}
	if stop || (t.cfg.Epochs > 0 && t.epoch >= t.cfg.Epochs) {
		t.done = true
		if t.cfg.Patience > 0 {
			if err := t.es.Restore(t.model); err != nil {
				panic(err) // same model, same length
			}
		}
	}
	return e, nil
}

// Run trains until the run finishes, ctx is cancelled (it returns ctx.Err()
// and keeps the current weights) or a step fails (it returns that error).
// onStep and onEpoch, if not nil, are called after every step and epoch.
func (t *Trainer) Run(ctx context.Context, onStep func(StepStats), onEpoch func(EpochStats)) error {
	for !t.done {
		if err := ctx.Err(); err != nil {
			return err
		}
		s, e, err := t.Step()
		if err != nil {
			return err
		}
		if onStep != nil {
			onStep(s)
		}
		if e != nil && onEpoch != nil {
			onEpoch(*e)
		}
	}
	return nil
}

// Evaluate returns the mean cross-entropy loss and the accuracy of m on d,
// running Forward on at most batch examples at a time (batch <= 0: 256).
// It returns zeros for an empty d.
func Evaluate(m *Model, d Dataset, batch int) (loss, acc float64) {
	return EvaluateInput(m, d, InputStandard, batch)
}

// EvaluateInput is Evaluate for a model trained on pixels scaled as in says
// (Config.Input).
func EvaluateInput(m *Model, d Dataset, in InputScale, batch int) (loss, acc float64) {
	ev := evaluator{pixels: in.table()}
	return ev.evaluate(m, d, batch)
}

// evaluator holds Evaluate's buffers so the trainer can reuse them.
type evaluator struct {
	x      []float32     // (batch, 1, 28, 28)
	y      []uint8       // (batch)
	idx    []int         // (batch)
	pixels *[256]float32 // input scaling; nil: standard
}

func (ev *evaluator) evaluate(m *Model, d Dataset, batch int) (loss, acc float64) {
	if d.N == 0 {
		return 0, 0
	}
	var sum float64
	correct := 0
	for lo := 0; lo < d.N; {
		k, l, c := ev.part(m, d, lo, batch)
		lo += k
		sum += l
		correct += c
	}
	return sum / float64(d.N), float64(correct) / float64(d.N)
}

// part evaluates m on the k examples of d from lo (one Forward of at most
// batch, and of at most m.EvalBatch), returning k, the sum of their losses
// and the number classified correctly.
func (ev *evaluator) part(m *Model, d Dataset, lo, batch int) (k int, lossSum float64, correct int) {
	if batch <= 0 {
		batch = chunk
	}
	batch = min(batch, d.N, max(m.evalBatch, 1))
	if len(ev.x) < batch*imagePixels {
		ev.x = make([]float32, batch*imagePixels)
	}
	if len(ev.y) < batch {
		ev.y = make([]uint8, batch)
	}
	if len(ev.idx) < batch {
		ev.idx = make([]int, batch)
	}
	k = min(batch, d.N-lo)
	idx := ev.idx[:k]
	for i := range idx {
		idx[i] = lo + i
	}
	pixels := ev.pixels
	if pixels == nil {
		pixels = &pixelTable
	}
	d.batch(pixels, idx, ev.x, ev.y)
	logits := m.Forward(ev.x[:k*imagePixels], k, false)
	l, c := SoftmaxCrossEntropy(logits, ev.y[:k], k, NumClasses, nil)
	return k, l * float64(k), c
}

// finite reports whether every element of v is finite. A NaN or an
// infinity makes the sum non-finite, so the vectorised sum answers almost
// always; only a sum that overflowed is checked element by element.
func finite(v []float32) bool {
	if s := kernels.Sum(v); s-s == 0 {
		return true
	}
	for _, x := range v {
		if x-x != 0 { // NaN - NaN and Inf - Inf are NaN
			return false
		}
	}
	return true
}
