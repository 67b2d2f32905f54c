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

// ReportProtocol returns cfg under the course report's framework: raw
// pixels, an epoch of one random batch, L2 as 2λθ on every parameter.
func (cfg Config) ReportProtocol() Config {
	cfg.Input = InputRaw
	cfg.StepsPerEpoch = 1
	cfg.Optim.L2Form = L2SquaredNorm
	return cfg
}

// Validate checks every field of cfg that does not depend on the data: the
// counts, the optimizer, the schedule, the protocol options, the model's
// shapes and that a training step fits MemoryLimit. It is the one check of
// a Config: NewTrainer calls it, and the playground and the CLI call it to
// refuse a configuration before loading any data. A bad count or option is
// an *OptionError, a model over budget a *BudgetError.
func (cfg Config) Validate() error {
	_, err := cfg.validate()
	return err
}

// validate is Validate with the memory estimate of a training step.
func (cfg Config) validate() (Memory, error) {
	if err := cfg.validateFields(); err != nil {
		return Memory{}, err
	}
	if err := cfg.Optim.Validate(); err != nil {
		return Memory{}, err
	}
	if err := cfg.Schedule.Validate(); err != nil {
		return Memory{}, err
	}
	return cfg.checkMemory() // the spec's shapes, and the budget
}

// validateFields checks the counts and the protocol options of cfg.
func (cfg Config) validateFields() error {
	bad := func(option string, v any, want string) error {
		return &OptionError{Option: option, Value: v, Want: want}
	}
	switch {
	case cfg.BatchSize < 0:
		return bad("batch size", cfg.BatchSize, ">= 0 (0 = full batch)")
	case cfg.Epochs < 0:
		return bad("epochs", cfg.Epochs, ">= 0 (0 = no limit)")
	case cfg.Subset < 0:
		return bad("training subset", cfg.Subset, ">= 0 (0 = all)")
	case cfg.Patience < 0:
		return bad("patience", cfg.Patience, ">= 0 (0 = no early stopping)")
	case !(cfg.ShuffleFraction >= 0 && cfg.ShuffleFraction <= 1):
		return bad("shuffle fraction", cfg.ShuffleFraction, "a fraction in [0, 1]")
	case cfg.EvalSubset < 0:
		return bad("evaluation subset", cfg.EvalSubset, ">= 0 (0 = all)")
	}
	if err := cfg.Input.Validate(); err != nil {
		return err
	}
	switch {
	case cfg.StepsPerEpoch < 0:
		return bad("steps per epoch", cfg.StepsPerEpoch, ">= 0 (0 = one pass over the training set)")
	case cfg.EvalEvery < 0:
		return bad("evaluation period", cfg.EvalEvery, ">= 0 epochs (0 or 1 = every epoch)")
	case cfg.EvalEvery > 1 && cfg.Patience > 0:
		return bad("evaluation period", cfg.EvalEvery, "1 with early stopping (it watches every epoch's validation loss)")
	}
	return nil
}

// evaluates reports whether the epoch-th epoch (1-based) of a run of cfg is
// evaluated: every EvalEvery-th epoch and the last one.
func (cfg Config) evaluates(epoch int) bool {
	return cfg.EvalEvery <= 1 || epoch%cfg.EvalEvery == 0 || (cfg.Epochs > 0 && epoch >= cfg.Epochs)
}
