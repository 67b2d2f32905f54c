package wire

import (
	"encoding/json"
	"fmt"

	"mnistplay/engine"
)

// Event is a message with a "type" key: from the trainer to the page and
// the canvas, or from the page to the canvas.
type Event interface{ Type() string }

// Command is a message with a "cmd" key, for the trainer.
type Command interface{ Cmd() string }

// The keys that name a message's type.
const (
	KeyCmd  = "cmd"
	KeyType = "type"
)

// Error kinds of an ErrorEvent: what the page does about it depends on them,
// never on the message's text.
const (
	KindData     = "data"    // the MNIST pack could not be fetched or decoded
	KindWeights  = "weights" // a weights file (or a saved run's weights) was refused
	KindConfig   = "config"  // the settings are refused, or a command does not fit the run
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

// ImagePixels is the length of a ClassifyCmd's image: 28x28.
const ImagePixels = 28 * 28

// ---- commands: page (or canvas) -> trainer ----

// ConfigureCmd makes a new run from an engine.Config (its JSON form); the
// trainer answers with arch, state and weights, or an error of kind config.
type ConfigureCmd struct {
	Config json.RawMessage `wire:"config"`
}

// CheckCmd validates a configuration as configure would, without making a
// run; a CheckEvent with the same ID answers.
type CheckCmd struct {
	ID     int             `wire:"id"`
	Config json.RawMessage `wire:"config"`
}

// SweepCmd asks the trainer to read a sweep's fields as typed (lists such
// as "100, 500 3000") and make the grid's runs from the page's settings
// (Base, as for configure): a SweepEvent with the same ID answers
// (playground.SweepGrid has the rules).
type SweepCmd struct {
	ID      int             `wire:"id"`
	Base    json.RawMessage `wire:"base"`
	Batches string          `wire:"batches"`
	LRs     string          `wire:"lrs"`
	Epochs  string          `wire:"epochs"`
	Subset  string          `wire:"subset"`
	Hidden  string          `wire:"hidden"`
}

// StartCmd starts or resumes the run.
type StartCmd struct{}

// PauseCmd pauses the run.
type PauseCmd struct{}

// StepCmd trains one batch while not running.
type StepCmd struct{}

// ResetCmd makes a new run from the last configuration, weights
// re-initialised.
type ResetCmd struct{}

// ShuffleCmd shuffles a fraction of the training labels from the next batch on.
type ShuffleCmd struct {
	On       bool    `wire:"on"`
	Fraction float64 `wire:"fraction"`
}

// FlatnessCmd evaluates the validation set at θ(α) = (1−α)·θ₀ + α·θ for
// each α; a FlatnessEvent per point answers.
type FlatnessCmd struct {
	Alphas     []float64 `wire:"alphas"`     // none: the worker's grid (engine.AlphaGrid)
	EvalSubset int       `wire:"evalSubset"` // validation images; 0: the run's
}

// SampleCmd asks for a random test image (a SampleEvent).
type SampleCmd struct{}

// ConfusionCmd asks for the confusion matrix on the validation set.
type ConfusionCmd struct{}

// RobustnessCmd measures the accuracy on the first EvalSubset test images
// moved by each of engine.RobustnessMoves (a RobustnessEvent per move).
type RobustnessCmd struct {
	EvalSubset int `wire:"evalSubset"`
}

// LoadWeightsCmd makes a new run from engine.Model.MarshalBinary bytes.
type LoadWeightsCmd struct {
	Bytes []byte `wire:"bytes"`
}

// GetWeightsCmd asks for the current model's MarshalBinary bytes: a
// ModelBytesEvent, or an ErrorEvent, with the same ID answers.
type GetWeightsCmd struct {
	ID int `wire:"id"`
}

// RetryDataCmd fetches again the pack piece that failed (after an
// ErrorEvent with Retry).
type RetryDataCmd struct{}

// SnapshotCmd asks for the run as the trainer holds it: a SnapshotEvent
// with the same ID, sent to whoever asked (see Readers). The canvas asks
// over its channel when it (re)connects, with Weights set: the current
// weights follow. The page asks when it is left, for the record it keeps.
type SnapshotCmd struct {
	ID      int  `wire:"id"`      // from 1; 0 is the session's unasked record
	Weights bool `wire:"weights"` // a WeightsEvent follows the snapshot
}

// ClassifyCmd asks, from the canvas over its own channel, for the current
// model's answer for one image, the drawing pad as the model sees it.
type ClassifyCmd struct {
	ID     int       `wire:"id"`     // echoed in the answer; the canvas keeps only its newest
	Image  []float32 `wire:"image"`  // (28, 28) ink from 0 to 1, MNIST-style
	Filter int       `wire:"filter"` // first-layer channel whose output map to send back; -1: none
}

// Check reports a request the trainer cannot answer.
func (r ClassifyCmd) Check() error {
	if len(r.Image) != ImagePixels {
		return fmt.Errorf("classify: an image of %d values, want %d", len(r.Image), ImagePixels)
	}
	for i, v := range r.Image {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("classify: pixel %d is %v, outside 0..1", i, v)
		}
	}
	return nil
}

// LandscapeCmd computes the validation loss on a Grid x Grid plane through
// the current weights ("pca": the top two principal components of the
// run's weight snapshots; "random": two filter-normalised random
// directions), then the sharpness there: a LandscapeGridEvent, a
// LandscapePointEvent per point, SharpnessEvents, and a LandscapeDoneEvent.
type LandscapeCmd struct {
	Grid       float64 `wire:"grid"`       // points per side, a whole number from 2
	Plane      string  `wire:"plane"`      // "pca" (none: pca) or "random"
	EvalSubset int     `wire:"evalSubset"` // validation images; 0: 1,000
}

// CancelLandscapeCmd stops a landscape job (a LandscapeDoneEvent with
// Cancelled answers).
type CancelLandscapeCmd struct{}

func (ConfigureCmd) Cmd() string   { return "configure" }
func (CheckCmd) Cmd() string       { return "check" }
func (SweepCmd) Cmd() string       { return "sweep" }
func (StartCmd) Cmd() string       { return "start" }
func (PauseCmd) Cmd() string       { return "pause" }
func (StepCmd) Cmd() string        { return "step" }
func (ResetCmd) Cmd() string       { return "reset" }
func (ShuffleCmd) Cmd() string     { return "shuffle" }
func (FlatnessCmd) Cmd() string    { return "flatness" }
func (SampleCmd) Cmd() string      { return "sample" }
func (ConfusionCmd) Cmd() string   { return "confusion" }
func (RobustnessCmd) Cmd() string  { return "robustness" }
func (LoadWeightsCmd) Cmd() string { return "loadWeights" }
func (GetWeightsCmd) Cmd() string  { return "getWeights" }
func (RetryDataCmd) Cmd() string   { return "retryData" }
func (SnapshotCmd) Cmd() string    { return "snapshot" }
func (ClassifyCmd) Cmd() string    { return "classify" }
func (LandscapeCmd) Cmd() string   { return "landscape" }
func (CancelLandscapeCmd) Cmd() string {
	return "cancelLandscape"
}

// ---- events: trainer -> page and canvas ----

// ProgressEvent reports bytes of the data pack received so far.
type ProgressEvent struct {
	Loaded int64 `wire:"loaded"`
	Total  int64 `wire:"total"`
}

// ReadyEvent says the first piece of data is decoded and training can start.
type ReadyEvent struct {
	Train int `wire:"train"`
	Test  int `wire:"test"`
}

// DataCompleteEvent says every piece of data is decoded.
type DataCompleteEvent struct {
	Train int `wire:"train"`
	Test  int `wire:"test"`
}

// LayerRow is one layer of an ArchEvent.
type LayerRow struct {
	Name   string `wire:"name"`
	Shape  [3]int `wire:"shape"` // (C, H, W) of one example's output
	Params int    `wire:"params"`
}

// ArchEvent describes the model of a new run.
type ArchEvent struct {
	Layers []LayerRow  `wire:"layers"`
	Params int         `wire:"params"`
	Spec   engine.Spec `wire:"spec"`
}

// StateEvent reports the run's state (StateIdle, ...).
type StateEvent struct {
	State string  `wire:"state"`
	Step  int     `wire:"step"`
	Epoch float64 `wire:"epoch"` // fractional
}

// StepPoint is one training step.
type StepPoint struct {
	Step           int     `wire:"step"`
	Epoch          float64 `wire:"epoch"` // fractional
	Loss           float64 `wire:"loss"`
	Acc            float64 `wire:"acc"` // batch accuracy before the update
	LR             float32 `wire:"lr"`
	ExamplesPerSec float64 `wire:"examplesPerSec"` // moving average
}

// StepsEvent carries the steps since the last one (throttled to a few a second).
type StepsEvent struct {
	Steps []StepPoint `wire:"steps"`
}

// EpochEvent reports a finished epoch; accuracies are fractions.
type EpochEvent struct {
	Epoch     int     `wire:"epoch"`
	TrainLoss float64 `wire:"trainLoss"`
	TrainAcc  float64 `wire:"trainAcc"`
	ValLoss   float64 `wire:"valLoss"` // NaN: the epoch was not evaluated
	ValAcc    float64 `wire:"valAcc"`
	Best      bool    `wire:"best"` // the best validation loss so far
	Step      int     `wire:"step"`
	TrainN    int     `wire:"trainN"` // training examples the run had in this epoch
	// TrainEvalLoss and TrainEvalAcc are measured on the whole training
	// set after the epoch (engine.Config.EvalTrain), else 0.
	TrainEvalLoss float64 `wire:"trainEvalLoss"`
	TrainEvalAcc  float64 `wire:"trainEvalAcc"`
}

// EvalEvent is a quick validation between epoch ends: the loss and
// accuracy on the first N test images at fractional epoch Epoch.
type EvalEvent struct {
	Epoch   float64 `wire:"epoch"`
	Step    int     `wire:"step"`
	ValLoss float64 `wire:"valLoss"`
	ValAcc  float64 `wire:"valAcc"`
	N       int     `wire:"n"`
}

// WeightsEvent is a snapshot of every parameter, flat in Model.Params order.
type WeightsEvent struct {
	Spec engine.Spec `wire:"spec"`
	Step int         `wire:"step"`
	Data []float32   `wire:"data"` // (NumWeights)
}

// ShuffleEvent says label shuffling changed at fractional epoch Epoch.
type ShuffleEvent struct {
	On       bool    `wire:"on"`
	Fraction float32 `wire:"fraction"`
	Epoch    float64 `wire:"epoch"`
	Step     int     `wire:"step"`
}

// FlatnessEvent is point Index of Count of the flatness curve; Error is a
// fraction.
type FlatnessEvent struct {
	Alpha float64 `wire:"alpha"`
	Loss  float64 `wire:"loss"`
	Error float64 `wire:"error"`
	Index int     `wire:"index"`
	Count int     `wire:"count"`
}

// RobustnessEvent is point Index of Count of a robustness job: the
// accuracy on the first N test images moved by (Angle, DX, DY), an
// engine.Move.
type RobustnessEvent struct {
	Angle float64 `wire:"angle"`
	DX    float64 `wire:"dx"`
	DY    float64 `wire:"dy"`
	Acc   float64 `wire:"acc"`
	N     int     `wire:"n"`
	Index int     `wire:"index"`
	Count int     `wire:"count"`
}

// Move is the event's move.
func (e RobustnessEvent) Move() engine.Move { return engine.Move{Angle: e.Angle, DX: e.DX, DY: e.DY} }

// SampleEvent is a random test image.
type SampleEvent struct {
	Image []uint8 `wire:"image"` // (28, 28)
	Label int     `wire:"label"`
	Index int     `wire:"index"`
}

// Confused is one misclassified validation image of a ConfusionEvent.
type Confused struct {
	Image []uint8 `wire:"image"` // (28, 28)
	Label int     `wire:"label"`
	Pred  int     `wire:"pred"`
	Prob  float64 `wire:"prob"` // the model's probability of Pred
}

// ConfusionEvent is the confusion matrix on the validation set,
// Matrix[label*10+pred], and the most confidently wrong images.
type ConfusionEvent struct {
	Matrix [engine.NumClasses * engine.NumClasses]int `wire:"matrix"`
	Worst  []Confused                                 `wire:"worst"`
	N      int                                        `wire:"n"`
	Acc    float64                                    `wire:"acc"`
}

// ModelBytesEvent answers the GetWeightsCmd of the same ID with
// engine.Model.MarshalBinary bytes.
type ModelBytesEvent struct {
	ID    int    `wire:"id"`
	Bytes []byte `wire:"bytes"`
}

// ErrorEvent is an error for the page to show.
type ErrorEvent struct {
	Message string `wire:"message"`
	Kind    string `wire:"kind"` // KindData, ...
	// Retry: the page offers a Retry button that sends RetryDataCmd (a
	// data download that failed and can be tried again).
	Retry bool `wire:"retry"`
	// ID is the request this error answers (a GetWeightsCmd), 0 for none.
	ID int `wire:"id"`
}

// CheckEvent answers a CheckCmd: Message is why the configuration would be
// refused (what configure would say), or empty if it is good; Preview is
// its model's convolution and pooling sizes ("conv1 28→24, pool 24→12, ..."),
// empty for an MLP.
type CheckEvent struct {
	ID      int    `wire:"id"` // the CheckCmd's
	Message string `wire:"message"`
	Preview string `wire:"preview"`
}

// SnapshotEvent is the run as the trainer holds it: its model, state and
// a bounded history, each curve thinned evenly to at most a thousand
// points. It answers a SnapshotCmd (its ID), or, with ID 0, is the record
// of the run the trainer sends the page on its own: when the run stops
// training (paused, done, diverged), when a job on it ends, and at most
// every few seconds while it trains (playground.Options.SaveEvery). HasRun
// is false before the first configure (Arch is then empty).
type SnapshotEvent struct {
	ID       int             `wire:"id"` // the SnapshotCmd's; 0: not asked for
	HasRun   bool            `wire:"hasRun"`
	Arch     ArchEvent       `wire:"arch"`
	State    StateEvent      `wire:"state"`
	Steps    []StepPoint     `wire:"steps"`
	Epochs   []EpochEvent    `wire:"epochs"`
	Evals    []EvalEvent     `wire:"evals"`
	Shuffles []ShuffleEvent  `wire:"shuffles"`
	Flatness []FlatnessEvent `wire:"flatness"` // the newest curve
}

// SweepRun is one run of a sweep's grid: its batch size, learning rate
// and configuration (for configure).
type SweepRun struct {
	Batch  int             `wire:"batch"`
	LR     float64         `wire:"lr"`
	Config json.RawMessage `wire:"config"`
}

// SweepEvent answers a SweepCmd: the grid's batch sizes and learning rates
// as read, and its runs, batch-major; or Message, which says which field
// or run is wrong (no runs then).
type SweepEvent struct {
	ID      int        `wire:"id"`
	Message string     `wire:"message"`
	Batches []int      `wire:"batches"`
	LRs     []float64  `wire:"lrs"`
	Runs    []SweepRun `wire:"runs"`
}

// Prediction answers a ClassifyCmd, over the canvas' channel.
type Prediction struct {
	ID    int       `wire:"id"`
	Step  int       `wire:"step"`  // the training step of the weights that answered
	Probs []float32 `wire:"probs"` // (10) softmax probabilities
	Digit int       `wire:"digit"` // the most probable class
	// Act is the requested first-layer channel's output map, (ActW, ActW)
	// row-major; empty without a filter or for a model without conv1.
	Act  []float32 `wire:"act"`
	ActW int       `wire:"actW"`
}

// PredictionError says why a ClassifyCmd got no prediction (no model yet,
// a bad request); the canvas shows Message.
type PredictionError struct {
	ID      int    `wire:"id"`
	Message string `wire:"message"`
}

// LandscapeGridEvent starts a landscape job: the plane ("pca": the top two
// principal components of the run's weight snapshots, with the share of
// the trajectory's variance along each and the path's coordinates;
// "random": two filter-normalised random directions), the grid's
// coordinates along each, the validation images each point is evaluated
// on, and Note when the plane is not the one asked for (and why).
type LandscapeGridEvent struct {
	Plane     string       `wire:"plane"`
	Note      string       `wire:"note"`
	Xs        []float64    `wire:"xs"`
	Ys        []float64    `wire:"ys"`
	Explained [2]float64   `wire:"explained"`
	Path      [][2]float64 `wire:"path"` // theta0, the snapshots, then the current weights (0, 0)
	N         int          `wire:"n"`
	Count     int          `wire:"count"` // points of the grid
}

// LandscapePointEvent is one point of the landscape: row I (Ys[I]), column J
// (Xs[J]), the validation loss (NaN where it is not finite: the weights
// there overflow) and accuracy, the Index-th point of Count, and the job's
// computing time so far in seconds.
type LandscapePointEvent struct {
	I       int     `wire:"i"`
	J       int     `wire:"j"`
	Index   int     `wire:"index"`
	Count   int     `wire:"count"`
	Loss    float64 `wire:"loss"`
	Acc     float64 `wire:"acc"`
	Seconds float64 `wire:"seconds"`
}

// SharpnessEvent is the sharpness at the current weights: the top Ritz
// values of the training loss' Hessian (on the first N training images, with
// the run's labels) after Step of Steps Lanczos steps, with their residual
// bounds; Loss is the training loss there. The last (Done) adds the
// Hutchinson trace estimate and its standard error over Samples vectors
// (NaN before).
type SharpnessEvent struct {
	Values   []float64 `wire:"values"`
	Bounds   []float64 `wire:"bounds"`
	Step     int       `wire:"step"`
	Steps    int       `wire:"steps"`
	N        int       `wire:"n"`
	Loss     float64   `wire:"loss"`
	Trace    float64   `wire:"trace"`
	TraceErr float64   `wire:"traceErr"`
	Samples  int       `wire:"samples"`
	Done     bool      `wire:"done"`
}

// LandscapeDoneEvent ends a landscape job: finished, or Cancelled (Reason:
// the cancel command, a new run, another job), with Points of Count grid
// points computed (NaN of them not finite), Seconds of computing in the
// worker's slices and Wall seconds since it started.
type LandscapeDoneEvent struct {
	Cancelled bool    `wire:"cancelled"`
	Reason    string  `wire:"reason"`
	Points    int     `wire:"points"`
	Count     int     `wire:"count"`
	NaN       int     `wire:"nan"`
	Seconds   float64 `wire:"seconds"`
	Wall      float64 `wire:"wall"`
}

// DataParallelEvent answers the page's dataParallel command (which carries
// a SharedArrayBuffer, no part of this contract): the run trains on
// Replicas workers, or on one with Message saying why.
type DataParallelEvent struct {
	Replicas int    `wire:"replicas"`
	Message  string `wire:"message"`
}

// ReplicaEndEvent says a worker that followed a data-parallel run as
// replica Rank stopped: the run ended, or failed (Message).
type ReplicaEndEvent struct {
	Rank    int    `wire:"rank"`
	Message string `wire:"message"`
}

func (ProgressEvent) Type() string       { return "progress" }
func (ReadyEvent) Type() string          { return "ready" }
func (DataCompleteEvent) Type() string   { return "dataComplete" }
func (ArchEvent) Type() string           { return "arch" }
func (StateEvent) Type() string          { return "state" }
func (StepsEvent) Type() string          { return "steps" }
func (EpochEvent) Type() string          { return "epoch" }
func (EvalEvent) Type() string           { return "eval" }
func (WeightsEvent) Type() string        { return "weights" }
func (ShuffleEvent) Type() string        { return "shuffle" }
func (FlatnessEvent) Type() string       { return "flatness" }
func (RobustnessEvent) Type() string     { return "robustness" }
func (SampleEvent) Type() string         { return "sample" }
func (ConfusionEvent) Type() string      { return "confusion" }
func (ModelBytesEvent) Type() string     { return "modelBytes" }
func (ErrorEvent) Type() string          { return "error" }
func (CheckEvent) Type() string          { return "check" }
func (SweepEvent) Type() string          { return "sweep" }
func (SnapshotEvent) Type() string       { return "snapshot" }
func (Prediction) Type() string          { return "prediction" }
func (PredictionError) Type() string     { return "predictionError" }
func (LandscapeGridEvent) Type() string  { return "landscapeGrid" }
func (LandscapePointEvent) Type() string { return "landscapePoint" }
func (SharpnessEvent) Type() string      { return "sharpness" }
func (LandscapeDoneEvent) Type() string  { return "landscapeDone" }
func (DataParallelEvent) Type() string   { return "dataParallel" }
func (ReplicaEndEvent) Type() string     { return "replicaEnd" }

// ---- page -> canvas ----

// Run is a run the page keeps (web/runs.js), drawn over the live curves in
// its colour when ticked.
type Run struct {
	ID       string          `wire:"id"`
	Name     string          `wire:"name"`
	Color    string          `wire:"color"` // "#rrggbb"
	Epochs   []EpochEvent    `wire:"epochs"`
	Evals    []EvalEvent     `wire:"evals"`
	Shuffles []ShuffleEvent  `wire:"shuffles"`
	Markers  []Marker        `wire:"markers"` // labelled epochs, e.g. a record's initial shuffle
	Flatness []FlatnessEvent `wire:"flatness"`
	// Sharpness is the run's last sharpness; no Values: not measured.
	Sharpness SharpnessEvent `wire:"sharpness"`
}

// Marker is a labelled epoch of a Run (e.g. where shuffling started).
type Marker struct {
	Epoch float64 `wire:"epoch"`
	Label string  `wire:"label"`
}

// RunsEvent is the runs a person ticked for overlay.
type RunsEvent struct {
	Runs []Run `wire:"runs"`
}

// ExportEvent asks the canvas for a panel as PNG: "loss", "accuracy",
// "flatness" or "filters".
type ExportEvent struct {
	Panel string `wire:"panel"`
}

// PadEvent is a button of the page for the drawing pad: Cmd "clear".
type PadEvent struct {
	Cmd string `wire:"cmd"`
}

func (RunsEvent) Type() string   { return "runs" }
func (ExportEvent) Type() string { return "export" }
func (PadEvent) Type() string    { return "pad" }

// Commands is one value of every command type, Events of every event type:
// Decode knows these, and the generated protocol.js and docs list them.
var (
	Commands = []Command{
		ConfigureCmd{}, CheckCmd{}, StartCmd{}, PauseCmd{}, StepCmd{}, ResetCmd{},
		ShuffleCmd{}, FlatnessCmd{}, SampleCmd{}, ConfusionCmd{}, RobustnessCmd{},
		LoadWeightsCmd{}, GetWeightsCmd{}, RetryDataCmd{}, SnapshotCmd{}, ClassifyCmd{},
		LandscapeCmd{}, CancelLandscapeCmd{}, SweepCmd{},
	}
	Events = []Event{
		ProgressEvent{}, ReadyEvent{}, DataCompleteEvent{}, ArchEvent{}, StateEvent{},
		StepsEvent{}, EpochEvent{}, EvalEvent{}, WeightsEvent{}, ShuffleEvent{},
		FlatnessEvent{}, RobustnessEvent{}, SampleEvent{}, ConfusionEvent{},
		ModelBytesEvent{}, ErrorEvent{}, CheckEvent{}, SnapshotEvent{},
		Prediction{}, PredictionError{}, RunsEvent{}, ExportEvent{}, PadEvent{},
		LandscapeGridEvent{}, LandscapePointEvent{}, SharpnessEvent{}, LandscapeDoneEvent{},
		DataParallelEvent{}, ReplicaEndEvent{}, SweepEvent{},
	}
)
