package engine

import (
	"math"
	"math/rand/v2"
)

// newRNG returns the seeded PCG generator Build initialises weights from.
func newRNG(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// initUniform fills w from U(-bound, bound).
func initUniform(w []float32, bound float64, rng *rand.Rand) {
	for i := range w {
		w[i] = float32((2*rng.Float64() - 1) * bound)
	}
}

// initDefault applies PyTorch's default initialisation to a Linear or
// Conv2d layer with the given fan-in: the weight from
// kaiming_uniform_(a=sqrt(5)), whose bound gain·sqrt(3/fan_in) with gain
// sqrt(2/(1+a²)) = sqrt(1/3) is 1/sqrt(fan_in), then the bias from
// U(±1/sqrt(fan_in)). Weight first, then bias, as PyTorch's reset_parameters.
func initDefault(weight, bias *Param, fanIn int, rng *rand.Rand) {
	gain := math.Sqrt(2.0 / (1 + 5.0))
	initUniform(weight.W, gain*math.Sqrt(3.0/float64(fanIn)), rng)
	initUniform(bias.W, 1/math.Sqrt(float64(fanIn)), rng)
}

func newParam(name string, decay bool, shape ...int) *Param {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return &Param{Name: name, Shape: shape, W: make([]float32, n), G: make([]float32, n), Decay: decay}
}
