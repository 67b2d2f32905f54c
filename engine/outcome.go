package engine

import "fmt"

// DivergedError is the error of a step whose loss, gradient or updated
// weights were NaN or infinite (see Trainer.Step). Read it with errors.As.
type DivergedError struct {
	Step  int     // the step that failed (1-based)
	Epoch float64 // fractional epochs dealt before it
	Why   string  // e.g. "loss is NaN", "update of fc1.weight overflowed at learning rate 50"
}

func (e *DivergedError) Error() string {
	return fmt.Sprintf("engine: training diverged at step %d (epoch %.2f): %s; the weights from before this step are kept, Resume with a lower learning rate", e.Step, e.Epoch, e.Why)
}

// ChanceAccuracy is the accuracy of guessing among the ten classes, and
// ChanceLoss the cross-entropy of a uniform guess, ln 10.
const (
	ChanceAccuracy = 1.0 / NumClasses
	ChanceLoss     = 2.302585092994046
)

// explodedMargin is how far above ChanceLoss a run's loss must end for a
// learning rate too high to be the likely cause: a freshly initialised net
// already scores a few hundredths around ln 10, so a rate too low to move
// it leaves its loss just above ChanceLoss.
const explodedMargin = 0.5

// NotLearnedError says that a run ended no better than guessing: a learning
// rate too high (the loss grew well past ChanceLoss: Exploded) or too low,
// or too few steps. Read it with errors.As.
type NotLearnedError struct {
	Acc      float64 // the final accuracy (validation if there is a validation set, else training)
	Loss     float64 // the final training loss
	Exploded bool    // Loss is above ChanceLoss + explodedMargin: training made the model worse than a uniform guess
}

func (e *NotLearnedError) Error() string {
	msg := fmt.Sprintf("the model did not learn: it ended at %.1f%% accuracy, about what guessing gets (%.0f%%)", 100*e.Acc, 100*ChanceAccuracy)
	if e.Exploded {
		return msg + fmt.Sprintf(", and its training loss %.3g is worse than a uniform guess (%.2f). The learning rate is probably too high.", e.Loss, ChanceLoss)
	}
	return msg + ". Try a different learning rate or more epochs."
}

// CheckLearned returns a *NotLearnedError if the last epoch e of a run
// ended below twice ChanceAccuracy (validation accuracy if hasVal, else
// training accuracy), or nil. With shuffled labels chance accuracy is the
// expected outcome, so callers skip the check then.
func CheckLearned(e EpochStats, hasVal bool) error {
	acc := e.TrainAcc
	if hasVal {
		acc = e.ValAcc
	}
	if acc >= 2*ChanceAccuracy {
		return nil
	}
	return &NotLearnedError{Acc: acc, Loss: e.TrainLoss, Exploded: !(e.TrainLoss <= ChanceLoss+explodedMargin)}
}
