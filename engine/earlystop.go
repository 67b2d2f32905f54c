package engine

import "math"

// Snapshotter is what early stopping needs of a model; *Model implements it.
type Snapshotter interface {
	Weights(dst []float32) []float32
	SetWeights(theta []float32) error
}

// EarlyStopping watches the validation loss once per epoch. It keeps a copy
// of the weights of the best epoch so far and says to stop after Patience
// epochs without improvement. Patience <= 0 never stops, but still keeps the
// best weights.
type EarlyStopping struct {
	Patience int

	best      float64   // lowest validation loss seen
	bestEpoch int       // epoch (1-based) of best, 0 = none yet
	bad       int       // epochs since best
	weights   []float32 // weights at bestEpoch
}

// Observe records the validation loss of a finished epoch (1-based) and the
// model's weights at that point. improved reports a new best (its weights
// are copied); stop reports that Patience epochs have passed without one.
// A NaN loss never improves.
func (e *EarlyStopping) Observe(epoch int, valLoss float64, m Snapshotter) (improved, stop bool) {
	if e.bestEpoch == 0 || valLoss < e.best {
		if e.bestEpoch == 0 && math.IsNaN(valLoss) {
			e.bad++
		} else {
			e.best, e.bestEpoch, e.bad = valLoss, epoch, 0
			e.weights = m.Weights(e.weights)
			return true, false
		}
	} else {
		e.bad++
	}
	return false, e.Patience > 0 && e.bad >= e.Patience
}

// Best returns the best validation loss and its epoch (0 if none yet).
func (e *EarlyStopping) Best() (loss float64, epoch int) { return e.best, e.bestEpoch }

// Restore sets m's weights to the best epoch's. It does nothing before the
// first Observe.
func (e *EarlyStopping) Restore(m Snapshotter) error {
	if e.bestEpoch == 0 {
		return nil
	}
	return m.SetWeights(e.weights)
}

// Reset forgets everything observed, keeping Patience and the buffer.
func (e *EarlyStopping) Reset() {
	e.best, e.bestEpoch, e.bad = 0, 0, 0
}
