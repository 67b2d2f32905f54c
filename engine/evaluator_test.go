package engine

import (
	"math"
	"testing"
)

// Evaluating in parts adds up to EvaluateInput with the same scaling, and
// a part past the end is a programmer's mistake.
func TestEvaluatorParts(t *testing.T) {
	m, err := Build(Spec{Arch: ArchMLP, Hidden: []int{8}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	d := synthData(300, 2)
	ev := NewEvaluator(InputRaw)
	var sum float64
	correct := 0
	for lo := 0; lo < d.N; {
		k, l, c := ev.Part(m, d, lo, 64)
		if k < 1 || k > 64 {
			t.Fatalf("part of %d examples at %d", k, lo)
		}
		lo += k
		sum += l
		correct += c
	}
	wantL, wantA := EvaluateInput(m, d, InputRaw, 0)
	if math.Abs(sum/300-wantL) > 1e-6*math.Abs(wantL) || float64(correct)/300 != wantA {
		t.Errorf("parts: %v %v; Evaluate: %v %v", sum/300, float64(correct)/300, wantL, wantA)
	}
	if l, _ := ev.Evaluate(m, d, 0); l != wantL {
		t.Errorf("Evaluator.Evaluate %v, EvaluateInput %v", l, wantL)
	}
	defer func() {
		if recover() == nil {
			t.Error("a part past the end did not panic")
		}
	}()
	ev.Part(m, d, d.N, 64)
}
