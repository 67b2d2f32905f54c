package view

import (
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"mnistplay/engine"
	"mnistplay/plot"
	"mnistplay/wasm/ui/pad"
	"mnistplay/wire"
)

// Default screen size (CSS pixels) of New; Resize lays out any other.
const (
	Width  = 960
	Height = 540
)

// Panel is one independently redrawn region of the screen.
type Panel struct {
	Name string
	Rect image.Rectangle // on the screen
	Img  *image.RGBA     // (Rect.Dx(), Rect.Dy()), origin 0,0
	// Canvas is where Render draws the panel: a plot.Raster over Img
	// unless the presenter sets another back end (the GPU) after Resize.
	Canvas plot.Canvas
	Dirty  bool // its state changed since Img was drawn
	// Drawn is set by Render when it redrew Img; the caller uploads the
	// image and clears Drawn.
	Drawn bool
	// urgent: the change came from the person (pad, clicks), so Render
	// does not hold it back.
	urgent bool
}

// Panel indices.
const (
	PLoss = iota
	PAcc
	PPad
	PFilters
	PStatus
	PFlat
	numPanels
)

// maxStepPoints bounds the per-step history and maxEpochPoints the
// per-epoch and validation curves of the live run; past them every other
// point is dropped: a curve keeps its shape at a fixed cost however long
// the run trains.
const (
	maxStepPoints  = 20000
	maxEpochPoints = 4000
)

// halve keeps every other point of the parallel slices.
func halve(cols ...*[]float64) {
	for _, c := range cols {
		s := *c
		n := 0
		for i := 0; i < len(s); i += 2 {
			s[n] = s[i]
			n++
		}
		*c = s[:n]
	}
}

type flatCurve struct {
	alpha, loss, err []float64
	run              int
}

// overlay is a Run turned into plottable series (accuracies in percent).
type overlay struct {
	name            string
	color           color.RGBA
	trX, trLoss     []float64
	trAcc           []float64
	vX, vLoss, vAcc []float64 // epochs and quick evaluations, by epoch
	markers         []plot.Marker
	fA, fLoss, fErr []float64
	sharp           string // its sharpness, for the flatness legend
}

// Redraw intervals of panels changed by events (not by the person): while a
// run trains, events arrive many times a second and every drawn frame costs
// a canvas upload (and, with software compositing, a read-back of the whole
// canvas), so they are coalesced.
const (
	TrainingInterval = 333 * time.Millisecond
	IdleInterval     = 50 * time.Millisecond
)

// View is the canvas' whole state.
type View struct {
	Panels [numPanels]*Panel

	// Post sends an object to the parent page; nil drops it.
	Post func(map[string]any)
	// Ask sends a request to the trainer over the canvas' own channel:
	// the pad's classification (a wire.ClassifyCmd, whose image is only
	// valid during the call), a test sample, a flatness curve. The answers
	// come back through Apply. nil: nothing is asked (the pad is not
	// classified).
	Ask func(wire.Command)

	// curves of the live run; validation has per-epoch and quick
	// evaluation points (vaX), training per-epoch ones (epX)
	stepX, stepLoss, stepAcc []float64
	epX, trLoss, trAcc       []float64
	vaX, vaLoss, vaAcc       []float64
	markers                  []plot.Marker
	overlays                 []overlay
	lastRender               time.Time       // end of the last round of event-driven redraws
	round                    [numPanels]bool // panels the current round still has to draw
	inRound                  bool
	lossChart, accChart      plot.Chart
	flatChart                plot.Chart
	LogLoss                  bool

	flats []flatCurve
	// robust holds the accuracy (%) of the live run's robustness job by move
	// (the report's question 1.5); showRobust puts it in the flatness
	// panel's place (a click on the panel's title switches).
	robust     map[engine.Move]float64
	showRobust bool
	robChart   [2]plot.Chart
	run        int
	// land and sharp are the live run's landscape job (landscape.go);
	// showLand puts it in the flatness panel's place.
	land      *landState
	sharp     *sharpState
	showLand  bool
	landChart plot.Contour

	// status
	state           string
	step            int
	epoch, exPerSec float64
	loaded, total   float64
	layers          []wire.LayerRow
	params          int
	errMsg          string

	// model and pad
	Pad      *pad.Pad
	padRect  image.Rectangle // screen coordinates
	padVer   int             // pad version last classified
	model    *engine.Model   // the newest weights, for the filters panel
	specKey  string
	input    [pad.Pixel]float32 // (28, 28) ink 0..1
	reqID    int                // the newest classification request
	postFor  int                // the newest request whose answer goes to the page
	posted   int                // the newest answer posted to the page
	probs    [10]float32
	digit    int
	hasProbs bool
	selected int // selected filter, -1 none
	act      []float32
	actW     int
	grid     plot.FilterGrid

	pressed      bool
	drawing      bool
	ticks        int
	lastClassify int
	clearBtn     image.Rectangle
	sampleBtn    image.Rectangle
	flatBtn      image.Rectangle

	// layout (layout.go): screen size in CSS pixels, device pixels per CSS
	// pixel, and the pad panel's parts in its image's coordinates
	cssW, cssH                int
	scale                     float64
	inRect, actRect, barsRect image.Rectangle
	predAt                    image.Point
}

// New returns a view laid out for Width x Height at scale 1 (Resize lays
// it out for another screen).
func New() *View {
	v := &View{LogLoss: true, selected: -1, digit: -1}
	v.Resize(Width, Height, 1)
	return v
}

func (v *View) dirty(ps ...int) {
	for _, p := range ps {
		v.Panels[p].Dirty = true
	}
}

// touch marks panels changed by the person: Render draws them at once.
func (v *View) touch(ps ...int) {
	for _, p := range ps {
		v.Panels[p].Dirty, v.Panels[p].urgent = true, true
	}
}

func (v *View) ask(c wire.Command) {
	if v.Ask != nil {
		v.Ask(c)
	}
}

func (v *View) post(m map[string]any) {
	if v.Post != nil {
		v.Post(m)
	}
}

// Apply applies one event.
func (v *View) Apply(m wire.Event) {
	switch m := m.(type) {
	case wire.ProgressEvent:
		v.loaded, v.total = float64(m.Loaded), float64(m.Total)
		v.dirty(PStatus)
	case wire.ReadyEvent, wire.DataCompleteEvent:
		v.loaded = v.total
		v.dirty(PStatus)
	case wire.ArchEvent:
		v.newRun()
		v.layers, v.params = m.Layers, m.Params
		v.errMsg = ""
		v.dirty(PLoss, PAcc, PStatus)
	case wire.StateEvent:
		if m.State == wire.StateDiverged && v.state != wire.StateDiverged {
			v.markers = append(v.markers, plot.Marker{X: m.Epoch, Label: "diverged", Color: plot.Palette[3]})
			v.dirty(PLoss, PAcc)
		}
		v.state, v.step, v.epoch = m.State, m.Step, m.Epoch
		v.dirty(PStatus)
	case wire.StepsEvent:
		for _, p := range m.Steps {
			v.addStep(p)
		}
		v.dirty(PLoss, PAcc, PStatus)
	case wire.EpochEvent:
		e := float64(m.Epoch)
		if len(v.epX) >= maxEpochPoints {
			halve(&v.epX, &v.trLoss, &v.trAcc)
		}
		v.epX = append(v.epX, e)
		v.trLoss = append(v.trLoss, m.TrainLoss)
		v.trAcc = append(v.trAcc, 100*m.TrainAcc)
		if !math.IsNaN(m.ValLoss) { // NaN: an epoch not evaluated
			v.addVal(e, m.ValLoss, m.ValAcc)
		}
		v.dirty(PLoss, PAcc)
	case wire.EvalEvent:
		v.addVal(m.Epoch, m.ValLoss, m.ValAcc)
		v.dirty(PLoss, PAcc)
	case wire.ShuffleEvent:
		label, col := shuffleLabel(m.On, float64(m.Fraction))
		v.markers = append(v.markers, plot.Marker{X: m.Epoch, Label: label, Color: col})
		v.dirty(PLoss, PAcc)
	case wire.SnapshotEvent:
		v.applySnapshot(m)
	case wire.RunsEvent:
		v.setOverlays(m.Runs)
	case wire.ExportEvent:
		v.export(m.Panel)
	case wire.WeightsEvent:
		spec, err := json.Marshal(m.Spec)
		if err != nil {
			panic("view: a spec that does not marshal: " + err.Error())
		}
		v.setWeights(string(spec), m.Data)
	case wire.FlatnessEvent:
		v.addFlat(m)
		v.showRobust, v.showLand = false, false
	case wire.LandscapeGridEvent, wire.LandscapePointEvent, wire.SharpnessEvent, wire.LandscapeDoneEvent:
		v.applyLand(m)
	case wire.RobustnessEvent:
		if m.Index == 0 || v.robust == nil {
			v.robust = map[engine.Move]float64{}
		}
		v.robust[m.Move()] = 100 * m.Acc
		v.showRobust, v.showLand = true, false
		v.dirty(PFlat)
	case wire.Prediction:
		v.answer(&m)
	case wire.PredictionError:
		v.errMsg = "classifying the pad: " + m.Message
		v.dirty(PStatus)
	case wire.SampleEvent:
		if len(m.Image) >= pad.Pixel {
			var img [pad.Pixel]float32
			for i := range img {
				img[i] = float32(m.Image[i]) / 255
			}
			v.Pad.SetImage(img[:])
			v.classify(true)
			v.dirty(PPad)
		}
	case wire.PadEvent:
		if m.Cmd == "clear" {
			v.clearPad()
		}
	case wire.ErrorEvent:
		v.errMsg = m.Message
		v.dirty(PStatus)
	}
}

// applySnapshot draws the run the trainer holds, as its events would have
// (a canvas that connects late, or reloads, asks for one).
func (v *View) applySnapshot(m wire.SnapshotEvent) {
	if !m.HasRun {
		return
	}
	v.Apply(m.Arch)
	v.Apply(wire.StepsEvent{Steps: m.Steps})
	ev, sh := m.Evals, m.Shuffles
	for _, e := range m.Epochs { // in the order they came, markers between
		for len(sh) > 0 && sh[0].Step <= e.Step {
			v.Apply(sh[0])
			sh = sh[1:]
		}
		for len(ev) > 0 && ev[0].Step <= e.Step {
			v.Apply(ev[0])
			ev = ev[1:]
		}
		v.Apply(e)
	}
	for _, e := range ev {
		v.Apply(e)
	}
	for _, e := range sh {
		v.Apply(e)
	}
	for _, f := range m.Flatness {
		v.Apply(f)
	}
	v.Apply(m.State)
}

// shuffleLabel is the marker text and colour for a shuffle change.
func shuffleLabel(on bool, fraction float64) (string, color.RGBA) {
	if on && fraction > 0 {
		return fmt.Sprintf("shuffle %.0f%%", 100*fraction), plot.Palette[3]
	}
	return "true labels", plot.Palette[2]
}

// addVal adds a validation point at fractional epoch e, keeping the series
// ordered by epoch (a quick evaluation and the epoch's own evaluation may
// share an epoch; both are kept).
func (v *View) addVal(e, loss, acc float64) {
	if len(v.vaX) >= maxEpochPoints {
		halve(&v.vaX, &v.vaLoss, &v.vaAcc)
	}
	i := len(v.vaX)
	for i > 0 && v.vaX[i-1] > e {
		i--
	}
	v.vaX = insertAt(v.vaX, i, e)
	v.vaLoss = insertAt(v.vaLoss, i, loss)
	v.vaAcc = insertAt(v.vaAcc, i, 100*acc)
}

func insertAt(s []float64, i int, x float64) []float64 {
	s = append(s, 0)
	copy(s[i+1:], s[i:])
	s[i] = x
	return s
}

// ParseColor parses "#rrggbb" (or "#rgb"); ok is false for anything else.
func ParseColor(s string) (c color.RGBA, ok bool) {
	if len(s) == 4 && s[0] == '#' {
		s = string([]byte{'#', s[1], s[1], s[2], s[2], s[3], s[3]})
	}
	if len(s) != 7 || s[0] != '#' {
		return c, false
	}
	n, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return c, false
	}
	return color.RGBA{uint8(n >> 16), uint8(n >> 8), uint8(n), 255}, true
}

// setOverlays replaces the overlaid runs.
func (v *View) setOverlays(runs []wire.Run) {
	v.overlays = v.overlays[:0]
	for i, r := range runs {
		col, ok := ParseColor(r.Color)
		if !ok {
			col = plot.Palette[(i+4)%len(plot.Palette)]
		}
		o := overlay{name: r.Name, color: col}
		if o.name == "" {
			o.name = r.ID
		}
		type vp struct{ x, loss, acc float64 }
		var val []vp
		for _, e := range r.Epochs {
			x := float64(e.Epoch)
			o.trX = append(o.trX, x)
			o.trLoss = append(o.trLoss, e.TrainLoss)
			o.trAcc = append(o.trAcc, 100*e.TrainAcc)
			val = append(val, vp{x, e.ValLoss, 100 * e.ValAcc})
		}
		for _, e := range r.Evals {
			val = append(val, vp{e.Epoch, e.ValLoss, 100 * e.ValAcc})
		}
		sort.SliceStable(val, func(a, b int) bool { return val[a].x < val[b].x })
		for _, p := range val {
			o.vX, o.vLoss, o.vAcc = append(o.vX, p.x), append(o.vLoss, p.loss), append(o.vAcc, p.acc)
		}
		for _, sh := range r.Shuffles {
			label, _ := shuffleLabel(sh.On, float64(sh.Fraction))
			o.markers = append(o.markers, plot.Marker{X: sh.Epoch, Label: label, Color: col})
		}
		for _, m := range r.Markers {
			label := m.Label
			if label == "shuffle off" || label == "shuffle 0%" {
				label = "true labels"
			}
			o.markers = append(o.markers, plot.Marker{X: m.Epoch, Label: label, Color: col})
		}
		for _, f := range r.Flatness {
			o.fA, o.fLoss, o.fErr = append(o.fA, f.Alpha), append(o.fLoss, f.Loss), append(o.fErr, 100*f.Error)
		}
		if len(r.Sharpness.Values) > 0 {
			o.sharp = sharpLabel(r.Sharpness.Values, r.Sharpness.Trace)
		}
		v.overlays = append(v.overlays, o)
	}
	v.dirty(PLoss, PAcc, PFlat)
}

func (v *View) newRun() {
	v.run++
	v.stepX, v.stepLoss, v.stepAcc = v.stepX[:0], v.stepLoss[:0], v.stepAcc[:0]
	v.epX, v.trLoss, v.trAcc = v.epX[:0], v.trLoss[:0], v.trAcc[:0]
	v.vaX, v.vaLoss, v.vaAcc = v.vaX[:0], v.vaLoss[:0], v.vaAcc[:0]
	// Flatness curves belong to the run they were computed for; earlier
	// runs' come back as overlays when the person ticks them.
	v.flats = v.flats[:0]
	v.robust, v.showRobust = nil, false
	v.land, v.sharp, v.showLand = nil, nil, false
	v.dirty(PFlat)
	v.markers = v.markers[:0]
	v.state, v.step, v.epoch, v.exPerSec = "idle", 0, 0, 0
}

func (v *View) addStep(p wire.StepPoint) {
	if len(v.stepX) >= maxStepPoints {
		halve(&v.stepX, &v.stepLoss, &v.stepAcc)
	}
	v.stepX = append(v.stepX, p.Epoch)
	v.stepLoss = append(v.stepLoss, p.Loss)
	v.stepAcc = append(v.stepAcc, 100*p.Acc)
	v.step, v.epoch = p.Step, p.Epoch
	if p.ExamplesPerSec > 0 {
		v.exPerSec = p.ExamplesPerSec
	}
}

func (v *View) addFlat(m wire.FlatnessEvent) {
	if m.Index == 0 || len(v.flats) == 0 {
		if len(v.flats) == 4 {
			copy(v.flats, v.flats[1:])
			v.flats = v.flats[:3]
		}
		v.flats = append(v.flats, flatCurve{run: v.run})
	}
	f := &v.flats[len(v.flats)-1]
	f.alpha = append(f.alpha, m.Alpha)
	f.loss = append(f.loss, m.Loss)
	f.err = append(f.err, 100*m.Error)
	v.dirty(PFlat)
}

// setWeights (re)builds the model when the spec changes and loads data.
func (v *View) setWeights(specJSON string, data []float32) {
	if specJSON != v.specKey || v.model == nil {
		var spec engine.Spec
		if err := json.Unmarshal([]byte(specJSON), &spec); err != nil {
			v.errMsg = "ui: bad spec in weights: " + err.Error()
			v.dirty(PStatus)
			return
		}
		m, err := engine.Build(spec, 0)
		if err != nil {
			v.errMsg = "ui: " + err.Error()
			v.dirty(PStatus)
			return
		}
		v.model, v.specKey = m, specJSON
		v.selected = -1
		v.act = v.act[:0]
		v.dirty(PPad) // "no model yet" goes away
	}
	if err := v.model.SetWeights(data); err != nil {
		v.errMsg = "ui: " + err.Error()
		v.model, v.specKey = nil, ""
		v.dirty(PStatus)
		return
	}
	v.updateGrid()
	v.dirty(PFilters)
	if !v.Pad.Empty() {
		v.classify(true)
	}
}

// updateGrid points the filter grid at the model's first layer weights:
// conv1 (OutC, 1, K, K) filters, or an MLP's first layer (Out, 784) as 28x28
// images (at most 100).
func (v *View) updateGrid() {
	ps := v.model.Params()
	if len(ps) == 0 {
		return
	}
	w := ps[0]
	g := &v.grid
	g.Data, g.Selected = w.W, v.selected
	switch {
	case len(w.Shape) == 4:
		g.N, g.H, g.W = w.Shape[0], w.Shape[2], w.Shape[3]
		g.Title = fmt.Sprintf("%s %dx%dx%d", strings.TrimSuffix(w.Name, ".weight"), g.N, g.H, g.W)
	case len(w.Shape) == 2 && w.Shape[1] == pad.Pixel:
		g.N, g.H, g.W = min(w.Shape[0], 100), pad.Side, pad.Side
		g.Title = fmt.Sprintf("%s: %d units as 28x28", strings.TrimSuffix(w.Name, ".weight"), w.Shape[0])
	default:
		g.N = 0
	}
	g.PerFilter = true
}

// classify asks the trainer (Classify) for its model's answer for the pad;
// when post is set, the answer also goes to the page. The answer arrives
// as a prediction message; only the newest request's is shown.
func (v *View) classify(post bool) {
	v.padVer = v.Pad.Version()
	if !v.Pad.ToMNIST(v.input[:]) {
		v.hasProbs, v.digit = false, -1
		v.dirty(PPad)
		return
	}
	v.dirty(PPad)
	if v.model == nil || v.Ask == nil {
		return
	}
	v.reqID++
	if post {
		v.postFor = v.reqID
	}
	v.Ask(wire.ClassifyCmd{ID: v.reqID, Image: v.input[:], Filter: v.selected})
}

// answer takes the trainer's prediction for request p.ID.
func (v *View) answer(p *wire.Prediction) {
	if p.ID != v.reqID || len(p.Probs) != len(v.probs) || v.Pad.Empty() {
		return // an older request's, or the pad was cleared since
	}
	copy(v.probs[:], p.Probs)
	v.digit, v.hasProbs = p.Digit, true
	v.act, v.actW = append(v.act[:0], p.Act...), p.ActW
	if len(v.act) != v.actW*v.actW {
		v.act, v.actW = v.act[:0], 0
	}
	v.dirty(PPad)
	if v.postFor > v.posted && p.ID >= v.postFor {
		v.posted = p.ID
		probs := make([]any, len(v.probs))
		for i, q := range v.probs {
			probs[i] = float64(q)
		}
		v.post(map[string]any{"type": "ui", "event": "prediction", "probs": probs, "digit": v.digit})
	}
}

func (v *View) clearPad() {
	v.Pad.Clear()
	v.hasProbs, v.digit = false, -1
	clear(v.input[:])
	v.padVer = v.Pad.Version()
	v.act = v.act[:0]
	v.dirty(PPad)
}

// Pointer feeds the pointer state (screen coordinates, pressed or not) once
// per tick: strokes on the pad, clicks on buttons, filters and charts.
func (v *View) Pointer(x, y int, pressed bool) {
	p := image.Pt(x, y)
	px, py := float64(x-v.padRect.Min.X)+0.5, float64(y-v.padRect.Min.Y)+0.5
	switch {
	case pressed && !v.pressed: // press
		switch {
		case p.In(v.padRect):
			v.drawing = true
			v.Pad.Down(px, py)
			v.touch(PPad)
		case p.In(v.clearBtn):
			v.clearPad()
			v.touch(PPad)
			v.post(map[string]any{"type": "ui", "event": "clear"})
		case p.In(v.sampleBtn):
			v.ask(wire.SampleCmd{})
		case p.In(v.flatBtn):
			v.ask(wire.FlatnessCmd{}) // the worker's alpha grid
		case p.In(v.Panels[PFlat].Rect) && y < v.Panels[PFlat].Rect.Min.Y+v.px(20):
			v.nextMode()
			v.touch(PFlat)
		case p.In(v.Panels[PLoss].Rect):
			if y < v.Panels[PLoss].Rect.Min.Y+v.px(20) {
				v.LogLoss = !v.LogLoss
				v.touch(PLoss)
			}
		case p.In(v.Panels[PFilters].Rect):
			r := v.Panels[PFilters].Rect
			k := v.grid.HitTest(image.Rect(0, 0, r.Dx(), r.Dy()), p.Sub(r.Min))
			if k == v.selected {
				k = -1
			}
			v.selected, v.grid.Selected = k, k
			v.touch(PFilters)
			if !v.Pad.Empty() {
				v.classify(false)
				v.touch(PPad)
			}
		}
	case pressed && v.drawing:
		v.Pad.Move(px, py)
		v.touch(PPad)
	case !pressed && v.drawing:
		v.drawing = false
		v.Pad.Up()
		v.classify(true)
		v.touch(PPad)
	}
	v.pressed = pressed
}

// Tick runs once per frame after input: it classifies the pad while a
// stroke changes it, so the bars follow the pen.
func (v *View) Tick() {
	v.ticks++
	// While a stroke is drawn, classify every few ticks: the bars follow the
	// pen without spending every frame on it. A stroke's end always does.
	if v.Pad.Version() != v.padVer && v.ticks-v.lastClassify >= 6 {
		v.classify(false)
		v.lastClassify = v.ticks
		v.touch(PPad)
	} else if v.Pad.Version() != v.padVer {
		v.touch(PPad)
	}
}

// redrawInterval is the least time between two rounds of panels changed by
// events: longer while a run trains or a landscape computes, when the
// worker needs the CPU more than the charts need every point at once.
func (v *View) redrawInterval() time.Duration {
	if v.state == "running" || v.landBusy() {
		return TrainingInterval
	}
	return IdleInterval
}

// Render redraws the images of dirty panels and sets their Drawn; the
// caller uploads those and clears Drawn. Panels the person changed are
// drawn at once. Panels changed by events are drawn in rounds, at most one
// round per TrainingInterval while a run trains (IdleInterval otherwise), so
// a burst of events costs one redraw; a round draws one such panel per call
// (per frame), so no frame pays for every chart at once. It returns how
// many panels it drew.
func (v *View) Render(now time.Time) int {
	interval := v.redrawInterval()
	if !v.inRound && (now.Sub(v.lastRender) >= interval || now.Before(v.lastRender)) {
		for i, p := range v.Panels {
			v.round[i] = p.Dirty && !p.urgent
			v.inRound = v.inRound || v.round[i]
		}
	}
	n, slowDone := 0, false
	for i, p := range v.Panels {
		if !p.Dirty {
			v.round[i] = false
			continue
		}
		if !p.urgent && (!v.round[i] || slowDone) {
			continue
		}
		if !p.urgent {
			slowDone = true
			v.round[i] = false
		}
		n++
		v.renderPanel(i, p)
		p.Dirty, p.urgent, p.Drawn = false, false, true
	}
	if v.inRound && v.round == [numPanels]bool{} {
		v.inRound = false
		v.lastRender = now
	}
	return n
}

func (v *View) renderPanel(i int, p *Panel) {
	switch i {
	case PLoss:
		v.drawLoss(p.Canvas, p.Canvas.Bounds(), 1)
	case PAcc:
		v.drawAcc(p.Canvas, p.Canvas.Bounds(), 1)
	case PPad:
		v.renderPad(p)
	case PFilters:
		v.renderFilters(p)
	case PStatus:
		v.renderStatus(p)
	case PFlat:
		v.renderFlat(p)
	}
}

// Pending reports whether some panel waits to be drawn.
func (v *View) Pending() bool {
	for _, p := range v.Panels {
		if p.Dirty {
			return true
		}
	}
	return false
}

func fade(c color.RGBA) color.RGBA {
	return color.RGBA{uint8(155 + int(c.R)*100/255), uint8(155 + int(c.G)*100/255), uint8(155 + int(c.B)*100/255), 255}
}

// overlaySeries appends each overlaid run's per-epoch train curve (line,
// named by the run) and validation curve (dots) of y (loss or accuracy).
func (v *View) overlaySeries(dst []plot.Series, acc bool, scale float64) []plot.Series {
	for _, o := range v.overlays {
		tr, va := o.trLoss, o.vLoss
		if acc {
			tr, va = o.trAcc, o.vAcc
		}
		dst = append(dst,
			plot.Series{Name: o.name, Color: o.color, X: o.trX, Y: tr, Width: 1.5 * scale},
			plot.Series{Color: o.color, X: o.vX, Y: va, Width: 1.5 * scale, Dots: true, NoLine: true})
	}
	return dst
}

// allMarkers is the live run's markers and the overlaid runs'.
func (v *View) allMarkers(dst []plot.Marker) []plot.Marker {
	dst = append(dst[:0], v.markers...)
	for _, o := range v.overlays {
		dst = append(dst, o.markers...)
	}
	return dst
}

// drawLoss draws the loss chart into r of dst; scale multiplies line widths
// (on top of plot's own scale).
func (v *View) drawLoss(dst plot.Canvas, r image.Rectangle, scale float64) {
	c := &v.lossChart
	title := "loss (log)"
	if !v.LogLoss {
		title = "loss (linear)"
	}
	if len(v.overlays) > 0 {
		title += "  runs: line train, dots val"
	}
	c.Title = title
	c.X = plot.Axis{Label: "epoch"}
	c.Y = plot.Axis{Log: v.LogLoss}
	c.Series = append(c.Series[:0],
		plot.Series{Name: "train (step)", Color: fade(plot.Palette[0]), X: v.stepX, Y: v.stepLoss, Width: scale},
		plot.Series{Name: "train", Color: plot.Palette[0], X: v.epX, Y: v.trLoss, Width: 2 * scale, Dots: true},
		plot.Series{Name: "validation", Color: plot.Palette[1], X: v.vaX, Y: v.vaLoss, Width: 2 * scale, Dots: true},
	)
	c.Series = v.overlaySeries(c.Series, false, scale)
	c.Markers = v.allMarkers(c.Markers)
	c.Draw(dst, r)
}

func (v *View) drawAcc(dst plot.Canvas, r image.Rectangle, scale float64) {
	c := &v.accChart
	c.Title = "accuracy"
	if len(v.overlays) > 0 {
		c.Title += "  runs: line train, dots val"
	}
	c.X = plot.Axis{Label: "epoch"}
	c.Y = plot.Axis{Min: 0, Max: 100, Unit: "%"}
	c.LegendBottom = true
	c.Series = append(c.Series[:0],
		plot.Series{Name: "train (batch)", Color: fade(plot.Palette[0]), X: v.stepX, Y: v.stepAcc, Width: scale},
		plot.Series{Name: "train", Color: plot.Palette[0], X: v.epX, Y: v.trAcc, Width: 2 * scale, Dots: true},
		plot.Series{Name: "validation", Color: plot.Palette[1], X: v.vaX, Y: v.vaAcc, Width: 2 * scale, Dots: true},
	)
	c.Series = v.overlaySeries(c.Series, true, scale)
	c.Markers = v.allMarkers(c.Markers)
	c.Draw(dst, r)
}

// local converts a screen rectangle to panel p's image coordinates.
func local(p *Panel, r image.Rectangle) image.Rectangle { return r.Sub(p.Rect.Min) }

func button(dst plot.Canvas, r image.Rectangle, label string) {
	plot.Fill(dst, r, color.RGBA{235, 238, 245, 255})
	plot.Fill(dst, image.Rect(r.Min.X, r.Max.Y-1, r.Max.X, r.Max.Y), plot.Faint)
	plot.TextAt(dst, (r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2, label, plot.Ink, plot.MiddleCenter)
}

func (v *View) renderPad(p *Panel) {
	dst := p.Canvas
	plot.Fill(dst, dst.Bounds(), plot.Background)
	pr := local(p, v.padRect)
	label := pr.Min.Y - v.px(18)
	plot.Text(dst, pr.Min.X, label, "draw a digit", plot.Ink)
	plot.Gray(dst, pr, v.Pad.Ink(), v.Pad.W, v.Pad.H, 0, 1)
	button(dst, local(p, v.clearBtn), "clear")
	button(dst, local(p, v.sampleBtn), "sample")

	in := v.inRect
	plot.Text(dst, in.Min.X, in.Min.Y-v.px(18), "model input", plot.Ink)
	plot.Gray(dst, in, v.input[:], pad.Side, pad.Side, 0, 1)
	if len(v.act) > 0 && v.actW > 0 {
		h := len(v.act) / v.actW
		ar := v.actRect
		plot.Text(dst, ar.Min.X, ar.Min.Y-v.px(18), fmt.Sprintf("filter %d map", v.selected), plot.Ink)
		lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
		for _, a := range v.act {
			lo, hi = min(lo, a), max(hi, a)
		}
		plot.Gray(dst, ar, v.act, v.actW, h, lo, hi)
	}
	x0, y0 := v.predAt.X, v.predAt.Y
	switch {
	case v.hasProbs:
		plot.Text(dst, x0, y0, fmt.Sprintf("prediction: %d (%.0f%%)", v.digit, 100*v.probs[v.digit]), plot.Ink)
	case v.model == nil:
		plot.Text(dst, x0, y0, "no model yet: train", plot.Faint)
	default:
		plot.Text(dst, x0, y0, "draw to classify", plot.Faint)
	}
	bars := v.barsRect
	if v.hasProbs {
		plot.Bars(dst, bars, v.probs[:], nil)
	} else {
		var zero [10]float32
		plot.Bars(dst, bars, zero[:], nil)
	}
}

func (v *View) renderFilters(p *Panel) {
	if v.model == nil || v.grid.N == 0 {
		plot.Fill(p.Canvas, p.Canvas.Bounds(), plot.Background)
		plot.TextAt(p.Canvas, p.Rect.Dx()/2, v.px(2), "first-layer filters", plot.Ink, plot.TopCenter)
		plot.TextAt(p.Canvas, p.Rect.Dx()/2, p.Rect.Dy()/2, "(waiting for weights)", plot.Faint, plot.MiddleCenter)
		return
	}
	v.grid.Draw(p.Canvas, p.Canvas.Bounds())
}

func (v *View) renderStatus(p *Panel) {
	dst := p.Canvas
	bounds := dst.Bounds()
	plot.Fill(dst, bounds, plot.Background)
	plot.Fill(dst, image.Rect(0, 0, bounds.Dx(), 1), plot.GridColor)
	y, lh := v.px(3), plot.LineHeight()
	line := func(s string, c color.RGBA) {
		if y+lh <= bounds.Dy() {
			plot.Text(dst, v.px(4), y, s, c)
		}
		y += lh
	}
	wrapW := bounds.Dx() - v.px(8)
	if v.total > 0 && v.loaded < v.total {
		line(fmt.Sprintf("data %.0f%%", 100*v.loaded/v.total), plot.Ink)
	}
	st := v.state
	if st == "" {
		st = "waiting"
	}
	line(fmt.Sprintf("%s  step %d  epoch %.2f", st, v.step, v.epoch), plot.Ink)
	if v.exPerSec > 0 {
		line(fmt.Sprintf("%.0f examples/s", v.exPerSec), plot.Ink)
	}
	if v.errMsg != "" {
		msg := v.errMsg
		for len(msg) > 0 {
			n := fitText(msg, wrapW, false)
			line(msg[:n], plot.Palette[3])
			msg = msg[n:]
		}
	}
	if len(v.layers) > 0 {
		var b strings.Builder
		for i, l := range v.layers {
			if i > 0 {
				b.WriteString(" ")
			}
			if l.Shape[1] == 1 && l.Shape[2] == 1 {
				fmt.Fprintf(&b, "%s:%d", l.Name, l.Shape[0])
			} else {
				fmt.Fprintf(&b, "%s:%dx%dx%d", l.Name, l.Shape[0], l.Shape[1], l.Shape[2])
			}
		}
		s := b.String()
		for len(s) > 0 && y+lh <= bounds.Dy() {
			n := fitText(s, wrapW, true)
			line(strings.TrimSpace(s[:n]), plot.Faint)
			s = s[n:]
		}
		line(fmt.Sprintf("%d parameters", v.params), plot.Faint)
	}
}

func (v *View) renderFlat(p *Panel) {
	dst := p.Canvas
	r := dst.Bounds()
	r.Max.Y -= v.px(22)
	switch {
	case v.showLand && v.land != nil:
		v.drawLand(dst, r, 1)
	case v.showRobust:
		v.drawRobust(dst, r, 1)
	default:
		v.drawFlat(dst, r, 1)
	}
	plot.Fill(dst, image.Rect(0, r.Max.Y, r.Dx(), p.Rect.Dy()), plot.Background)
	button(dst, local(p, v.flatBtn), "flatness")
	if len(v.flats) == 0 && !v.overlayFlat() && !v.showRobust && !v.showLand {
		plot.TextAt(dst, r.Dx()/2, r.Dy()/2, "press flatness", plot.Faint, plot.MiddleCenter)
	}
}

// drawRobust draws the robustness job's accuracy against rotation (top)
// and against shifts right and down (bottom).
func (v *View) drawRobust(dst plot.Canvas, r image.Rectangle, scale float64) {
	var rot, rotAcc, sx, sxAcc, sy, syAcc []float64
	for _, mv := range engine.RobustnessMoves() {
		acc, ok := v.robust[mv]
		if !ok || (mv == engine.Move{} && slices.Contains(rot, 0)) { // the unmoved images come in every block
			continue
		}
		switch {
		case mv.DX == 0 && mv.DY == 0:
			rot, rotAcc = append(rot, mv.Angle), append(rotAcc, acc)
		case mv.DY == 0:
			sx, sxAcc = append(sx, mv.DX), append(sxAcc, acc)
		default:
			sy, syAcc = append(sy, mv.DY), append(syAcc, acc)
		}
	}
	if a, ok := v.robust[engine.Move{}]; ok { // the unmoved images start both shift curves
		sx, sxAcc = insertSorted(sx, sxAcc, 0, a)
		sy, syAcc = insertSorted(sy, syAcc, 0, a)
	}
	w := 1.5 * scale
	top, bottom := r, r
	top.Max.Y = (r.Min.Y + r.Max.Y) / 2
	bottom.Min.Y = top.Max.Y
	c := &v.robChart[0]
	c.Title, c.NoLegend = "robustness: rotation", true
	c.X = plot.Axis{Label: "degrees", Min: -45, Max: 45}
	c.Y = plot.Axis{Label: "acc", Min: 0, Max: 100, Unit: "%"}
	c.Series = append(c.Series[:0], plot.Series{Color: plot.Palette[0], X: rot, Y: rotAcc, Dots: true, Width: w})
	c.Draw(dst, top)
	c = &v.robChart[1]
	c.Title = "shift"
	c.X = plot.Axis{Label: "pixels", Min: -4, Max: 4}
	c.Y = plot.Axis{Label: "acc", Min: 0, Max: 100, Unit: "%"}
	c.Series = append(c.Series[:0],
		plot.Series{Name: "right", Color: plot.Palette[1], X: sx, Y: sxAcc, Dots: true, Width: w},
		plot.Series{Name: "down", Color: plot.Palette[2], X: sy, Y: syAcc, Dots: true, Width: w})
	c.Draw(dst, bottom)
}

// insertSorted inserts (x, y) into xs (ascending) and the matching ys.
func insertSorted(xs, ys []float64, x, y float64) ([]float64, []float64) {
	i := sort.SearchFloat64s(xs, x)
	return insertAt(xs, i, x), insertAt(ys, i, y)
}

// overlayFlat reports whether an overlaid run has flatness points.
func (v *View) overlayFlat() bool {
	for _, o := range v.overlays {
		if len(o.fA) > 0 || o.sharp != "" {
			return true
		}
	}
	return false
}

// drawFlat draws the flatness chart: the live run's last curves (older ones
// faded) and the overlaid runs' in their colours; loss as a line on the
// left axis, error as dots on the right one.
func (v *View) drawFlat(dst plot.Canvas, r image.Rectangle, scale float64) {
	c := &v.flatChart
	c.Title = "flatness"
	if v.sharp != nil && len(v.sharp.values) > 0 {
		c.Title = "flatness  " + sharpLabel(v.sharp.values, v.sharp.trace)
	}
	c.X = plot.Axis{Label: "α", Min: -0.5, Max: 1.5}
	c.Y = plot.Axis{Label: "loss", Log: true}
	c.Y2 = &plot.Axis{Label: "error", Min: 0, Max: 100, Unit: "%"}
	c.Series = c.Series[:0]
	for i, f := range v.flats {
		lc, ec := plot.Palette[0], plot.Palette[3]
		// The newest curve of the live run is in full colour; earlier ones
		// (and any of an earlier run) are faded.
		last := i == len(v.flats)-1 && f.run == v.run
		if !last {
			lc, ec = fade(lc), fade(ec)
		}
		c.Series = append(c.Series,
			plot.Series{Color: lc, X: f.alpha, Y: f.loss, Dots: true, Width: 1.5 * scale},
			plot.Series{Color: ec, X: f.alpha, Y: f.err, Dots: true, Right: true, Width: 1.5 * scale})
		if last {
			c.Series[len(c.Series)-2].Name = "loss"
			c.Series[len(c.Series)-1].Name = "error"
		}
	}
	for _, o := range v.overlays {
		if len(o.fA) == 0 && o.sharp == "" {
			continue
		}
		name := o.name
		if o.sharp != "" {
			name += " " + o.sharp
		}
		c.Series = append(c.Series,
			plot.Series{Name: name, Color: o.color, X: o.fA, Y: o.fLoss, Width: 2 * scale},
			plot.Series{Color: o.color, X: o.fA, Y: o.fErr, Dots: true, NoLine: true, Right: true, Width: 1.5 * scale})
	}
	c.Draw(dst, r)
}

// ExportImage draws panel ("loss", "accuracy", "flatness" or "filters") at
// twice its size on the screen, for a PNG file (the browser encodes it:
// the canvas program links no PNG encoder). It returns nil when the panel
// has nothing to show yet, and an error for an unknown panel.
func (v *View) ExportImage(panel string) (*image.RGBA, error) {
	var i int
	switch panel {
	case "loss":
		i = PLoss
	case "accuracy":
		i = PAcc
	case "flatness":
		i = PFlat
	case "filters":
		i = PFilters
	default:
		return nil, fmt.Errorf("view: no panel %q to export", panel)
	}
	r := v.Panels[i].Rect
	sz := image.Pt(int(math.Round(float64(r.Dx())/v.scale)), int(math.Round(float64(r.Dy())/v.scale))).Mul(2)
	img := image.NewRGBA(image.Rectangle{Max: sz})
	dst := plot.NewRaster(img)
	// Drawn at scale 2 (the charts' line widths and text follow it), then
	// the screen's scale again.
	plot.SetScale(2)
	defer plot.SetScale(v.scale)
	switch i {
	case PLoss, PAcc:
		if len(v.stepX) == 0 && len(v.epX) == 0 && len(v.vaX) == 0 && len(v.overlays) == 0 {
			return nil, nil
		}
		if i == PLoss {
			v.drawLoss(dst, img.Rect, 1)
		} else {
			v.drawAcc(dst, img.Rect, 1)
		}
		v.dirty(i) // the chart's scratch now holds the export's layout
	case PFlat:
		switch {
		case v.showLand && v.land != nil:
			v.drawLand(dst, img.Rect, 1)
		case v.showRobust:
			v.drawRobust(dst, img.Rect, 1)
		case len(v.flats) == 0 && !v.overlayFlat():
			return nil, nil
		default:
			v.drawFlat(dst, img.Rect, 1)
		}
		v.dirty(i)
	case PFilters:
		if v.model == nil || v.grid.N == 0 {
			return nil, nil
		}
		v.grid.Draw(dst, img.Rect)
	}
	return img, nil
}

// export answers an 'export' message with a 'pixels' UI event: the panel's
// RGBA pixels (empty when there is nothing to export), which the canvas'
// page turns into the PNG the page downloads.
func (v *View) export(panel string) {
	img, err := v.ExportImage(panel)
	m := map[string]any{"type": "ui", "event": "pixels", "panel": panel, "rgba": []byte{}, "width": 0, "height": 0}
	if img != nil {
		m["rgba"], m["width"], m["height"] = img.Pix, img.Rect.Dx(), img.Rect.Dy()
	}
	if err != nil {
		m["error"] = err.Error()
	}
	v.post(m)
}
