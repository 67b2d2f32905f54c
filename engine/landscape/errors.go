package landscape

import (
	"errors"
	"fmt"
)

// Sentinel causes, matched with errors.Is through an *Error.
var (
	ErrNoSnapshots = errors.New("no weight snapshots")
	ErrGridSize    = errors.New("bad grid size")
	ErrNonFinite   = errors.New("not finite")
	ErrLength      = errors.New("wrong vector length")
	ErrEmptyData   = errors.New("empty dataset")
	ErrBadOption   = errors.New("bad option")
	ErrDone        = errors.New("finished")
	ErrCancelled   = errors.New("cancelled")
)

// Error is what every function of this package returns when its input is
// wrong or a computation produced a non-finite loss: the operation, a
// sentinel cause (errors.Is) and a message for the user.
type Error struct {
	Op     string // "grid", "pca", "lanczos", "hessian", "directions", "objective"
	Cause  error  // one of the Err... sentinels
	Detail string // what exactly was wrong
}

func (e *Error) Error() string {
	return fmt.Sprintf("landscape: %s: %s: %s", e.Op, e.Cause, e.Detail)
}

func (e *Error) Unwrap() error { return e.Cause }

func errorf(op string, cause error, format string, a ...any) *Error {
	return &Error{Op: op, Cause: cause, Detail: fmt.Sprintf(format, a...)}
}

// PointError reports a grid point whose loss is NaN or infinite (the weights
// there overflow). The surface records NaN for it and goes on with the next
// point.
type PointError struct {
	Set  int     // index of the dataset
	I, J int     // row (y) and column (x) of the grid
	X, Y float64 // coordinates in the plane
	Loss float64
}

func (e *PointError) Error() string {
	return fmt.Sprintf("landscape: grid: the loss on set %d at (%g, %g) is %v: the weights there overflow; the point is left out", e.Set, e.X, e.Y, e.Loss)
}

func (e *PointError) Unwrap() error { return ErrNonFinite }

func finite64(v float64) bool { return v-v == 0 }

func finite32(v []float32) bool {
	for _, x := range v {
		if x-x != 0 { // NaN - NaN and Inf - Inf are NaN
			return false
		}
	}
	return true
}
