package view

import (
	"encoding/json"
	"flag"
	"image"
	"image/draw"
	"image/png"
	"math"
	"os"
	"testing"

	"mnistplay/engine"
)

var shot = flag.String("shot", "", "write the rendered screen to this PNG file")

func weightsMsg(t *testing.T, spec engine.Spec) Msg {
	m, err := engine.Build(spec, 1)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(spec)
	return Msg{Type: "weights", SpecJSON: string(js), Data: m.Weights(nil)}
}

func TestViewFlow(t *testing.T) {
	for i, spec := range []engine.Spec{engine.DefaultCNN(), engine.DefaultMLP()} {
		v := New()
		var posted []map[string]any
		v.Post = func(m map[string]any) { posted = append(posted, m) }
		v.Apply(Msg{Type: "arch", Layers: []Layer{{"conv1", [3]int{10, 24, 24}, 260}, {"fc2", [3]int{10, 1, 1}, 1010}}, Params: 38390})
		for s := 0; s < 300; s++ {
			e := float64(s) / 100
			v.Apply(Msg{Type: "steps", Steps: []StepPoint{{Step: s, Epoch: e, Loss: 2.3 * math.Exp(-e), Acc: 1 - math.Exp(-e), ExPerSec: 900}}})
		}
		v.Apply(Msg{Type: "epoch", EpochN: 1, TrainLoss: 0.5, TrainAcc: 0.85, ValLoss: 0.4, ValAcc: 0.88})
		v.Apply(Msg{Type: "shuffle", On: true, Fraction: 1, Epoch: 1.5})
		v.Apply(Msg{Type: "loss", Loss: math.NaN()}) // unknown: ignored
		v.Apply(weightsMsg(t, spec))
		for k := 0; k < 21; k++ {
			a := -0.5 + 0.1*float64(k)
			v.Apply(Msg{Type: "flatness", Alpha: a, Loss: 0.1 + (a-1)*(a-1), Error: 0.02 + 0.3*(a-1)*(a-1), Index: k, Count: 21})
		}
		// Draw a vertical stroke on the pad.
		x := (v.padRect.Min.X + v.padRect.Max.X) / 2
		for y := v.padRect.Min.Y + 30; y < v.padRect.Max.Y-30; y += 4 {
			v.Pointer(x, y, true)
			v.Tick()
		}
		v.Pointer(x, v.padRect.Max.Y-30, false)
		var pred map[string]any
		for _, m := range posted {
			if m["event"] == "prediction" {
				pred = m
			}
		}
		if pred == nil {
			t.Fatalf("case %d: no prediction posted", i)
		}
		probs := pred["probs"].([]any)
		sum := 0.0
		for _, p := range probs {
			sum += p.(float64)
		}
		if len(probs) != 10 || math.Abs(sum-1) > 1e-4 {
			t.Errorf("case %d: probs %v sum %v", i, probs, sum)
		}
		// Select filter 0: the activation map of a CNN appears.
		fr := v.Panels[PFilters].Rect
		cols, _, cell, o := 0, 0, 0, image.Point{}
		_ = cols
		_, _, cell, o = gridLayout(&v.grid, image.Rect(0, 0, fr.Dx(), fr.Dy()))
		v.Pointer(fr.Min.X+o.X+cell/2, fr.Min.Y+o.Y+cell/2, true)
		v.Pointer(fr.Min.X+o.X+cell/2, fr.Min.Y+o.Y+cell/2, false)
		if v.selected != 0 {
			t.Errorf("case %d: selected %d after clicking filter 0", i, v.selected)
		}
		if spec.Arch == engine.ArchCNN && len(v.act) != 24*24 {
			t.Errorf("case %d: activation map has %d values", i, len(v.act))
		}
		if n := v.Render(); n != numPanels {
			t.Errorf("case %d: rendered %d panels, want all %d", i, n, numPanels)
		}
		for _, p := range v.Panels {
			p.Dirty = false
		}
		if n := v.Render(); n != 0 {
			t.Errorf("case %d: idle render drew %d panels", i, n)
		}
		v.Apply(Msg{Type: "pad", Cmd: "clear"})
		if !v.Pad.Empty() || v.hasProbs {
			t.Errorf("case %d: pad not cleared", i)
		}
		if *shot != "" && i == 0 {
			v.Render()
			// Re-draw a stroke to show the pad with ink.
			img := image.NewRGBA(image.Rect(0, 0, Width, Height))
			for _, p := range v.Panels {
				draw.Draw(img, p.Rect, p.Img, image.Point{}, draw.Src)
			}
			f, err := os.Create(*shot)
			if err != nil {
				t.Fatal(err)
			}
			png.Encode(f, img)
			f.Close()
		}
	}
}

// gridLayout exposes the filter grid's cell geometry via HitTest probing.
func gridLayout(g interface {
	HitTest(image.Rectangle, image.Point) int
}, r image.Rectangle) (int, int, int, image.Point) {
	// Find the first point that hits filter 0 and the first that hits 1.
	var o image.Point
	found := false
	for y := r.Min.Y; y < r.Max.Y && !found; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if g.HitTest(r, image.Pt(x, y)) == 0 {
				o, found = image.Pt(x, y), true
				break
			}
		}
	}
	cell := 0
	for x := o.X; x < r.Max.X; x++ {
		if g.HitTest(r, image.Pt(x, o.Y)) != 0 {
			cell = x - o.X
			break
		}
	}
	return 0, 0, cell, o
}

func TestWeightsBad(t *testing.T) {
	v := New()
	v.Apply(Msg{Type: "weights", SpecJSON: "{", Data: nil})
	if v.errMsg == "" {
		t.Error("bad spec not reported")
	}
	w := weightsMsg(t, engine.DefaultMLP())
	w.Data = w.Data[:10]
	v.Apply(w)
	if v.errMsg == "" || v.model != nil {
		t.Error("short weights not reported")
	}
}
