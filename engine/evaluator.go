package engine

// Evaluator is EvaluateInput in parts: a caller that must return to an
// event loop (or stop early) evaluates a few examples per call, with the
// same batching, pixel scaling and loss as Evaluate. It owns its buffers;
// not safe for concurrent use.
type Evaluator struct{ ev evaluator }

// NewEvaluator returns an Evaluator for a model trained on pixels scaled as
// in says (Config.Input). It panics on an unknown scaling (InputScale.Validate
// rejects those first).
func NewEvaluator(in InputScale) *Evaluator {
	return &Evaluator{ev: evaluator{pixels: in.table()}}
}

// Part evaluates m on the examples of d from lo: one Forward of at most
// batch (<= 0: 256) and of at most the model's evaluation batch. It returns
// how many examples it took, the sum of their losses and how many it
// classified correctly. It panics if lo is not in [0, d.N).
func (e *Evaluator) Part(m *Model, d Dataset, lo, batch int) (k int, lossSum float64, correct int) {
	if lo < 0 || lo >= d.N {
		panic("engine: Evaluator.Part past the dataset")
	}
	return e.ev.part(m, d, lo, batch)
}

// Evaluate returns the mean loss and the accuracy of m on d, as EvaluateInput.
func (e *Evaluator) Evaluate(m *Model, d Dataset, batch int) (loss, acc float64) {
	return e.ev.evaluate(m, d, batch)
}
