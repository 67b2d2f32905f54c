package playground

import (
	"encoding/json"

	"mnistplay/engine"
)

// Event is a message from the worker to the page. Map returns it as the
// plain object the page receives: values are bool, int, float64, string,
// []any, map[string]any, and []float32 or []uint8 for typed arrays, which
// the worker transfers as Float32Array and Uint8Array.
type Event interface {
	Type() string
	Map() map[string]any
}

// Error kinds of an ErrorEvent.
const (
	KindData     = "data"    // the MNIST pack could not be fetched or decoded
	KindWeights  = "weights" // a weights file (or a saved run's weights) was refused
	KindConfig   = "config"
	KindDiverged = "diverged"
	KindInternal = "internal"
	// KindNotLearned: the run finished at chance accuracy (engine.NotLearnedError).
	KindNotLearned = "notLearned"
)

// Run states of a StateEvent.
const (
	StateIdle     = "idle"
	StateRunning  = "running"
	StatePaused   = "paused"
	StateDone     = "done"
	StateDiverged = "diverged"
)

// ProgressEvent reports bytes of the data pack received so far.
type ProgressEvent struct{ Loaded, Total int64 }

// ReadyEvent says the first piece of data is decoded and training can start.
type ReadyEvent struct{ Train, Test int }

// DataCompleteEvent says every piece of data is decoded.
type DataCompleteEvent struct{ Train, Test int }

// LayerRow is one row of an ArchEvent.
type LayerRow struct {
	Name   string
	Shape  [3]int // (C, H, W) of one example's output
	Params int
}

// ArchEvent describes the model of a new run.
type ArchEvent struct {
	Layers []LayerRow
	Params int
	Spec   engine.Spec
}

// StateEvent reports the run's state.
type StateEvent struct {
	State string
	Step  int
	Epoch float64
}

// StepPoint is one training step of a StepsEvent.
type StepPoint struct {
	Step           int
	Epoch          float64 // fractional
	Loss           float64
	Acc            float64 // batch accuracy before the update
	LR             float32
	ExamplesPerSec float64 // moving average
}

// StepsEvent carries the steps since the last one (throttled to a few a second).
type StepsEvent struct{ Steps []StepPoint }

// EpochEvent reports a finished epoch.
type EpochEvent struct {
	Epoch               int
	TrainLoss, TrainAcc float64
	ValLoss, ValAcc     float64
	Best                bool
	Step                int
	TrainN              int // training examples the run had in this epoch
	// TrainEvalLoss and TrainEvalAcc are measured on the whole training
	// set after the epoch (engine.Config.EvalTrain), else 0.
	TrainEvalLoss, TrainEvalAcc float64
}

// EvalEvent is a quick validation between epoch ends: the loss and
// accuracy on the first N test images at fractional epoch Epoch. The exact
// per-epoch numbers stay in EpochEvent.
type EvalEvent struct {
	Epoch           float64
	Step            int
	ValLoss, ValAcc float64
	N               int
}

// WeightsEvent is a snapshot of every parameter, flat in Model.Params order.
type WeightsEvent struct {
	Spec engine.Spec
	Step int
	Data []float32 // (NumWeights)
}

// ShuffleEvent says label shuffling changed at fractional epoch Epoch.
type ShuffleEvent struct {
	On       bool
	Fraction float32
	Epoch    float64
	Step     int
}

// FlatnessEvent is one point of the flatness curve.
type FlatnessEvent struct {
	Alpha, Loss, Error float64
	Index, Count       int
}

// RobustnessEvent is one point of a robustness job: the accuracy on the
// first N test images moved by Move (question 1.5 of the report).
type RobustnessEvent struct {
	Move         engine.Move
	Acc          float64
	N            int
	Index, Count int
}

// SampleEvent is a random test image.
type SampleEvent struct {
	Image []uint8 // (28, 28)
	Label int
	Index int
}

// Confused is one misclassified validation image of a ConfusionEvent.
type Confused struct {
	Image       []uint8 // (28, 28)
	Label, Pred int
	Prob        float64 // the model's probability of Pred
}

// ConfusionEvent is the confusion matrix on the validation set,
// Matrix[label*10+pred], and the most confidently wrong images.
type ConfusionEvent struct {
	Matrix [engine.NumClasses * engine.NumClasses]int
	Worst  []Confused
	N      int
	Acc    float64
}

// ModelBytesEvent carries engine.Model.MarshalBinary bytes.
type ModelBytesEvent struct{ Bytes []byte }

// ErrorEvent is an error for the page to show.
type ErrorEvent struct {
	Message, Kind string
	// Retry: the page offers a Retry button that sends the retryData command
	// (a data download that failed and can be tried again).
	Retry bool
}

// CheckEvent answers a check command: Message is why the configuration
// would be refused (what configure would say), or empty if it is good.
type CheckEvent struct{ Message string }

func (ProgressEvent) Type() string     { return "progress" }
func (ReadyEvent) Type() string        { return "ready" }
func (DataCompleteEvent) Type() string { return "dataComplete" }
func (ArchEvent) Type() string         { return "arch" }
func (StateEvent) Type() string        { return "state" }
func (StepsEvent) Type() string        { return "steps" }
func (EpochEvent) Type() string        { return "epoch" }
func (EvalEvent) Type() string         { return "eval" }
func (WeightsEvent) Type() string      { return "weights" }
func (ShuffleEvent) Type() string      { return "shuffle" }
func (FlatnessEvent) Type() string     { return "flatness" }
func (SampleEvent) Type() string       { return "sample" }
func (ConfusionEvent) Type() string    { return "confusion" }
func (ModelBytesEvent) Type() string   { return "modelBytes" }
func (ErrorEvent) Type() string        { return "error" }
func (CheckEvent) Type() string        { return "check" }

func (e ProgressEvent) Map() map[string]any {
	return map[string]any{"type": e.Type(), "loaded": float64(e.Loaded), "total": float64(e.Total)}
}

func (e ReadyEvent) Map() map[string]any {
	return map[string]any{"type": e.Type(), "train": e.Train, "test": e.Test}
}

func (e DataCompleteEvent) Map() map[string]any {
	return map[string]any{"type": e.Type(), "train": e.Train, "test": e.Test}
}

func (e ArchEvent) Map() map[string]any {
	layers := make([]any, len(e.Layers))
	for i, l := range e.Layers {
		layers[i] = map[string]any{
			"name":   l.Name,
			"shape":  []any{l.Shape[0], l.Shape[1], l.Shape[2]},
			"params": l.Params,
		}
	}
	return map[string]any{"type": e.Type(), "layers": layers, "params": e.Params, "spec": specMap(e.Spec)}
}

func (e StateEvent) Map() map[string]any {
	return map[string]any{"type": e.Type(), "state": e.State, "step": e.Step, "epoch": e.Epoch}
}

func (p StepPoint) m() map[string]any {
	return map[string]any{"step": p.Step, "epoch": p.Epoch, "loss": p.Loss, "acc": p.Acc,
		"lr": float64(p.LR), "examplesPerSec": p.ExamplesPerSec}
}

func (e StepsEvent) Map() map[string]any {
	steps := make([]any, len(e.Steps))
	for i, p := range e.Steps {
		steps[i] = p.m()
	}
	return map[string]any{"type": e.Type(), "steps": steps}
}

func (e EpochEvent) Map() map[string]any {
	return map[string]any{"type": e.Type(), "epoch": e.Epoch, "trainLoss": e.TrainLoss, "trainAcc": e.TrainAcc,
		"valLoss": e.ValLoss, "valAcc": e.ValAcc, "best": e.Best, "step": e.Step, "trainN": e.TrainN,
		"trainEvalLoss": e.TrainEvalLoss, "trainEvalAcc": e.TrainEvalAcc}
}

func (e EvalEvent) Map() map[string]any {
	return map[string]any{"type": e.Type(), "epoch": e.Epoch, "step": e.Step, "valLoss": e.ValLoss,
		"valAcc": e.ValAcc, "n": e.N}
}

func (e WeightsEvent) Map() map[string]any {
	return map[string]any{"type": e.Type(), "spec": specMap(e.Spec), "step": e.Step, "data": e.Data}
}

func (e ShuffleEvent) Map() map[string]any {
	return map[string]any{"type": e.Type(), "on": e.On, "fraction": float64(e.Fraction), "epoch": e.Epoch, "step": e.Step}
}

func (RobustnessEvent) Type() string { return "robustness" }

func (e RobustnessEvent) Map() map[string]any {
	return map[string]any{"type": e.Type(), "angle": e.Move.Angle, "dx": e.Move.DX, "dy": e.Move.DY,
		"acc": e.Acc, "n": e.N, "index": e.Index, "count": e.Count}
}

func (e FlatnessEvent) Map() map[string]any {
	return map[string]any{"type": e.Type(), "alpha": e.Alpha, "loss": e.Loss, "error": e.Error,
		"index": e.Index, "count": e.Count}
}

func (e SampleEvent) Map() map[string]any {
	return map[string]any{"type": e.Type(), "image": e.Image, "label": e.Label, "index": e.Index}
}

func (e ConfusionEvent) Map() map[string]any {
	matrix := make([]any, len(e.Matrix))
	for i, v := range e.Matrix {
		matrix[i] = v
	}
	worst := make([]any, len(e.Worst))
	for i, w := range e.Worst {
		worst[i] = map[string]any{"image": w.Image, "label": w.Label, "pred": w.Pred, "prob": w.Prob}
	}
	return map[string]any{"type": e.Type(), "matrix": matrix, "worst": worst, "n": e.N, "acc": e.Acc}
}

func (e ModelBytesEvent) Map() map[string]any {
	return map[string]any{"type": e.Type(), "bytes": e.Bytes}
}

func (e ErrorEvent) Map() map[string]any {
	return map[string]any{"type": e.Type(), "message": e.Message, "kind": e.Kind, "retry": e.Retry}
}

func (e CheckEvent) Map() map[string]any {
	return map[string]any{"type": e.Type(), "message": e.Message}
}

// specMap is s as the page sees it (its JSON form).
func specMap(s engine.Spec) map[string]any {
	b, err := json.Marshal(s)
	if err != nil {
		panic("playground: spec does not marshal: " + err.Error())
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic("playground: spec does not unmarshal: " + err.Error())
	}
	return m
}

// LandscapeGridEvent starts a landscape job: the plane ("pca": the top two
// principal components of the run's weight snapshots, with the share of
// the trajectory's variance along each and the path's coordinates;
// "random": two filter-normalised random directions), the grid's
// coordinates along each, the validation images each point is evaluated
// on, and Note when the plane is not the one asked for (and why).
type LandscapeGridEvent struct {
	Plane     string
	Note      string
	Xs, Ys    []float64
	Explained [2]float64
	Path      [][2]float64 // theta0, the snapshots, then the current weights (0, 0)
	N         int
	Count     int // points of the grid
}

// LandscapePointEvent is one point of the landscape: row I (Ys[I]), column J
// (Xs[J]), the validation loss (NaN where it is not finite: the weights
// there overflow) and accuracy, the Index-th point of Count, and the job's
// computing time so far in seconds.
type LandscapePointEvent struct {
	I, J, Index, Count int
	Loss, Acc          float64
	Seconds            float64
}

// SharpnessEvent is the sharpness at the current weights: the top Ritz
// values of the training loss' Hessian (on the first N training images, with
// the run's labels) after Step of Steps Lanczos steps, with their residual
// bounds; Loss is the training loss there. The last (Done) adds the
// Hutchinson trace estimate and its standard error over Samples vectors
// (NaN before).
type SharpnessEvent struct {
	Values, Bounds  []float64
	Step, Steps     int
	N               int
	Loss            float64
	Trace, TraceErr float64
	Samples         int
	Done            bool
}

// LandscapeDoneEvent ends a landscape job: finished, or Cancelled (Reason:
// the cancel command, a new run, another job), with Points of Count grid
// points computed (NaN of them not finite), Seconds of computing in the
// worker's slices and Wall seconds since it started.
type LandscapeDoneEvent struct {
	Cancelled          bool
	Reason             string
	Points, Count, NaN int
	Seconds, Wall      float64
}

func (LandscapeGridEvent) Type() string  { return "landscapeGrid" }
func (LandscapePointEvent) Type() string { return "landscapePoint" }
func (SharpnessEvent) Type() string      { return "sharpness" }
func (LandscapeDoneEvent) Type() string  { return "landscapeDone" }

func floats(v []float64) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
}

func (e LandscapeGridEvent) Map() map[string]any {
	path := make([]any, len(e.Path))
	for i, p := range e.Path {
		path[i] = []any{p[0], p[1]}
	}
	return map[string]any{"type": e.Type(), "plane": e.Plane, "note": e.Note, "xs": floats(e.Xs), "ys": floats(e.Ys),
		"explained": []any{e.Explained[0], e.Explained[1]}, "path": path, "n": e.N, "count": e.Count}
}

func (e LandscapePointEvent) Map() map[string]any {
	return map[string]any{"type": e.Type(), "i": e.I, "j": e.J, "index": e.Index, "count": e.Count,
		"loss": e.Loss, "acc": e.Acc, "seconds": e.Seconds}
}

func (e SharpnessEvent) Map() map[string]any {
	return map[string]any{"type": e.Type(), "values": floats(e.Values), "bounds": floats(e.Bounds), "step": e.Step,
		"steps": e.Steps, "n": e.N, "loss": e.Loss, "trace": e.Trace, "traceErr": e.TraceErr, "samples": e.Samples, "done": e.Done}
}

func (e LandscapeDoneEvent) Map() map[string]any {
	return map[string]any{"type": e.Type(), "cancelled": e.Cancelled, "reason": e.Reason, "points": e.Points,
		"count": e.Count, "nan": e.NaN, "seconds": e.Seconds, "wall": e.Wall}
}
