package playground

import (
	"math"
	"strings"
	"testing"
	"time"

	"mnistplay/engine"
	"mnistplay/wire"
	"mnistplay/wire/wiretest"
)

// trained returns a session whose MLP run trained 3 epochs on synthetic
// data (snapshots at every evaluation), and its recorder. Its pixels are
// scaled to [0, 1], not the default: the landscape must use the run's
// scaling.
func trained(t *testing.T) (*Session, *recorder) {
	t.Helper()
	s, r := newTestSession(time.Millisecond)
	cfg := mlpConfig()
	cfg.Input = engine.InputUnit
	startSynth(t, s, cfg, 600, 300)
	runUntil(s, 10000, nil)
	if s.State() != wire.StateDone {
		t.Fatalf("run state %s, want done", s.State())
	}
	return s, r
}

func since[E wire.Event](r *recorder, from int, typ string) []E {
	var out []E
	for _, e := range r.events[from:] {
		if e.Type() == typ {
			out = append(out, e.(E))
		}
	}
	return out
}

// Points come over several slices, in row-major order, each slice adding
// some; the job ends with a done event counting them all; the centre of an
// odd random grid is the current weights, whose loss the engine confirms;
// then the sharpness comes, step by step, then its trace.
func TestLandscapeProgressive(t *testing.T) {
	s, r := trained(t)
	from := len(r.events)
	s.Handle(wire.LandscapeCmd{Grid: 5, Plane: "random", EvalSubset: 200})
	if !s.Busy() {
		t.Fatal("not busy after a landscape command")
	}
	var counts []int
	for i := 0; i < 1000 && s.Busy(); i++ {
		s.RunFor(40 * time.Millisecond)
		counts = append(counts, len(since[wire.LandscapePointEvent](r, from, "landscapePoint")))
	}
	if s.Busy() {
		t.Fatal("the landscape did not finish")
	}
	grew := 0
	for i := 1; i < len(counts); i++ {
		if counts[i] > counts[i-1] {
			grew++
		}
	}
	if grew < 2 || counts[0] >= 25 {
		t.Errorf("points after each slice %v: want them to arrive over several slices", counts)
	}
	g := since[wire.LandscapeGridEvent](r, from, "landscapeGrid")
	if len(g) != 1 || g[0].Plane != "random" || len(g[0].Xs) != 5 || g[0].Count != 25 || g[0].N != 200 {
		t.Fatalf("grid events %+v", g)
	}
	pts := since[wire.LandscapePointEvent](r, from, "landscapePoint")
	if len(pts) != 25 {
		t.Fatalf("%d points, want 25", len(pts))
	}
	for k, p := range pts {
		if p.Index != k || p.I != k/5 || p.J != k%5 || p.Count != 25 || !(p.Loss > 0) {
			t.Errorf("point %d: %+v", k, p)
		}
	}
	val := dataset(s.test).Head(200)
	want, _ := engine.EvaluateInput(s.tr.Model(), val, engine.InputUnit, 0)
	if c := pts[12].Loss; math.Abs(c-want) > 1e-6 {
		t.Errorf("loss at the grid's centre %v, the current weights' %v", c, want)
	}
	for _, p := range pts {
		if p.Loss < pts[12].Loss-0.05 && (p.I == 0 || p.I == 4) && (p.J == 0 || p.J == 4) {
			t.Logf("corner (%d,%d) lower than the trained weights: %v < %v", p.I, p.J, p.Loss, pts[12].Loss)
		}
	}
	sh := since[wire.SharpnessEvent](r, from, "sharpness")
	if len(sh) < 2 {
		t.Fatalf("%d sharpness events, want one per Lanczos step", len(sh))
	}
	last := sh[len(sh)-1]
	if !last.Done || last.Samples != hutchSamples || math.IsNaN(last.Trace) || last.N != 600 {
		t.Errorf("last sharpness event %+v", last)
	}
	if len(last.Values) != sharpTop || !(last.Values[0] >= last.Values[1] && last.Values[1] >= last.Values[2]) || !(last.Values[0] > 0) {
		t.Errorf("top eigenvalues %v: want %d, decreasing, the first positive", last.Values, sharpTop)
	}
	for i := 1; i < len(sh); i++ {
		if sh[i].Step <= sh[i-1].Step && !sh[i].Done {
			t.Errorf("sharpness steps %d then %d", sh[i-1].Step, sh[i].Step)
		}
	}
	d := since[wire.LandscapeDoneEvent](r, from, "landscapeDone")
	if len(d) != 1 || d[0].Cancelled || d[0].Points != 25 || d[0].NaN != 0 || !(d[0].Seconds > 0) {
		t.Errorf("done events %+v", d)
	}
	if errs := r.errors(); len(errs) != 0 {
		t.Errorf("errors %v", errs)
	}
	checkMaps(t, r.events[from:])
}

func checkMaps(t *testing.T, evs []wire.Event) {
	t.Helper()
	for _, e := range evs {
		m := wire.Encode(e)
		checkValue(t, e.Type(), m)
		if back, err := wire.Decode(m); err != nil || !wiretest.Equal(back, e) {
			t.Errorf("%T does not come back from its object: %v", e, err)
		}
	}
}

// The default plane is the trajectory's PCA plane: the path runs from
// theta0 to the current weights at (0, 0), the first axis explains at least
// as much as the second, and the grid holds the path.
func TestLandscapePCAPlane(t *testing.T) {
	s, r := trained(t)
	from := len(r.events)
	s.Handle(wire.LandscapeCmd{Grid: 3, EvalSubset: 100})
	s.RunFor(time.Millisecond)
	g := since[wire.LandscapeGridEvent](r, from, "landscapeGrid")
	if len(g) != 1 {
		t.Fatalf("%d grid events", len(g))
	}
	e := g[0]
	if e.Plane != "pca" || e.Note != "" {
		t.Fatalf("plane %q (%s), want pca", e.Plane, e.Note)
	}
	if len(e.Path) != len(s.snaps)+2 || e.Path[len(e.Path)-1] != [2]float64{} {
		t.Errorf("path of %d points ending at %v; %d snapshots", len(e.Path), e.Path[len(e.Path)-1], len(s.snaps))
	}
	if !(e.Explained[0] >= e.Explained[1] && e.Explained[0]+e.Explained[1] <= 1+1e-9 && e.Explained[0] > 0.3) {
		t.Errorf("explained variance %v", e.Explained)
	}
	for _, p := range e.Path {
		if p[0] < e.Xs[0] || p[0] > e.Xs[2] || p[1] < e.Ys[0] || p[1] > e.Ys[2] {
			t.Errorf("path point %v outside the grid %v x %v", p, e.Xs, e.Ys)
		}
	}
	checkMaps(t, r.events[from:])
}

// A run that has not trained has no trajectory: the plane falls back to
// random directions and says why.
func TestLandscapeWithoutSnapshotsFallsBack(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	s.AddPiece(synth(300, 1), synth(200, 2))
	configure(t, s, mlpConfig())
	s.Handle(wire.LandscapeCmd{Grid: 2, Plane: "pca"})
	s.RunFor(time.Millisecond)
	g := r.of("landscapeGrid")
	if len(g) != 1 {
		t.Fatalf("%d grid events; errors %v", len(g), r.errors())
	}
	if e := g[0].(wire.LandscapeGridEvent); e.Plane != "random" || !strings.Contains(e.Note, "snapshot") || len(e.Path) != 0 {
		t.Errorf("grid event %+v: want a random plane with a note about snapshots", e)
	}
}

// Cancel stops the job: a done event says so, and no point comes after it.
// A new run, and another job, cancel it too.
func TestLandscapeCancel(t *testing.T) {
	s, r := trained(t)
	for _, how := range []wire.Command{wire.CancelLandscapeCmd{}, wire.ResetCmd{}, wire.FlatnessCmd{Alphas: []float64{0, 1}}} {
		from := len(r.events)
		s.Handle(wire.LandscapeCmd{Grid: 40, Plane: "random", EvalSubset: 100})
		for len(since[wire.LandscapePointEvent](r, from, "landscapePoint")) < 2 {
			s.RunFor(time.Millisecond)
		}
		mark := len(r.events)
		s.Handle(how)
		runUntil(s, 100, nil)
		d := since[wire.LandscapeDoneEvent](r, mark, "landscapeDone")
		if len(d) != 1 || !d[0].Cancelled || d[0].Points < 2 || d[0].Points >= 1600 {
			t.Errorf("%s: done events %+v", how.Cmd(), d)
		}
		if p := since[wire.LandscapePointEvent](r, mark, "landscapePoint"); len(p) != 0 {
			t.Errorf("%s: %d points after the cancel", how.Cmd(), len(p))
		}
		if _, ok := how.(wire.ResetCmd); ok {
			startSynth(t, s, mlpConfig(), 600, 300) // a trained run again
			runUntil(s, 10000, nil)
		}
	}
	// Cancelling when nothing runs says nothing.
	from := len(r.events)
	s.Handle(wire.CancelLandscapeCmd{})
	if len(r.events) != from {
		t.Errorf("cancel without a job: %v", r.events[from:])
	}
}

// Training goes on between the landscape's slices.
func TestLandscapeInterleavesWithTraining(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	cfg := mlpConfig()
	cfg.Epochs = 100
	startSynth(t, s, cfg, 600, 300)
	runUntil(s, 200, func() bool { return len(s.snaps) >= 2 })
	s.Handle(wire.LandscapeCmd{Grid: 30, EvalSubset: 200})
	before := s.Step()
	from := len(r.events)
	for len(since[wire.LandscapePointEvent](r, from, "landscapePoint")) < 3 {
		s.RunFor(20 * time.Millisecond)
	}
	if s.Step() <= before {
		t.Errorf("no training step while 3 landscape points were computed")
	}
}

// Bad grids and missing runs are refused with a message; nothing starts.
func TestLandscapeBadInput(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	s.Handle(wire.LandscapeCmd{Grid: 25})
	s.AddPiece(synth(300, 1), synth(200, 2))
	configure(t, s, mlpConfig())
	for _, c := range []struct {
		cmd  wire.LandscapeCmd
		want string
	}{
		{wire.LandscapeCmd{Grid: 0}, "0 points"},
		{wire.LandscapeCmd{Grid: 100}, "10000 points"},
		{wire.LandscapeCmd{Grid: math.NaN()}, "NaN"},
		{wire.LandscapeCmd{Grid: 2.5}, "whole number"},
		{wire.LandscapeCmd{Grid: math.Inf(1)}, "whole number"},
		{wire.LandscapeCmd{Grid: 5, Plane: "diagonal"}, "pca or random"},
	} {
		from := len(r.events)
		s.Handle(c.cmd)
		errs := since[wire.ErrorEvent](r, from, "error")
		if len(errs) != 1 || errs[0].Kind != wire.KindConfig || !strings.Contains(errs[0].Message, c.want) {
			t.Errorf("grid %v plane %q: errors %+v, want one saying %q", c.cmd.Grid, c.cmd.Plane, errs, c.want)
		}
		if s.Busy() {
			t.Errorf("grid %v: a job started", c.cmd.Grid)
		}
	}
	if errs := r.errors(); len(errs) < 1 || !strings.Contains(errs[0].Message, "no run") {
		t.Errorf("landscape before any run: %v", errs)
	}
	for _, obj := range []map[string]any{{"cmd": "landscape", "grid": 0.0}, {"cmd": "landscape"}} {
		s.HandleObject(obj)
		if errs := r.errors(); !strings.Contains(errs[len(errs)-1].Message, "0 points") {
			t.Errorf("%v: %v", obj, errs[len(errs)-1])
		}
	}
}

// Weights so large that every output overflows: every point is NaN (and
// said so), the sharpness fails with a message, and the session goes on.
func TestLandscapeNaN(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	s.AddPiece(synth(300, 1), synth(200, 2))
	cfg := mlpConfig()
	configure(t, s, cfg)
	m, err := engine.Build(cfg.Model, 1)
	if err != nil {
		t.Fatal(err)
	}
	w := m.Weights(nil)
	for i := range w {
		w[i] *= 1e20
	}
	if err := m.SetWeights(w); err != nil {
		t.Fatal(err)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	s.Handle(wire.LoadWeightsCmd{Bytes: b})
	from := len(r.events)
	s.Handle(wire.LandscapeCmd{Grid: 3, EvalSubset: 50})
	runUntil(s, 1000, nil)
	pts := since[wire.LandscapePointEvent](r, from, "landscapePoint")
	if len(pts) != 9 {
		t.Fatalf("%d points, want 9; errors %v", len(pts), r.errors())
	}
	for _, p := range pts {
		if !math.IsNaN(p.Loss) {
			t.Errorf("point %d loss %v, want NaN", p.Index, p.Loss)
		}
	}
	d := since[wire.LandscapeDoneEvent](r, from, "landscapeDone")
	if len(d) != 1 || d[0].NaN != 9 || d[0].Cancelled {
		t.Errorf("done %+v", d)
	}
	errs := since[wire.ErrorEvent](r, from, "error")
	if len(errs) != 1 || !strings.Contains(errs[0].Message, "sharpness") || errs[0].Kind == wire.KindInternal {
		t.Errorf("errors %+v, want one about the sharpness", errs)
	}
	checkMaps(t, r.events[from:])
}

// Snapshots stay within their bound however long the run, the newest kept.
func TestSnapshotsBounded(t *testing.T) {
	s, _ := newTestSession(time.Millisecond)
	cfg := mlpConfig()
	cfg.Epochs, cfg.BatchSize = 80, 300
	startSynth(t, s, cfg, 300, 50)
	runUntil(s, 100000, nil)
	if len(s.snaps) > maxSnapshots || len(s.snaps) < maxSnapshots/2 {
		t.Errorf("%d snapshots after 80 epochs, want %d..%d", len(s.snaps), maxSnapshots/2, maxSnapshots)
	}
	last := s.snaps[len(s.snaps)-1]
	w := s.tr.Model().Weights(nil)
	for i := range w {
		if w[i] != last[i] {
			t.Fatal("the newest snapshot is not the final weights")
		}
	}
}

// A panic inside the landscape's coroutine becomes an internal error; the
// job ends (said so) and the session goes on.
func TestLandscapePanicIsContained(t *testing.T) {
	s, r := trained(t)
	var logged []string
	s.opt.Log = func(m string) { logged = append(logged, m) }
	s.Handle(wire.LandscapeCmd{Grid: 3, Plane: "random", EvalSubset: 50})
	s.RunFor(time.Millisecond)
	j := s.job.(*landscapeJob)
	j.next, j.stop = func() (wire.Event, bool) { panic("boom") }, func() {}
	from := len(r.events)
	s.RunFor(time.Millisecond)
	errs := since[wire.ErrorEvent](r, from, "error")
	if len(errs) != 1 || errs[0].Kind != wire.KindInternal || s.job != nil || len(logged) != 1 {
		t.Errorf("errors %+v, job %v, log %d", errs, s.job, len(logged))
	}
	if d := since[wire.LandscapeDoneEvent](r, from, "landscapeDone"); len(d) != 1 || !d[0].Cancelled {
		t.Errorf("done events %+v", d)
	}
	s.Handle(wire.LandscapeCmd{Grid: 2, Plane: "random", EvalSubset: 50})
	runUntil(s, 1000, nil)
	if d := since[wire.LandscapeDoneEvent](r, from, "landscapeDone"); len(d) != 2 || d[1].Cancelled || d[1].Points != 4 {
		t.Errorf("a landscape after the panic: %+v", d)
	}
}
