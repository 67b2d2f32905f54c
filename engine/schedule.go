package engine

import (
	"fmt"
	"math"
)

// ScheduleKind names a learning-rate schedule.
type ScheduleKind string

// The schedules. t counts optimizer steps (batches) from 0.
const (
	// Constant keeps lr_t = LR0.
	Constant ScheduleKind = "constant"
	// InvT is 1/t decay, lr_t = LR0 / (1 + t/Tau). Its sum over t diverges
	// (like the harmonic series) while the sum of its squares converges (like
	// sum 1/t²): the Robbins-Monro conditions for stochastic approximation.
	InvT ScheduleKind = "invt"
	// StepDecay is lr_t = LR0 · Gamma^floor(t/Every), as torch.optim.lr_scheduler.StepLR.
	StepDecay ScheduleKind = "step"
)

// DefaultGamma is the decay factor a StepDecay schedule takes when Gamma is
// zero (StepLR's default).
const DefaultGamma float32 = 0.1

// Schedule gives the learning rate for each optimizer step.
// The zero Kind is Constant; a zero Gamma is DefaultGamma.
type Schedule struct {
	Kind  ScheduleKind `json:"kind"`
	LR0   float32      `json:"lr0"`
	Tau   float32      `json:"tau,omitempty"`   // InvT: steps (or epochs) until the rate halves
	Gamma float32      `json:"gamma,omitempty"` // StepDecay: factor per period
	Every int          `json:"every,omitempty"` // StepDecay: period in steps (or epochs)
	// PerEpoch counts Tau and Every in epochs instead of steps: the trainer
	// multiplies them by its steps per epoch (InSteps), so a schedule keeps
	// its meaning whatever the batch size and the training set.
	PerEpoch bool `json:"perEpoch,omitempty"`
}

// InSteps returns s with Tau and Every counted in steps, for epochs of
// stepsPerEpoch steps; a schedule already in steps comes back unchanged.
func (s Schedule) InSteps(stepsPerEpoch int) Schedule {
	if !s.PerEpoch {
		return s
	}
	s.Tau *= float32(stepsPerEpoch)
	s.Every *= stepsPerEpoch
	s.PerEpoch = false
	return s
}

// LR returns the learning rate for step t (t = 0 is the first step),
// reading Tau and Every as steps (see InSteps). A schedule that fails
// Validate returns LR0.
func (s Schedule) LR(t int) float32 {
	switch s.Kind {
	case InvT:
		if s.Tau > 0 {
			return float32(float64(s.LR0) / (1 + float64(t)/float64(s.Tau)))
		}
	case StepDecay:
		if s.Every > 0 {
			g := s.Gamma
			if g == 0 {
				g = DefaultGamma
			}
			return float32(float64(s.LR0) * math.Pow(float64(g), float64(t/s.Every)))
		}
	}
	return s.LR0
}

// Validate reports whether s is usable: a known kind, a finite LR0 > 0,
// Tau > 0 for InvT, Every > 0 and Gamma in (0, 1] for StepDecay.
func (s Schedule) Validate() error {
	lr := float64(s.LR0)
	if math.IsNaN(lr) || math.IsInf(lr, 0) || lr <= 0 {
		return &OptionError{Option: "learning rate", Value: s.LR0, Want: "a number > 0"}
	}
	switch s.Kind {
	case "", Constant:
	case InvT:
		if !(s.Tau > 0) || math.IsInf(float64(s.Tau), 0) {
			return &OptionError{Option: "1/t schedule tau", Value: s.Tau, Want: "a number > 0"}
		}
	case StepDecay:
		if s.Every <= 0 {
			return &OptionError{Option: "step schedule period", Value: s.Every, Want: "> 0 steps"}
		}
		if !(s.Gamma >= 0 && s.Gamma <= 1) {
			return &OptionError{Option: "step schedule gamma", Value: s.Gamma, Want: "a number in (0, 1] (0 = the default)"}
		}
	default:
		return &OptionError{Option: "schedule", Value: fmt.Sprintf("%q", string(s.Kind)), Want: "constant, invt or step"}
	}
	return nil
}
