package view

import (
	"flag"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"mnistplay/engine"
	"mnistplay/plot"
	"mnistplay/wire"
)

var shot = flag.String("shot", "", "write the rendered screen to this PNG file")

func weightsMsg(t *testing.T, spec engine.Spec) wire.WeightsEvent {
	m, err := engine.Build(spec, 1)
	if err != nil {
		t.Fatal(err)
	}
	return wire.WeightsEvent{Spec: spec, Data: m.Weights(nil)}
}

// otherEvent is an event the view does not draw.
type otherEvent struct{}

func (otherEvent) Type() string { return "other" }

// answerer answers classification requests at once, as the trainer does
// (playground.Session.Classify, tested there): here with uniform
// probabilities, and for a CNN the selected filter's 24x24 map.
func answerer(t *testing.T, v *View, cnn bool, requests *[]wire.ClassifyCmd) func(wire.Command) {
	return func(c wire.Command) {
		r, ok := c.(wire.ClassifyCmd)
		if !ok {
			t.Fatalf("asked %#v, want a classification", c)
		}
		if err := r.Check(); err != nil {
			t.Errorf("the view sent a bad request: %v", err)
		}
		*requests = append(*requests, r)
		p := &wire.Prediction{ID: r.ID, Probs: make([]float32, 10), Digit: 3}
		for i := range p.Probs {
			p.Probs[i] = 0.1
		}
		if cnn && r.Filter >= 0 {
			p.Act, p.ActW = make([]float32, 24*24), 24
		}
		v.Apply(*p)
	}
}

func TestViewFlow(t *testing.T) {
	for i, spec := range []engine.Spec{engine.DefaultCNN(), engine.DefaultMLP()} {
		v := New()
		var posted []map[string]any
		var requests []wire.ClassifyCmd
		v.Post = func(m map[string]any) { posted = append(posted, m) }
		v.Ask = answerer(t, v, spec.Arch == engine.ArchCNN, &requests)
		v.Apply(wire.ArchEvent{Layers: []wire.LayerRow{{Name: "conv1", Shape: [3]int{10, 24, 24}, Params: 260}, {Name: "fc2", Shape: [3]int{10, 1, 1}, Params: 1010}}, Params: 38390})
		for s := 0; s < 300; s++ {
			e := float64(s) / 100
			v.Apply(wire.StepsEvent{Steps: []wire.StepPoint{{Step: s, Epoch: e, Loss: 2.3 * math.Exp(-e), Acc: 1 - math.Exp(-e), ExamplesPerSec: 900}}})
		}
		v.Apply(wire.EpochEvent{Epoch: 1, TrainLoss: 0.5, TrainAcc: 0.85, ValLoss: 0.4, ValAcc: 0.88})
		v.Apply(wire.ShuffleEvent{On: true, Fraction: 1, Epoch: 1.5})
		v.Apply(otherEvent{}) // unknown: ignored
		v.Apply(weightsMsg(t, spec))
		for k := 0; k < 21; k++ {
			a := -0.5 + 0.1*float64(k)
			v.Apply(wire.FlatnessEvent{Alpha: a, Loss: 0.1 + (a-1)*(a-1), Error: 0.02 + 0.3*(a-1)*(a-1), Index: k, Count: 21})
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
		now := time.Now()
		n := 0
		for k := 0; k < numPanels; k++ {
			n += v.Render(now.Add(time.Duration(k) * time.Millisecond))
		}
		if n != numPanels {
			t.Errorf("case %d: rendered %d panels, want all %d", i, n, numPanels)
		}
		for _, p := range v.Panels {
			p.Dirty = false
		}
		if n := v.Render(now.Add(time.Hour)); n != 0 {
			t.Errorf("case %d: idle render drew %d panels", i, n)
		}
		v.Apply(wire.PadEvent{Cmd: "clear"})
		if !v.Pad.Empty() || v.hasProbs {
			t.Errorf("case %d: pad not cleared", i)
		}
		if *shot != "" && i == 0 {
			for k := 0; k < numPanels; k++ {
				v.Render(now.Add(2*time.Hour + time.Duration(k)*time.Millisecond))
			}
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
	v.Apply(wire.WeightsEvent{Spec: engine.Spec{Arch: "nope"}})
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

// TestModelAppears: the pad panel stops saying "no model yet" once weights
// arrive, so it must be redrawn then.
func TestModelAppears(t *testing.T) {
	v := New()
	now := time.Now()
	v.Render(now)
	v.Apply(weightsMsg(t, engine.DefaultMLP()))
	if !v.Panels[PPad].Dirty || v.model == nil {
		t.Fatalf("after the first weights: pad dirty %v, model %v", v.Panels[PPad].Dirty, v.model != nil)
	}
	renderAll(v, now.Add(time.Second))
	if v.Panels[PPad].Dirty {
		t.Error("pad still dirty after Render")
	}
	// The same spec again: the model is reused, not rebuilt.
	m := v.model
	v.Apply(weightsMsg(t, engine.DefaultMLP()))
	if v.model != m {
		t.Error("model rebuilt for weights of the same spec")
	}
}

// TestRenderThrottle: while training, event-driven redraws are coalesced to
// one per TrainingInterval; the person's strokes are drawn at once.
func TestRenderThrottle(t *testing.T) {
	v := New()
	t0 := time.Now()
	v.Render(t0)
	v.Apply(wire.StateEvent{State: "running"})
	drawn, most := 0, 0
	for k := 1; k <= 100; k++ { // 1 s of 10 ms frames with an event in each
		now := t0.Add(time.Duration(k) * 10 * time.Millisecond)
		v.Apply(wire.StepsEvent{Steps: []wire.StepPoint{{Step: k, Epoch: float64(k) / 100, Loss: 1, Acc: 0.5}}})
		most = max(most, v.Render(now))
		if v.Panels[PLoss].Drawn {
			drawn++
		}
		for _, p := range v.Panels {
			p.Drawn = false
		}
	}
	want := int(time.Second / TrainingInterval)
	if drawn < want-1 || drawn > want+1 {
		t.Errorf("the loss chart was drawn %d times in 1 s of training, want about %d", drawn, want)
	}
	if most != 1 {
		t.Errorf("a frame drew %d panels, want one at a time", most)
	}
	// A stroke right after a redraw is drawn in the next frame anyway.
	now := t0.Add(time.Second)
	v.Render(now)
	for _, p := range v.Panels {
		p.Drawn = false // as the caller does after uploading
	}
	x, y := v.padRect.Min.X+50, v.padRect.Min.Y+50
	v.Pointer(x, y, true)
	v.Tick()
	v.Apply(wire.StepsEvent{Steps: []wire.StepPoint{{Step: 200, Epoch: 2, Loss: 1, Acc: 0.5}}})
	now = now.Add(10 * time.Millisecond)
	if n := v.Render(now); n != 1 || !v.Panels[PPad].Drawn || v.Panels[PLoss].Drawn {
		t.Errorf("stroke frame drew %d panels (pad %v, loss %v), want the pad only", n, v.Panels[PPad].Drawn, v.Panels[PLoss].Drawn)
	}
	// Idle (paused): events are drawn within IdleInterval (plus a frame
	// per panel).
	v.Apply(wire.StateEvent{State: "paused"})
	for k := 0; k < 5; k++ {
		now = now.Add(IdleInterval)
		v.Render(now)
	}
	if v.Panels[PLoss].Dirty || v.Panels[PStatus].Dirty {
		t.Error("paused: loss or status panel not drawn")
	}
}

func TestEvalPoints(t *testing.T) {
	v := New()
	v.Apply(wire.EvalEvent{Epoch: 0.25, ValLoss: 1, ValAcc: 0.5})
	v.Apply(wire.EvalEvent{Epoch: 0.5, ValLoss: 0.8, ValAcc: 0.6})
	v.Apply(wire.EpochEvent{Epoch: 1, TrainLoss: 0.7, TrainAcc: 0.7, ValLoss: 0.6, ValAcc: 0.8})
	v.Apply(wire.EvalEvent{Epoch: 0.75, ValLoss: 0.7, ValAcc: 0.7}) // late: goes before epoch 1
	wantX := []float64{0.25, 0.5, 0.75, 1}
	wantAcc := []float64{50, 60, 70, 80}
	for i := range wantX {
		if i >= len(v.vaX) || v.vaX[i] != wantX[i] || v.vaAcc[i] != wantAcc[i] {
			t.Fatalf("validation x %v acc %v, want %v %v", v.vaX, v.vaAcc, wantX, wantAcc)
		}
	}
	if len(v.epX) != 1 || v.trAcc[0] != 70 {
		t.Errorf("train per epoch %v %v", v.epX, v.trAcc)
	}
	v.Apply(wire.ArchEvent{})
	if len(v.vaX) != 0 {
		t.Error("a new run kept the validation points")
	}
}

// A run of many epochs keeps a bounded curve that still starts at its
// first epoch, ends at its newest and keeps its points in order.
func TestLongRunCurvesBounded(t *testing.T) {
	v := New()
	const n = 3*maxEpochPoints + 7
	for e := 1; e <= n; e++ {
		v.Apply(wire.EpochEvent{Epoch: e, TrainLoss: 1 / float64(e), TrainAcc: 0.5, ValLoss: 2 / float64(e), ValAcc: 0.6})
	}
	for _, c := range []struct {
		name string
		x    []float64
		cols [][]float64
	}{
		{"training", v.epX, [][]float64{v.trLoss, v.trAcc}},
		{"validation", v.vaX, [][]float64{v.vaLoss, v.vaAcc}},
	} {
		if len(c.x) > maxEpochPoints || len(c.x) < maxEpochPoints/2 {
			t.Errorf("%s: %d points after %d epochs, want at most %d and more than half", c.name, len(c.x), n, maxEpochPoints)
		}
		if c.x[0] != 1 || c.x[len(c.x)-1] != n {
			t.Errorf("%s: epochs %v to %v, want 1 to %d", c.name, c.x[0], c.x[len(c.x)-1], n)
		}
		for i := 1; i < len(c.x); i++ {
			if c.x[i] <= c.x[i-1] {
				t.Fatalf("%s: epoch %v after %v", c.name, c.x[i], c.x[i-1])
			}
		}
		for _, col := range c.cols {
			if len(col) != len(c.x) {
				t.Errorf("%s: a column of %d points beside %d epochs", c.name, len(col), len(c.x))
			}
		}
	}
	if got, want := v.trLoss[len(v.trLoss)-1], 1/float64(n); got != want {
		t.Errorf("newest training loss %v, want %v", got, want)
	}
}

func TestParseColor(t *testing.T) {
	for i, c := range []struct {
		in   string
		want color.RGBA
		ok   bool
	}{
		{"#1f77b4", color.RGBA{0x1f, 0x77, 0xb4, 255}, true},
		{"#FFF", color.RGBA{255, 255, 255, 255}, true},
		{"1f77b4", color.RGBA{}, false},
		{"#12345g", color.RGBA{}, false},
		{"", color.RGBA{}, false},
	} {
		got, ok := ParseColor(c.in)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("case %d: ParseColor(%q) = %v, %v; want %v, %v", i, c.in, got, ok, c.want, c.ok)
		}
	}
}

// countColor counts pixels of img with colour c.
func countColor(img *image.RGBA, c color.RGBA) int {
	n := 0
	for i := 0; i+3 < len(img.Pix); i += 4 {
		if img.Pix[i] == c.R && img.Pix[i+1] == c.G && img.Pix[i+2] == c.B {
			n++
		}
	}
	return n
}

func TestOverlays(t *testing.T) {
	v := New()
	col := color.RGBA{0xd6, 0x27, 0x28, 255}
	ep := func(e int, trL, trA, vL, vA float64) wire.EpochEvent {
		return wire.EpochEvent{Epoch: e, TrainLoss: trL, TrainAcc: trA, ValLoss: vL, ValAcc: vA}
	}
	fl := func(a, l, e float64) wire.FlatnessEvent { return wire.FlatnessEvent{Alpha: a, Loss: l, Error: e} }
	run := wire.Run{ID: "r1", Name: "shuffled", Color: "#d62728",
		Epochs:   []wire.EpochEvent{ep(1, 2.0, 0.2, 2.3, 0.11), ep(2, 1.5, 0.5, 2.5, 0.10), ep(3, 0.9, 0.75, 2.9, 0.1)},
		Evals:    []wire.EvalEvent{{Epoch: 0.5, ValLoss: 2.31, ValAcc: 0.1}, {Epoch: 1.5, ValLoss: 2.4, ValAcc: 0.1}},
		Markers:  []wire.Marker{{Epoch: 0, Label: "shuffle 100%"}, {Epoch: 2.5, Label: "shuffle off"}},
		Flatness: []wire.FlatnessEvent{fl(-0.5, 3, 0.9), fl(0, 2.3, 0.9), fl(0.5, 1.5, 0.5), fl(1, 0.9, 0.25), fl(1.5, 2, 0.6)},
	}
	v.Apply(wire.RunsEvent{Runs: []wire.Run{run}})
	if len(v.overlays) != 1 {
		t.Fatalf("%d overlays", len(v.overlays))
	}
	o := v.overlays[0]
	if len(o.vX) != 5 || o.vX[0] != 0.5 || o.vX[1] != 1 || o.vX[2] != 1.5 {
		t.Errorf("validation of the run not merged by epoch: %v", o.vX)
	}
	if o.markers[1].Label != "true labels" {
		t.Errorf("marker label %q", o.markers[1].Label)
	}
	renderAll(v, time.Now())
	for _, p := range []int{PLoss, PAcc, PFlat} {
		if n := countColor(v.Panels[p].Img, col); n < 30 {
			t.Errorf("panel %s: %d pixels of the run's colour", v.Panels[p].Name, n)
		}
	}
	v.Apply(wire.RunsEvent{})
	renderAll(v, time.Now().Add(time.Hour))
	for _, p := range []int{PLoss, PAcc, PFlat} {
		if n := countColor(v.Panels[p].Img, col); n != 0 {
			t.Errorf("panel %s: %d pixels of the removed run's colour", v.Panels[p].Name, n)
		}
	}
}

func TestExportImage(t *testing.T) {
	v := New()
	var posted []map[string]any
	v.Post = func(m map[string]any) { posted = append(posted, m) }
	if img, err := v.ExportImage("loss"); err != nil || img != nil {
		t.Errorf("empty loss export: %v, %v", img, err)
	}
	if _, err := v.ExportImage("nope"); err == nil {
		t.Error("unknown panel exported")
	}
	v.Apply(weightsMsg(t, engine.DefaultCNN()))
	for s := 0; s < 50; s++ {
		v.Apply(wire.StepsEvent{Steps: []wire.StepPoint{{Step: s, Epoch: float64(s) / 50, Loss: 2 - float64(s)/30, Acc: float64(s) / 60}}})
	}
	v.Apply(wire.FlatnessEvent{Alpha: 0, Loss: 2.3, Error: 0.9, Index: 0, Count: 2})
	v.Apply(wire.FlatnessEvent{Alpha: 1, Loss: 0.3, Error: 0.1, Index: 1, Count: 2})
	for i, panel := range []string{"loss", "accuracy", "flatness", "filters"} {
		v.Apply(wire.ExportEvent{Panel: panel})
		m := posted[len(posted)-1]
		rgba, _ := m["rgba"].([]byte)
		w, h := m["width"].(int), m["height"].(int)
		if m["event"] != "pixels" || m["panel"] != panel || len(rgba) != 4*w*h || w == 0 {
			t.Fatalf("case %d: posted %v %v %dx%d with %d bytes", i, m["event"], m["panel"], w, h, len(rgba))
		}
		want := v.Panels[map[string]int{"loss": PLoss, "accuracy": PAcc, "flatness": PFlat, "filters": PFilters}[panel]].Rect.Size().Mul(2)
		if (image.Point{w, h}) != want {
			t.Errorf("case %d: %s export is %dx%d, want %v", i, panel, w, h, want)
		}
		// Not blank: a chart has ink of more than one colour.
		colours := map[[4]byte]bool{}
		for k := 0; k+4 <= len(rgba); k += 4 * 97 {
			colours[[4]byte(rgba[k:k+4])] = true
		}
		if len(colours) < 3 {
			t.Errorf("case %d: %s export has %d colours", i, panel, len(colours))
		}
	}
	// An empty panel answers with no pixels.
	v2 := New()
	v2.Post = func(m map[string]any) { posted = append(posted, m) }
	v2.Apply(wire.ExportEvent{Panel: "flatness"})
	if m := posted[len(posted)-1]; len(m["rgba"].([]byte)) != 0 {
		t.Errorf("an empty flatness panel exported %d bytes", len(m["rgba"].([]byte)))
	}
}

// renderAll calls Render until every panel is drawn.
func renderAll(v *View, now time.Time) {
	for k := 0; k < 2*numPanels && v.Pending(); k++ {
		v.Render(now.Add(time.Duration(k) * time.Millisecond))
	}
}

// Only the newest request's answer is shown; answers posted to the page are
// those of requests made with post, once each; a cleared pad drops late
// answers.
func TestPredictionAnswers(t *testing.T) {
	v := New()
	var posted []map[string]any
	var requests []wire.ClassifyCmd
	v.Post = func(m map[string]any) {
		if m["event"] == "prediction" {
			posted = append(posted, m)
		}
	}
	v.Ask = func(c wire.Command) { requests = append(requests, c.(wire.ClassifyCmd)) } // answered below, late
	v.Apply(weightsMsg(t, engine.DefaultMLP()))
	x := (v.padRect.Min.X + v.padRect.Max.X) / 2
	for y := v.padRect.Min.Y + 30; y < v.padRect.Max.Y-30; y += 8 {
		v.Pointer(x, y, true)
	}
	v.Pointer(x, v.padRect.Max.Y-30, false)     // stroke end: a request to post
	v.Apply(weightsMsg(t, engine.DefaultMLP())) // new weights: another
	if len(requests) != 2 {
		t.Fatalf("%d requests, want 2", len(requests))
	}
	answer := func(id, digit int) {
		probs := make([]float32, 10)
		probs[digit] = 1
		v.Apply(wire.Prediction{ID: id, Probs: probs, Digit: digit})
	}
	answer(requests[0].ID, 4) // superseded
	if v.hasProbs || len(posted) != 0 {
		t.Fatalf("an old answer was shown (%v) or posted (%d)", v.hasProbs, len(posted))
	}
	answer(requests[1].ID, 7)
	if !v.hasProbs || v.digit != 7 || len(posted) != 1 || posted[0]["digit"] != 7 {
		t.Fatalf("newest answer: shown %v digit %d, posted %v", v.hasProbs, v.digit, posted)
	}
	answer(requests[1].ID, 7) // a duplicate is not posted again
	if len(posted) != 1 {
		t.Errorf("%d posts after a duplicate answer", len(posted))
	}
	v.Apply(wire.WeightsEvent{Spec: v.model.Spec, Data: v.model.Weights(nil)})
	v.Apply(wire.PadEvent{Cmd: "clear"})
	answer(requests[len(requests)-1].ID, 2)
	if v.hasProbs {
		t.Error("an answer for a cleared pad was shown")
	}
	v.Apply(wire.PredictionError{Message: "no model yet"})
	if !strings.Contains(v.errMsg, "no model yet") {
		t.Errorf("prediction error not shown: %q", v.errMsg)
	}
}

// Robustness points take the flatness panel's place: accuracy against
// rotation and against shifts, the unmoved accuracy in every curve; a
// click on the title goes back to flatness; a new run clears them.
func TestRobustnessPanel(t *testing.T) {
	v := New()
	moves := engine.RobustnessMoves()
	for i, mv := range moves {
		acc := 0.98 - 0.01*math.Abs(mv.Angle)/5 - 0.1*math.Abs(mv.DX+mv.DY)
		v.Apply(wire.RobustnessEvent{Angle: mv.Angle, DX: mv.DX, DY: mv.DY, Acc: acc, Index: i, Count: len(moves)})
	}
	if !v.showRobust || len(v.robust) != len(moves)-2 { // the unmoved images come three times
		t.Fatalf("shown %v, %d points", v.showRobust, len(v.robust))
	}
	renderAll(v, time.Now())
	rot := v.robChart[0].Series[0].X
	if len(rot) != 19 || !slices.IsSorted(rot) {
		t.Errorf("rotation curve at %v, want the 19 angles in order", rot)
	}
	if sx := v.robChart[1].Series[0].X; len(sx) != 9 || !slices.IsSorted(sx) {
		t.Errorf("shift curve at %v, want -4..4", sx)
	}
	img := v.Panels[PFlat].Img
	if n := countColor(img, plot.Palette[1]) + countColor(img, plot.Palette[2]); n == 0 {
		t.Error("the shift curves are not drawn")
	}
	r := v.Panels[PFlat].Rect
	v.Pointer(r.Min.X+r.Dx()/2, r.Min.Y+5, true)
	v.Pointer(r.Min.X+r.Dx()/2, r.Min.Y+5, false)
	if v.showRobust {
		t.Error("a click on the title did not switch to flatness")
	}
	v.Apply(wire.ArchEvent{})
	if v.robust != nil {
		t.Error("a new run kept the robustness points")
	}
}

// TestSnapshotDrawsTheSameRun: a view that gets a run's snapshot has the
// curves and markers of one that saw the run's events.
func TestSnapshotDrawsTheSameRun(t *testing.T) {
	arch := wire.ArchEvent{Layers: []wire.LayerRow{{Name: "fc", Shape: [3]int{10, 1, 1}, Params: 7850}}, Params: 7850}
	steps := []wire.StepPoint{{Step: 1, Epoch: 0.5, Loss: 2, Acc: 0.2}, {Step: 2, Epoch: 1, Loss: 1, Acc: 0.6}, {Step: 3, Epoch: 1.5, Loss: 0.5, Acc: 0.8}}
	eval := wire.EvalEvent{Epoch: 0.5, Step: 1, ValLoss: 1.8, ValAcc: 0.3}
	epoch := wire.EpochEvent{Epoch: 1, Step: 2, TrainLoss: 1.1, TrainAcc: 0.55, ValLoss: 1.2, ValAcc: 0.5}
	shuffle := wire.ShuffleEvent{On: true, Fraction: 1, Epoch: 1.25, Step: 3}
	flat := wire.FlatnessEvent{Alpha: 1, Loss: 0.5, Error: 0.2, Count: 1}
	state := wire.StateEvent{State: wire.StateDiverged, Step: 3, Epoch: 1.5}

	live := New()
	for _, e := range []wire.Event{arch, wire.StepsEvent{Steps: steps[:1]}, eval, wire.StepsEvent{Steps: steps[1:2]}, epoch,
		shuffle, wire.StepsEvent{Steps: steps[2:]}, flat, state} {
		live.Apply(e)
	}
	late := New()
	late.Apply(wire.StepsEvent{Steps: steps[:1]}) // of before the reload: replaced
	late.Apply(wire.SnapshotEvent{HasRun: true, Arch: arch, State: state, Steps: steps,
		Epochs: []wire.EpochEvent{epoch}, Evals: []wire.EvalEvent{eval}, Shuffles: []wire.ShuffleEvent{shuffle},
		Flatness: []wire.FlatnessEvent{flat}})
	for name, pair := range map[string][2]any{
		"steps":   {live.stepX, late.stepX},
		"loss":    {live.stepLoss, late.stepLoss},
		"epochs":  {live.epX, late.epX},
		"val":     {live.vaX, late.vaX},
		"valAcc":  {live.vaAcc, late.vaAcc},
		"markers": {live.markers, late.markers},
		"layers":  {live.layers, late.layers},
		"state":   {live.state, late.state},
		"flat":    {len(live.flats), len(late.flats)},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Errorf("%s: live %v, from the snapshot %v", name, pair[0], pair[1])
		}
	}
	if len(late.markers) != 2 {
		t.Errorf("markers %v, want the shuffle and the divergence", late.markers)
	}
}

// TestButtonsSendCommands: the canvas' sample and flatness buttons ask
// the trainer over the canvas' channel, not the page.
func TestButtonsSendCommands(t *testing.T) {
	v := New()
	var asked []wire.Command
	v.Ask = func(c wire.Command) { asked = append(asked, c) }
	v.Post = func(m map[string]any) { t.Errorf("posted %v to the page", m) }
	for _, r := range []image.Rectangle{v.sampleBtn, v.flatBtn} {
		c := r.Min.Add(r.Size().Div(2))
		v.Pointer(c.X, c.Y, true)
		v.Pointer(c.X, c.Y, false)
	}
	if len(asked) != 2 {
		t.Fatalf("asked %v, want two commands", asked)
	}
	for i, want := range []wire.Command{wire.SampleCmd{}, wire.FlatnessCmd{}} {
		if asked[i].Cmd() != want.Cmd() || !wire.ViewCommand(asked[i]) {
			t.Errorf("asked %#v, want %s, a command of the canvas", asked[i], want.Cmd())
		}
	}
}
