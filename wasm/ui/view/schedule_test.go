package view

import (
	"testing"
	"time"

	"mnistplay/wire"
)

func TestDue(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		state string        // state message before the redraw ("" none; "landscape": a landscape computing)
		after time.Duration // since the last finished round
		want  time.Duration
	}{
		{"", 0, IdleInterval},
		{"", 20 * time.Millisecond, IdleInterval - 20*time.Millisecond},
		{"", time.Second, 0},
		{"running", 0, TrainingInterval},
		{"running", 300 * time.Millisecond, TrainingInterval - 300*time.Millisecond},
		{"running", time.Second, 0},
		// Render waits as long while a landscape computes: a shorter Due
		// would ask for frames that draw nothing, every frame until then.
		{"landscape", 100 * time.Millisecond, TrainingInterval - 100*time.Millisecond},
	}
	for i, c := range cases {
		v := New()
		switch c.state {
		case "":
		case "landscape":
			v.Apply(landGrid(3))
		default:
			v.Apply(wire.StateEvent{State: c.state})
		}
		if _, ok := v.Due(t0); !ok {
			t.Errorf("case %d: a new view has nothing due", i)
		}
		// Draw everything: rounds draw one event panel per call.
		for k := 0; k < 2*numPanels && v.Pending(); k++ {
			v.Render(t0)
		}
		if d, ok := v.Due(t0); ok {
			t.Fatalf("case %d: drawn view still due in %v", i, d)
		}
		v.Apply(wire.StepsEvent{Steps: []wire.StepPoint{{Step: 1, Epoch: 0.01, Loss: 2, Acc: 0.1}}})
		now := t0.Add(c.after)
		d, ok := v.Due(now)
		if !ok || d != c.want {
			t.Errorf("case %d: Due = %v, %v; want %v, true", i, d, ok, c.want)
		}
		// Render draws nothing before the due time and something at it.
		if d > 0 {
			if n := v.Render(now.Add(d - time.Millisecond)); n != 0 {
				t.Errorf("case %d: Render drew %d panels before the due time", i, n)
			}
		}
		if n := v.Render(now.Add(d)); n == 0 {
			t.Errorf("case %d: Render drew nothing at the due time", i)
		}
	}
}
