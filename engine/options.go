package engine

import "fmt"

// OptionError is a Config field with a value the engine cannot use. Read it
// with errors.As to find which option was wrong.
type OptionError struct {
	Option string // the Config field, e.g. "Input"
	Value  any    // the value given
	Want   string // what would be accepted
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("engine: %s %v: want %s", e.Option, e.Value, e.Want)
}

// InputScale is how a uint8 pixel v becomes the float32 the model sees.
type InputScale string

// The input scalings. The default is torchvision's MNIST normalisation; the
// course report's framework fed the raw pixel values.
const (
	InputStandard InputScale = "standard" // (v/255 - PixelMean)/PixelStd; "" means this
	InputUnit     InputScale = "unit"     // v/255, in [0, 1]
	InputRaw      InputScale = "raw"      // v, in [0, 255]
)

// pixel tables of the scalings; pixelTable (dataset.go) is the standard one.
var (
	unitTable = func() (t [256]float32) {
		for v := range t {
			t[v] = float32(float64(v) / 255)
		}
		return t
	}()
	rawTable = func() (t [256]float32) {
		for v := range t {
			t[v] = float32(v)
		}
		return t
	}()
)

// Validate reports whether s names a known scaling.
func (s InputScale) Validate() error {
	switch s {
	case "", InputStandard, InputUnit, InputRaw:
		return nil
	}
	return &OptionError{Option: "input scale", Value: fmt.Sprintf("%q", string(s)), Want: "standard, unit or raw"}
}

// table returns the pixel table of s. It panics on an unknown scaling, which
// Validate rejects first.
func (s InputScale) table() *[256]float32 {
	switch s {
	case "", InputStandard:
		return &pixelTable
	case InputUnit:
		return &unitTable
	case InputRaw:
		return &rawTable
	}
	panic("engine: unvalidated input scale " + string(s))
}

// Pixel returns the value the model sees for pixel v under scaling s.
//
// It panics if s is not a known scaling.
func (s InputScale) Pixel(v uint8) float32 { return s.table()[v] }

// L2Form is how the L2 strength lambda enters the gradient.
type L2Form string

// The L2 forms.
const (
	// L2WeightDecay adds lambda·w to the gradient of the weights only (the
	// gradient of (lambda/2)·||w||²), as PyTorch's weight_decay; "" means this.
	L2WeightDecay L2Form = "decay"
	// L2SquaredNorm adds 2·lambda·theta to the gradient of every parameter,
	// weights and biases (the gradient of lambda·||theta||²), as the course
	// report's framework did.
	L2SquaredNorm L2Form = "norm"
)

// Validate reports whether f names a known form.
func (f L2Form) Validate() error {
	switch f {
	case "", L2WeightDecay, L2SquaredNorm:
		return nil
	}
	return &OptionError{Option: "L2 form", Value: fmt.Sprintf("%q", string(f)), Want: "decay or norm"}
}

// coef returns the factor c of the L2 term c·w added to p's gradient for
// strength lambda. It is the one place that decides which parameters decay.
func (f L2Form) coef(lambda float32, p *Param) float32 {
	if f == L2SquaredNorm {
		return 2 * lambda
	}
	if !p.Decay {
		return 0
	}
	return lambda
}

// ValidateOptions checks the Config fields that choose the protocol of a run
// (input scaling, epoch length, evaluation cadence); NewTrainer calls it,
// and callers may too to report a bad option before loading any data. The L2 form is checked with the optimizer (OptimConfig.Validate).
func (cfg Config) ValidateOptions() error {
	if err := cfg.Input.Validate(); err != nil {
		return err
	}
	switch {
	case cfg.StepsPerEpoch < 0:
		return &OptionError{Option: "steps per epoch", Value: cfg.StepsPerEpoch, Want: ">= 0 (0 = one pass over the training set)"}
	case cfg.EvalEvery < 0:
		return &OptionError{Option: "evaluation period", Value: cfg.EvalEvery, Want: ">= 0 epochs (0 or 1 = every epoch)"}
	case cfg.EvalEvery > 1 && cfg.Patience > 0:
		return &OptionError{Option: "evaluation period", Value: cfg.EvalEvery, Want: "1 with early stopping (it watches every epoch's validation loss)"}
	}
	return nil
}

// evaluates reports whether the epoch-th epoch (1-based) of a run of cfg is
// evaluated: every EvalEvery-th epoch and the last one.
func (cfg Config) evaluates(epoch int) bool {
	return cfg.EvalEvery <= 1 || epoch%cfg.EvalEvery == 0 || (cfg.Epochs > 0 && epoch >= cfg.Epochs)
}
