package landscape_test

import (
	"errors"
	"fmt"

	"mnistplay/engine"
	"mnistplay/engine/landscape"
)

// A caller that must return to its event loop (a Web Worker) computes one
// grid point per turn and stops when asked: there is nothing to tear down.
func ExampleSurface() {
	m, _ := engine.Build(engine.DefaultMLP(), 1)
	val := engine.Dataset{Images: make([]uint8, 10*784), Labels: make([]uint8, 10), N: 10}
	theta := m.Weights(nil)
	d1, d2 := make([]float32, len(theta)), make([]float32, len(theta))
	landscape.FilterNormalized(m, theta, 1, d1)
	landscape.FilterNormalized(m, theta, 2, d2)
	obj, _ := landscape.NewObjective(m, val)
	s, err := landscape.NewSurface(landscape.Plane{Origin: theta, D1: d1, D2: d2},
		landscape.Linspace(-1, 1, 5), landscape.Linspace(-1, 1, 5), obj)
	if err != nil {
		fmt.Println(err)
		return
	}
	cancelled := func() bool { return false } // the worker's cancel flag
	for !s.Done() && !cancelled() {
		i, j, err := s.Next() // one pass over val
		var pe *landscape.PointError
		if err != nil && !errors.As(err, &pe) {
			fmt.Println(err)
			return
		}
		_ = s.Loss[0][i*len(s.Xs)+j] // post this point to the page
	}
	fmt.Println(s.Len(), "points")
	// Output: 25 points
}

// Lanczos steps one Hessian-vector product at a time; Ritz gives the
// current estimates after any step.
func ExampleLanczos() {
	m, _ := engine.Build(engine.Spec{Arch: engine.ArchMLP, Hidden: []int{4}}, 1)
	train := engine.Dataset{Images: make([]uint8, 20*784), Labels: make([]uint8, 20), N: 20}
	for i := range train.Images {
		train.Images[i] = uint8(i * 7)
	}
	obj, _ := landscape.NewObjective(m, train)
	h, _ := landscape.NewHessian(obj, m.Weights(nil), 0)
	l, _ := landscape.NewLanczos(h, 10, 1)
	for !l.Done() {
		if err := l.Step(); err != nil {
			fmt.Println(err)
			return
		}
	}
	vals, _, _ := l.Ritz()
	fmt.Println(len(vals), "Ritz values, largest first:", vals[0] >= vals[len(vals)-1])
	// Output: 10 Ritz values, largest first: true
}
