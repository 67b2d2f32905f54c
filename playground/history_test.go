package playground

import (
	"testing"
	"time"

	"mnistplay/wire"
)

// TestSnapshot: a snapshot holds the run's history as the events gave it,
// bounded however many steps the run takes.
func TestSnapshot(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	s.Handle(wire.SnapshotCmd{})
	if sn := r.of("snapshot"); len(sn) != 1 || sn[0].(wire.SnapshotEvent).HasRun {
		t.Fatalf("snapshot before any run: %+v", sn)
	}
	cfg := mlpConfig()
	cfg.Epochs = 4
	startSynth(t, s, cfg, 640, 300)
	runUntil(s, 100, func() bool { return s.Step() >= 30 })
	s.Handle(wire.ShuffleCmd{On: true, Fraction: 1})
	runUntil(s, 100000, nil)
	s.Handle(wire.FlatnessCmd{Alphas: []float64{0, 0.5, 1}})
	runUntil(s, 100, nil)
	r.events = r.events[:0]
	s.Handle(wire.SnapshotCmd{ID: 1, Weights: true}) // the canvas'
	sn := r.of("snapshot")
	if len(sn) != 1 {
		t.Fatalf("%d snapshot events", len(sn))
	}
	snap := sn[0].(wire.SnapshotEvent)
	if !snap.HasRun || len(snap.Arch.Layers) == 0 || snap.State.State != wire.StateDone || snap.State.Step != s.Step() {
		t.Errorf("snapshot run: %+v %+v", snap.Arch, snap.State)
	}
	if len(snap.Epochs) != 4 || snap.Epochs[3].Epoch != 4 {
		t.Errorf("epochs %+v", snap.Epochs)
	}
	if len(snap.Steps) != s.Step() || snap.Steps[0].Step != 1 {
		t.Errorf("%d steps from %+v, want %d", len(snap.Steps), snap.Steps[:1], s.Step())
	}
	if len(snap.Shuffles) != 1 || !snap.Shuffles[0].On || len(snap.Flatness) != 3 {
		t.Errorf("shuffles %+v, flatness %+v", snap.Shuffles, snap.Flatness)
	}
	if w := r.of("weights"); len(w) != 1 {
		t.Errorf("%d weights events after the snapshot, want 1", len(w))
	}
	r.events = r.events[:0]
	s.Handle(wire.SnapshotCmd{ID: 8}) // the page's, when it is left: no weights
	if sn := r.of("snapshot"); len(sn) != 1 || sn[0].(wire.SnapshotEvent).ID != 8 || len(r.events) != 1 {
		t.Errorf("events after snapshot 8: %v", r.events)
	}
}

// TestRecordKept: the record the session sends the page on its own (a
// SnapshotEvent with ID 0) is never more than SaveEvery behind the history
// while the run trains (plus the one slice that ends with keepRecord), is
// exact after a pause and at the end, and is sent far less often than
// once an epoch.
func TestRecordKept(t *testing.T) {
	const saveEvery, budget = 300 * time.Millisecond, 40 * time.Millisecond
	r := &recorder{now: time.Unix(1e9, 0), tick: time.Millisecond}
	var (
		dirty    time.Time // first change of the history since the last record; zero: none
		records  []wire.SnapshotEvent
		epochs   int
		worstLag time.Duration
	)
	s := NewSession(func(e wire.Event) {
		r.emit(e)
		switch e := e.(type) {
		case wire.SnapshotEvent:
			if e.ID == 0 {
				records = append(records, e)
				dirty = time.Time{}
			}
		case wire.EpochEvent, wire.StepsEvent, wire.EvalEvent, wire.ShuffleEvent, wire.FlatnessEvent, wire.StateEvent:
			if dirty.IsZero() {
				dirty = r.now
			}
			if _, ok := e.(wire.EpochEvent); ok {
				epochs++
			}
		}
	}, Options{Now: r.clock, Seed: 3, SaveEvery: saveEvery})
	cfg := mlpConfig()
	cfg.Epochs = 60
	cfg.BatchSize = 16
	startSynth(t, s, cfg, 64, 32) // 4 steps an epoch: many epochs a record
	lagNow := func(when string) {
		if dirty.IsZero() {
			return
		}
		lag := r.now.Sub(dirty)
		worstLag = max(worstLag, lag)
		if lag > saveEvery+budget {
			t.Fatalf("%s: the record is %v behind the history, promised at most %v", when, lag, saveEvery+budget)
		}
	}
	for i := 0; s.Busy() && s.Step() < 100; i++ {
		s.RunFor(budget)
		lagNow("while training")
	}
	s.Handle(wire.PauseCmd{})
	last := records[len(records)-1]
	if !dirty.IsZero() || last.State.State != wire.StatePaused || last.State.Step != s.Step() {
		t.Fatalf("after the pause the last record is at %s step %d (changes pending: %v), want paused at %d",
			last.State.State, last.State.Step, !dirty.IsZero(), s.Step())
	}
	s.Handle(wire.StartCmd{})
	for s.Busy() {
		s.RunFor(budget)
		lagNow("while training")
	}
	last = records[len(records)-1]
	if !dirty.IsZero() || last.State.State != wire.StateDone || len(last.Epochs) != cfg.Epochs {
		t.Fatalf("at the end the last record is %s with %d epochs, want done with %d", last.State.State, len(last.Epochs), cfg.Epochs)
	}
	if len(records) >= epochs/2 {
		t.Errorf("%d records for %d epochs: the record should not follow every epoch", len(records), epochs)
	}
	t.Logf("%d records for %d epochs; the record lagged at most %v", len(records), epochs, worstLag)

	// A run replaced while it trains gets its last record before the new
	// run's arch event.
	s.Handle(wire.ResetCmd{})
	s.Handle(wire.StartCmd{})
	for i := 0; i < 3 && s.Busy(); i++ {
		s.RunFor(budget)
	}
	at := len(r.events)
	stepAt := s.Step()
	s.Handle(wire.ResetCmd{})
	var got *wire.SnapshotEvent
	for _, e := range r.events[at:] {
		if sn, ok := e.(wire.SnapshotEvent); ok && sn.ID == 0 {
			got = &sn
		}
		if _, ok := e.(wire.ArchEvent); ok {
			break
		}
	}
	if got == nil || got.State.Step != stepAt || len(got.Steps) == 0 || got.Steps[len(got.Steps)-1].Step != stepAt {
		t.Errorf("the replaced run's last record: %+v, want one at step %d before the new arch", got, stepAt)
	}
}

func TestHistoryBounded(t *testing.T) {
	var h history
	h.record(wire.ArchEvent{})
	n := 10 * maxHistSteps
	for i := 1; i <= n; i++ {
		h.record(wire.StepsEvent{Steps: []wire.StepPoint{{Step: i}}})
		h.record(wire.EvalEvent{Step: i})
		h.record(wire.ShuffleEvent{Step: i})
		h.record(wire.EpochEvent{Epoch: i, Best: i == 7 || i == 9})
		if h.epochs[len(h.epochs)-1].Epoch != i || h.evals[len(h.evals)-1].Step != i {
			t.Fatalf("after epoch %d the newest kept are epoch %d and eval %d: a run's final metrics are its last epoch's", i, h.epochs[len(h.epochs)-1].Epoch, h.evals[len(h.evals)-1].Step)
		}
	}
	if len(h.steps) >= maxHistSteps || len(h.steps) < maxHistSteps/4 {
		t.Errorf("%d steps kept of %d, want fewer than %d and more than a quarter", len(h.steps), n, maxHistSteps)
	}
	for i := 1; i < len(h.steps); i++ { // evenly spaced
		if d := h.steps[i].Step - h.steps[i-1].Step; d != h.stepEvery {
			t.Fatalf("steps %d and %d apart by %d, want %d", i-1, i, d, h.stepEvery)
		}
	}
	if len(h.evals) >= maxHistEvals || len(h.shuffles) != maxHistShuffles || h.shuffles[maxHistShuffles-1].Step != n {
		t.Errorf("%d evals, %d shuffles (last %d)", len(h.evals), len(h.shuffles), h.shuffles[len(h.shuffles)-1].Step)
	}
	if len(h.evals) < maxHistEvals/2 {
		t.Errorf("%d evals kept, want at least %d", len(h.evals), maxHistEvals/2)
	}
	kept := map[int]bool{}
	for _, e := range h.epochs {
		kept[e.Epoch] = true
	}
	if len(h.epochs) >= maxHistEpochs || len(h.epochs) < maxHistEpochs/2 || !kept[1] || !kept[9] || !kept[n] {
		t.Errorf("%d epochs kept (first, best, last: %v %v %v), want fewer than %d and the first, the best (9), the last (%d)",
			len(h.epochs), kept[1], kept[9], kept[n], maxHistEpochs, n)
	}
	h.record(wire.ArchEvent{Params: 1})
	if len(h.steps) != 0 || h.arch.Params != 1 {
		t.Errorf("a new run keeps %d steps", len(h.steps))
	}
}

// TestGetWeightsID: every answer to getWeights carries its request's id,
// an error included, so one failure does not shift later answers.
func TestGetWeightsID(t *testing.T) {
	s, r := newTestSession(time.Millisecond)
	s.Handle(wire.GetWeightsCmd{ID: 4})
	if e := r.errors(); len(e) != 1 || e[0].ID != 4 {
		t.Fatalf("errors %+v, want one with id 4", e)
	}
	configure(t, s, mlpConfig())
	s.Handle(wire.GetWeightsCmd{ID: 5})
	if mb := r.of("modelBytes"); len(mb) != 1 || mb[0].(wire.ModelBytesEvent).ID != 5 || len(mb[0].(wire.ModelBytesEvent).Bytes) == 0 {
		t.Errorf("modelBytes %+v, want id 5", mb)
	}
}
