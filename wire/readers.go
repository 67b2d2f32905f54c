package wire

// Readers says who reads event e, which the trainer sends: the page's
// script (page), the canvas over the channel the page gave it and the
// trainer (view), or both. The canvas draws the live run from its own
// stream, so weights and pad answers never pass through the page; the
// page's DOM needs the rest. A snapshot goes to whoever asked for it:
// fromView is set for the answers to a command that came over the
// canvas' channel; the session's unasked records (ID 0) go to the page.
func Readers(e Event, fromView bool) (page, view bool) {
	switch e := e.(type) {
	case WeightsEvent, Prediction, PredictionError, SampleEvent:
		return false, true
	case ModelBytesEvent, CheckEvent, SweepEvent, ConfusionEvent, DataParallelEvent, ReplicaEndEvent:
		return true, false
	case SnapshotEvent:
		if e.ID == 0 { // the session's record of the run, even when sent amid a canvas' request
			return true, false
		}
		return !fromView, fromView
	case RunsEvent, ExportEvent, PadEvent:
		return false, false // the page's own to the canvas, not the trainer's
	}
	return true, true
}

// LiveOnly reports whether e only draws a run as it trains: the steps,
// evaluations and shuffles that the run's record (SnapshotEvent) carries
// too. A worker training a run nobody watches live (a pool worker's sweep
// or background run) does not send them: its page keeps the record.
func LiveOnly(e Event) bool {
	switch e.(type) {
	case StepsEvent, EvalEvent, ShuffleEvent:
		return true
	}
	return false
}

// ViewCommand reports whether the canvas may send c over its channel to
// the trainer: what its pad and buttons ask for, and its snapshot.
func ViewCommand(c Command) bool {
	switch c.(type) {
	case ClassifyCmd, SnapshotCmd, SampleCmd, FlatnessCmd:
		return true
	}
	return false
}
