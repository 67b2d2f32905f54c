package engine

import (
	"errors"
	"fmt"
	"math"
)

// FlatnessPoint is the validation loss and error (1 - accuracy) of the
// weights theta(Alpha) = (1-Alpha)·theta0 + Alpha·theta1. Loss can be +Inf
// far from both ends.
type FlatnessPoint struct {
	Alpha float64 `json:"alpha"`
	Loss  float64 `json:"loss"`
	Error float64 `json:"error"`
}

// Flatness evaluates m on val at theta(alpha) for each alpha in turn (for
// example -0.5..1.5 in steps of 0.1, with theta0 the initial and theta1 the
// final weights), calling onPoint as soon as each point is computed. Pass
// val.Head(n) to sweep on a subset. Afterwards m has its own weights back.
// A caller that must return between points (the browser worker) calls
// Flatness with one alpha at a time.
//
// It returns an error, evaluating nothing, if theta0 or theta1 does not
// have m.NumWeights() values, val is empty or an alpha is not finite.
func Flatness(m *Model, theta0, theta1 []float32, alphas []float64, val Dataset, onPoint func(FlatnessPoint)) error {
	n := m.NumWeights()
	if len(theta0) != n || len(theta1) != n {
		return fmt.Errorf("engine: Flatness: theta0 has %d and theta1 %d values for a model with %d weights", len(theta0), len(theta1), n)
	}
	if val.N == 0 {
		return errors.New("engine: Flatness: empty validation set")
	}
	if err := val.Check(); err != nil {
		return err
	}
	for i, a := range alphas {
		if math.IsNaN(a) || math.IsInf(a, 0) {
			return fmt.Errorf("engine: Flatness: alpha %d is %v", i, a)
		}
	}
	saved := m.Weights(nil)
	theta := make([]float32, n)
	var ev evaluator
	for _, a := range alphas {
		Interpolate(theta, theta0, theta1, float32(a))
		if err := m.SetWeights(theta); err != nil {
			return err
		}
		loss, acc := ev.evaluate(m, val, chunk)
		if onPoint != nil {
			onPoint(FlatnessPoint{Alpha: a, Loss: loss, Error: 1 - acc})
		}
	}
	return m.SetWeights(saved)
}

// AlphaGrid returns the alphas from, from+step, ... up to to, each rounded
// to 6 decimals so that 0 and 1 land exactly on the initial and the final
// weights. It returns nil unless step > 0, from <= to and there are at most
// maxPoints of them.
func AlphaGrid(from, to, step float64, maxPoints int) []float64 {
	if !(step > 0) || !(from <= to) || (to-from)/step >= float64(maxPoints) {
		return nil
	}
	var alphas []float64
	for k := 0; ; k++ {
		a := from + float64(k)*step
		if a > to+1e-9 {
			return alphas
		}
		alphas = append(alphas, math.Round(a*1e6)/1e6)
	}
}
