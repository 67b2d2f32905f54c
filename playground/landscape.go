package playground

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"time"

	"mnistplay/engine"
	"mnistplay/engine/landscape"
	"mnistplay/wire"
)

// The landscape job: the validation loss on a grid of a plane through the
// current weights (the top two principal components of the run's weight
// snapshots, or two filter-normalised random directions), then the top
// Hessian eigenvalues of the training loss there (Lanczos) and the
// Hessian's trace (Hutchinson). Package landscape does the mathematics; it
// is written as straight-line code here and run as a coroutine (iter.Pull)
// whose objectives yield after every batch, so one slice of the worker is
// a few batches however large a point or a Hessian-vector product is.

// Settings of a landscape command.
const (
	minGrid      = 2    // a contour needs two points per side
	sharpImages  = 1000 // training images the Hessian is of
	sharpTop     = 3    // eigenvalues reported
	lanczosSteps = 12
	hutchSamples = 4
	// lanczosValues bounds the Lanczos basis (its steps x the model's size).
	lanczosValues = 1 << 22
	pcaMargin     = 0.25 // of the path's extent, around it
	randomSpan    = 1.0  // a random plane covers [-1, 1]² of its directions
	// sliceBatches bounds the batches of one slice when the clock does not
	// move (tests); the clock (chunkTime) ends a slice otherwise.
	sliceBatches = 16
)

// Snapshots of the weights during a run, for the landscape's PCA plane: one
// at each quick evaluation and each epoch end, at most maxSnapshots and
// snapshotValues floats in all (thinned by half when full).
const (
	maxSnapshots   = 32
	snapshotValues = 1 << 22
)

// keepWeights keeps a copy of the current weights for the trajectory.
func (s *Session) keepWeights() {
	m := s.tr.Model()
	limit := max(2, min(maxSnapshots, snapshotValues/max(1, m.NumWeights())))
	if len(s.snaps) >= limit {
		// Keep every other one, the newest included: the path keeps its
		// shape at a bounded cost.
		k := 0
		for i := len(s.snaps) % 2; i < len(s.snaps); i += 2 {
			s.snaps[k] = s.snaps[i]
			k++
		}
		clear(s.snaps[k:])
		s.snaps = s.snaps[:k]
	}
	s.snaps = append(s.snaps, m.Weights(nil))
}

// canceller is a job that says when it is stopped before its end.
type canceller interface {
	cancel(s *Session, why string)
}

// setJob replaces the job in progress (cancelling it).
func (s *Session) setJob(j job) {
	s.stopJob("another job started")
	s.job = j
}

// stopJob drops the job in progress; a landscape says it was cancelled.
func (s *Session) stopJob(why string) {
	if c, ok := s.job.(canceller); ok {
		s.job = nil
		c.cancel(s, why)
	}
	s.job = nil
}

type landscapeJob struct {
	next  func() (wire.Event, bool)
	stop  func()
	busy  time.Duration // time spent in its slices before the current one
	slice time.Time     // start of the current slice
	start time.Time
	grid  int // points of the grid
	done  int // points computed
	nan   int // points whose loss is not finite
}

// landscape starts a landscape job (the landscape command).
func (s *Session) landscape(c wire.LandscapeCmd) {
	fail := func(format string, a ...any) {
		s.emit(wire.ErrorEvent{Message: "landscape: " + fmt.Sprintf(format, a...), Kind: wire.KindConfig})
	}
	side := c.Grid
	maxSide := int(math.Sqrt(landscape.MaxPoints))
	if side != math.Trunc(side) || math.IsInf(side, 0) { // NaN too
		fail("grid %v: want a whole number of points per side from %d to %d", side, minGrid, maxSide)
		return
	}
	if side < minGrid || side > float64(maxSide) {
		fail("a %.0f x %.0f grid has %.0f points; want %d to %d points per side (at most %d points, each a pass over the validation images)",
			side, side, side*side, minGrid, maxSide, landscape.MaxPoints)
		return
	}
	plane := c.Plane
	if plane == "" {
		plane = "pca"
	}
	if plane != "pca" && plane != "random" {
		fail("plane %q: want pca or random", c.Plane)
		return
	}
	if s.tr == nil || s.test.N == 0 {
		fail("no run yet; train a model first")
		return
	}
	n := c.EvalSubset
	if n <= 0 {
		n = defaultEval
	}
	val := dataset(s.test).Head(min(n, s.test.N))
	train := s.tr.TrainSet() // its labels in force: shuffled ones for a shuffled run
	train = train.Head(min(sharpImages, train.N))
	m, err := engine.Build(s.tr.Model().Spec, 0)
	if err != nil {
		panic("playground: rebuilding the trained spec: " + err.Error())
	}
	final := s.tr.Model().Weights(nil)
	in := s.cfg.Input
	vobj, err := landscape.NewObjectiveInput(m, val, in)
	if err != nil {
		fail("%v", err)
		return
	}
	tobj, err := landscape.NewObjectiveInput(m, train, in)
	if err != nil {
		fail("%v", err)
		return
	}
	grid := wire.LandscapeGridEvent{Plane: plane, N: val.N}
	var pl landscape.Plane
	if plane == "pca" {
		pl, grid, err = pcaPlane(grid, append([][]float32{s.theta0}, s.snaps...), final, int(side))
		if err != nil {
			grid.Note = fmt.Sprintf("no PCA plane (%v): random filter-normalised directions instead", err)
			plane = "random"
		}
	}
	if plane == "random" {
		grid.Plane = "random"
		d1, d2 := make([]float32, len(final)), make([]float32, len(final))
		err1 := landscape.FilterNormalized(m, final, 1, d1)
		err2 := landscape.FilterNormalized(m, final, 2, d2)
		if err := errors.Join(err1, err2); err != nil {
			fail("%v", err) // NaN weights
			return
		}
		pl = landscape.Plane{Origin: final, D1: d1, D2: d2}
		grid.Xs = landscape.Linspace(-randomSpan, randomSpan, int(side))
		grid.Ys = landscape.Linspace(-randomSpan, randomSpan, int(side))
		grid.Path = nil
	}
	surf, err := landscape.NewSurface(pl, grid.Xs, grid.Ys, vobj)
	if err != nil {
		fail("%v", err)
		return
	}
	grid.Count = surf.Len()
	j := &landscapeJob{start: s.opt.Now(), grid: surf.Len()}
	seq := func(yield func(wire.Event) bool) {
		more := func() bool { return yield(nil) }
		vobj.Yield, tobj.Yield = more, more
		if !yield(grid) {
			return
		}
		for !surf.Done() {
			i, k, err := surf.Next()
			var pe *landscape.PointError
			switch {
			case errors.As(err, &pe):
				j.nan++
			case err != nil: // cancelled: nothing more may be yielded
				return
			}
			j.done++
			p := i*len(grid.Xs) + k
			if !yield(wire.LandscapePointEvent{I: i, J: k, Index: j.done - 1, Count: j.grid,
				Loss: surf.Loss[0][p], Acc: surf.Acc[0][p], Seconds: (j.busy + s.opt.Now().Sub(j.slice)).Seconds()}) {
				return
			}
		}
		sharpness(yield, tobj, final)
	}
	j.next, j.stop = iter.Pull(iter.Seq[wire.Event](seq))
	s.setJob(j)
}

// pcaPlane is the plane of the trajectory's top two principal components
// (snapshots, then final) with the grid around the path.
func pcaPlane(ev wire.LandscapeGridEvent, snaps [][]float32, final []float32, side int) (landscape.Plane, wire.LandscapeGridEvent, error) {
	if len(snaps) < 2 {
		return landscape.Plane{}, ev, errors.New("no weight snapshots yet: one is kept at each validation point")
	}
	pc, err := landscape.TrajectoryPCA(append(snaps, final), final)
	if err != nil {
		return landscape.Plane{}, ev, err
	}
	ev.Xs, ev.Ys = pc.Grid(side, pcaMargin)
	ev.Explained, ev.Path = pc.Explained, pc.Path
	return landscape.Plane{Origin: final, D1: pc.Dirs[0], D2: pc.Dirs[1]}, ev, nil
}

// sharpness yields SharpnessEvents: the top Ritz values after each Lanczos
// step of the training loss' Hessian at final, then the trace estimate.
// It stops at the first error (wire.ErrorEvent) or when yield refuses.
func sharpness(yield func(wire.Event) bool, obj *landscape.Objective, final []float32) {
	fail := func(err error) {
		if !errors.Is(err, landscape.ErrCancelled) {
			yield(wire.ErrorEvent{Message: "sharpness: " + err.Error(), Kind: wire.KindConfig})
		}
	}
	loss, _, err := obj.Loss(final)
	if err != nil {
		fail(err)
		return
	}
	h, err := landscape.NewHessian(obj, final, 0)
	if err != nil {
		fail(err)
		return
	}
	steps := max(sharpTop, min(lanczosSteps, lanczosValues/max(1, len(final))-1))
	lz, err := landscape.NewLanczos(h, steps, 1)
	if err != nil {
		fail(err)
		return
	}
	ev := wire.SharpnessEvent{N: obj.N(), Loss: loss, Steps: steps, Trace: math.NaN(), TraceErr: math.NaN()}
	for !lz.Done() {
		if err := lz.Step(); err != nil {
			fail(err)
			return
		}
		vals, bounds, err := lz.Ritz()
		if err != nil {
			fail(err)
			return
		}
		k := min(sharpTop, len(vals))
		ev.Values, ev.Bounds, ev.Step = vals[:k], bounds[:k], lz.Iterations()
		if !yield(ev) {
			return
		}
	}
	hu, err := landscape.NewHutchinson(h, 2)
	if err != nil {
		fail(err)
		return
	}
	for range hutchSamples {
		if err := hu.Step(); err != nil {
			fail(err)
			return
		}
	}
	ev.Trace, ev.TraceErr, ev.Samples = hu.Estimate()
	ev.Done = true
	yield(ev)
}

// advance runs the coroutine for about chunkTime, emitting what it yields.
func (j *landscapeJob) advance(s *Session) bool {
	t0 := s.opt.Now()
	j.slice = t0
	for n := 0; ; n++ {
		ev, ok := j.next()
		if !ok {
			j.busy += s.opt.Now().Sub(t0)
			s.emit(j.doneEvent(s, false, ""))
			return true
		}
		if ev != nil {
			s.emit(ev)
		}
		if s.opt.Now().Sub(t0) >= chunkTime || n >= sliceBatches {
			j.busy += s.opt.Now().Sub(t0)
			return false
		}
	}
}

func (j *landscapeJob) cancel(s *Session, why string) {
	j.stop()
	s.emit(j.doneEvent(s, true, why))
}

func (j *landscapeJob) doneEvent(s *Session, cancelled bool, why string) wire.LandscapeDoneEvent {
	return wire.LandscapeDoneEvent{Cancelled: cancelled, Reason: why, Points: j.done, Count: j.grid, NaN: j.nan,
		Seconds: j.busy.Seconds(), Wall: s.opt.Now().Sub(j.start).Seconds()}
}
