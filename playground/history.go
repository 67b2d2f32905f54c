package playground

import "mnistplay/wire"

// Bounds of a run's history: a snapshot, which the page keeps as the run's
// record (keepRecord), stays a few hundred points a curve
// however long the run; the canvas and a saved run draw no more.
const (
	maxHistSteps    = 1000 // thinned evenly, keeping every other point
	maxHistEpochs   = 500  // likewise, keeping the last and the best too
	maxHistEvals    = 500  // likewise, keeping the last too
	maxHistShuffles = 200  // the newest
)

// history is the run as a view that connects late needs it to draw the
// same picture: every event that changes the curves passes through record.
type history struct {
	hasRun    bool
	arch      wire.ArchEvent
	state     wire.StateEvent
	steps     []wire.StepPoint
	stepEvery int // keep one step in stepEvery (doubles at each thinning)
	stepSeen  int
	epochs    []wire.EpochEvent
	evals     []wire.EvalEvent
	shuffles  []wire.ShuffleEvent
	flatness  []wire.FlatnessEvent
}

// emit records e in the history and sends it.
func (s *Session) emit(e wire.Event) {
	if s.hist.record(e) {
		s.histVer++
	}
	s.out(e)
}

// keepRecord sends the page the run's record, an unasked SnapshotEvent
// (ID 0), when the history changed since the last one: at once when the
// run's state changed or the run is no longer busy (paused, done,
// diverged, a job ended), otherwise at most every Options.SaveEvery. So
// the record the page saves is never more than SaveEvery of training
// behind, and exact whenever the trainer rests; a snapshot after every
// epoch cost a copy of the whole history each time, many a second for a
// small subset. An idle run has no record yet. A run about to be replaced
// gets its last record at once (now).
func (s *Session) keepRecord(now bool) {
	if !s.hist.hasRun || s.histVer == s.savedVer || s.state == wire.StateIdle {
		return
	}
	t := s.opt.Now()
	if !now && s.state == s.savedState && s.Busy() && t.Sub(s.lastSave) < s.opt.SaveEvery {
		return
	}
	s.savedVer, s.savedState, s.lastSave = s.histVer, s.state, t
	s.snapshot(0, false)
}

// record adds e to the history; it reports whether e changed it.
func (h *history) record(e wire.Event) bool {
	switch e := e.(type) {
	case wire.ArchEvent: // a new run
		*h = history{hasRun: true, arch: e, stepEvery: 1}
	case wire.StateEvent:
		h.state = e
	case wire.StepsEvent:
		for _, p := range e.Steps {
			if h.stepSeen%h.stepEvery == 0 {
				h.steps = append(h.steps, p)
				if len(h.steps) >= maxHistSteps {
					h.steps = thin(h.steps, nil)
					h.stepEvery *= 2
				}
			}
			h.stepSeen++
		}
	case wire.EpochEvent:
		h.epochs = append(h.epochs, e)
		if len(h.epochs) >= maxHistEpochs {
			best := -1 // the newest best epoch is the run's best
			for i, e := range h.epochs {
				if e.Best {
					best = i
				}
			}
			last := len(h.epochs) - 1
			h.epochs = thin(h.epochs, func(i int) bool { return i == last || i == best })
		}
	case wire.EvalEvent:
		h.evals = append(h.evals, e)
		if len(h.evals) >= maxHistEvals {
			last := len(h.evals) - 1
			h.evals = thin(h.evals, func(i int) bool { return i == last })
		}
	case wire.ShuffleEvent:
		if len(h.shuffles) == maxHistShuffles {
			h.shuffles = append(h.shuffles[:0], h.shuffles[1:]...)
		}
		h.shuffles = append(h.shuffles, e)
	case wire.FlatnessEvent:
		if e.Index == 0 {
			h.flatness = h.flatness[:0]
		}
		h.flatness = append(h.flatness, e)
	default:
		return false
	}
	return true
}

// thin keeps every other element of s, the first included, and those
// keep (if not nil) asks for, in place.
func thin[T any](s []T, keep func(i int) bool) []T {
	n := 0
	for i := range s {
		if i%2 == 0 || keep != nil && keep(i) {
			s[n] = s[i]
			n++
		}
	}
	clear(s[n:])
	return s[:n]
}

// snapshot answers request id with the run's history (a SnapshotEvent),
// followed by the current weights when asked (the canvas does). The
// event's slices are copies: the history goes on growing.
func (s *Session) snapshot(id int, weights bool) {
	h := &s.hist
	s.out(wire.SnapshotEvent{
		ID:       id,
		HasRun:   h.hasRun,
		Arch:     h.arch,
		State:    wire.StateEvent{State: s.state, Step: s.stepNow, Epoch: s.epochNow},
		Steps:    append([]wire.StepPoint(nil), h.steps...),
		Epochs:   append([]wire.EpochEvent(nil), h.epochs...),
		Evals:    append([]wire.EvalEvent(nil), h.evals...),
		Shuffles: append([]wire.ShuffleEvent(nil), h.shuffles...),
		Flatness: append([]wire.FlatnessEvent(nil), h.flatness...),
	})
	if m := s.currentModel(); m != nil && h.hasRun && weights {
		s.emitWeights(m)
	}
}
