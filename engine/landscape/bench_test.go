package landscape

import (
	"testing"

	"mnistplay/engine"
)

// One grid point and one Hessian-vector product of the report's CNN on
// 1,000 images: the units the CLI's and the page's budgets are made of.
func benchCNN(b *testing.B) (*Objective, []float32) {
	m, err := engine.Build(engine.DefaultCNN(), 1)
	if err != nil {
		b.Fatal(err)
	}
	obj, err := NewObjective(m, synthetic(1000, 1))
	if err != nil {
		b.Fatal(err)
	}
	return obj, m.Weights(nil)
}

func BenchmarkGridPointCNN1000(b *testing.B) {
	obj, theta := benchCNN(b)
	for b.Loop() {
		obj.Loss(theta)
	}
}

func BenchmarkHessianVectorCNN1000(b *testing.B) {
	obj, theta := benchCNN(b)
	h, _ := NewHessian(obj, theta, 0)
	v, hv := make([]float64, len(theta)), make([]float64, len(theta))
	v[0] = 1
	for b.Loop() {
		h.Apply(hv, v)
	}
}
