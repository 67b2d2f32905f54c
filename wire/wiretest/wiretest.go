// Package wiretest holds the contract test's table, one value of every
// message type of package wire, for the native test (wire) and the one
// under Node through the js.Value conversion (wire/jsconv).
package wiretest

import (
	"encoding/json"
	"math"
	"reflect"

	"mnistplay/engine"
	"mnistplay/wire"
)

// Table returns one message of every type of wire.Events and wire.Commands,
// with every field set (a NaN and an infinity where the wire carries them).
func Table() []any {
	spec := engine.DefaultCNN()
	return []any{
		wire.ConfigureCmd{Config: json.RawMessage(`{"batchSize":64,"model":{"arch":"mlp","hidden":[32]}}`)},
		wire.CheckCmd{ID: 6, Config: json.RawMessage(`{"epochs":3}`)},
		wire.SweepCmd{ID: 7, Base: json.RawMessage(`{"epochs":3}`), Batches: "100, 500", LRs: "1e-3", Epochs: "2", Subset: "0", Hidden: "300 100"},
		wire.StartCmd{}, wire.PauseCmd{}, wire.StepCmd{}, wire.ResetCmd{},
		wire.ShuffleCmd{On: true, Fraction: 0.25},
		wire.FlatnessCmd{Alphas: []float64{-0.5, 0, 1.5}, EvalSubset: 200},
		wire.SampleCmd{}, wire.ConfusionCmd{},
		wire.RobustnessCmd{EvalSubset: 300},
		wire.LandscapeCmd{Grid: 25, Plane: "pca", EvalSubset: 1000},
		wire.CancelLandscapeCmd{},
		wire.LoadWeightsCmd{Bytes: []byte{1, 2, 255}},
		wire.GetWeightsCmd{ID: 7},
		wire.RetryDataCmd{}, wire.SnapshotCmd{ID: 12, Weights: true},
		wire.ClassifyCmd{ID: 3, Image: ramp(wire.ImagePixels, 1.0/784), Filter: -1},

		wire.ProgressEvent{Loaded: 3 << 20, Total: 10 << 20},
		wire.ReadyEvent{Train: 20000, Test: 3334},
		wire.DataCompleteEvent{Train: 60000, Test: 10000},
		arch(spec),
		wire.StateEvent{State: wire.StateRunning, Step: 12, Epoch: 0.75},
		wire.StepsEvent{Steps: []wire.StepPoint{
			{Step: 1, Epoch: 0.01, Loss: 2.3, Acc: 0.125, LR: 0.05, ExamplesPerSec: 9000.5},
			{Step: 2, Epoch: 0.02, Loss: math.Inf(1), Acc: 0, LR: 0.025},
		}},
		wire.EpochEvent{Epoch: 2, TrainLoss: 0.5, TrainAcc: 0.9, ValLoss: math.NaN(), ValAcc: math.NaN(), Best: true, Step: 1876, TrainN: 60000, TrainEvalLoss: 0.25, TrainEvalAcc: 0.95},
		wire.EvalEvent{Epoch: 1.25, Step: 1100, ValLoss: 0.4, ValAcc: 0.88, N: 1000},
		wire.WeightsEvent{Spec: spec, Step: 5, Data: ramp(10, -0.5)},
		wire.ShuffleEvent{On: true, Fraction: 0.5, Epoch: 5.5, Step: 400},
		wire.FlatnessEvent{Alpha: -0.5, Loss: 3.5, Error: 0.75, Index: 0, Count: 41},
		wire.RobustnessEvent{Angle: -15, DX: 2, DY: -1, Acc: 0.8, N: 500, Index: 3, Count: 9},
		wire.LandscapeGridEvent{Plane: "pca", Note: "", Xs: []float64{-1, 0, 1}, Ys: []float64{-0.5, 0, 0.5},
			Explained: [2]float64{0.9, 0.08}, Path: [][2]float64{{-2, 0.1}, {-1, 0.05}, {0, 0}}, N: 1000, Count: 9},
		wire.LandscapePointEvent{I: 1, J: 2, Index: 5, Count: 9, Loss: math.NaN(), Acc: 0.1, Seconds: 1.5},
		wire.SharpnessEvent{Values: []float64{6.1, 3.2, 1.4}, Bounds: []float64{0.01, 0.2, 0.5}, Step: 12, Steps: 12,
			N: 1000, Loss: 0.2, Trace: 40, TraceErr: 8, Samples: 4, Done: true},
		wire.DataParallelEvent{Replicas: 1, Message: "trained by one worker: the data is still loading"},
		wire.ReplicaEndEvent{Rank: 1, Message: "replica 1: another worker stopped"},
		wire.LandscapeDoneEvent{Cancelled: true, Reason: "cancelled", Points: 5, Count: 9, NaN: 1, Seconds: 2, Wall: 3.5},
		wire.SampleEvent{Image: []uint8{0, 128, 255}, Label: 7, Index: 42},
		confusion(),
		wire.ModelBytesEvent{ID: 7, Bytes: []byte{9, 8, 7}},
		wire.ErrorEvent{Message: "training diverged at step 3", Kind: wire.KindDiverged, Retry: true, ID: 2},
		wire.CheckEvent{ID: 6, Message: "epochs -1 must be at least 0", Preview: "conv1 28→24, pool 24→12"},
		wire.SweepEvent{ID: 7, Batches: []int{100, 500}, LRs: []float64{1e-3},
			Runs: []wire.SweepRun{{Batch: 100, LR: 1e-3, Config: json.RawMessage(`{"batchSize":100}`)}, {Batch: 500, LR: 1e-3, Config: json.RawMessage(`{"batchSize":500}`)}}},
		wire.SnapshotEvent{ID: 12, HasRun: true, Arch: arch(spec),
			State:    wire.StateEvent{State: wire.StatePaused, Step: 40, Epoch: 1.5},
			Steps:    []wire.StepPoint{{Step: 1, Epoch: 0.5, Loss: 1, Acc: 0.5, LR: 0.1, ExamplesPerSec: 10}},
			Epochs:   []wire.EpochEvent{{Epoch: 1, TrainLoss: 1, TrainAcc: 0.5, ValLoss: 1.5, ValAcc: 0.4, Step: 20, TrainN: 100}},
			Evals:    []wire.EvalEvent{{Epoch: 0.5, Step: 10, ValLoss: 2, ValAcc: 0.3, N: 100}},
			Shuffles: []wire.ShuffleEvent{{On: true, Fraction: 1, Epoch: 1.2, Step: 24}},
			Flatness: []wire.FlatnessEvent{{Alpha: 1, Loss: 0.5, Error: 0.1, Index: 0, Count: 1}},
		},
		wire.Prediction{ID: 9, Step: 100, Probs: ramp(10, 0.1), Digit: 9, Act: ramp(4, 0.5), ActW: 2},
		wire.PredictionError{ID: 10, Message: "no model yet"},
		wire.RunsEvent{Runs: []wire.Run{{ID: "r1", Name: "adam", Color: "#1f77b4",
			Epochs:   []wire.EpochEvent{{Epoch: 1, TrainLoss: 0.5, TrainAcc: 0.8, ValLoss: 0.6, ValAcc: 0.75}},
			Evals:    []wire.EvalEvent{{Epoch: 0.5, ValLoss: 0.9, ValAcc: 0.6}},
			Shuffles: []wire.ShuffleEvent{{On: false, Epoch: 0.5, Step: 3}},
			Markers:  []wire.Marker{{Epoch: 0.25, Label: "shuffle 100%"}},
			Flatness: []wire.FlatnessEvent{{Alpha: 0, Loss: 2.3, Error: 0.9}},
		}}},
		wire.ExportEvent{Panel: "loss"},
		wire.PadEvent{Cmd: "clear"},
	}
}

func ramp(n int, step float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(i) * step
	}
	return out
}

func arch(spec engine.Spec) wire.ArchEvent {
	return wire.ArchEvent{Layers: []wire.LayerRow{
		{Name: "conv1", Shape: [3]int{10, 24, 24}, Params: 260},
		{Name: "fc", Shape: [3]int{10, 1, 1}, Params: 1010},
	}, Params: 38390, Spec: spec}
}

func confusion() wire.ConfusionEvent {
	c := wire.ConfusionEvent{N: 2000, Acc: 0.97,
		Worst: []wire.Confused{{Image: []uint8{1, 2, 3}, Label: 4, Pred: 9, Prob: 0.99}}}
	for i := range c.Matrix {
		c.Matrix[i] = i * 3
	}
	return c
}

// Equal reports whether a and b are the same message: like
// reflect.DeepEqual, except that NaN equals NaN and a nil slice an empty
// one (an empty typed array comes back from JavaScript as an empty slice).
func Equal(a, b any) bool {
	return equal(reflect.ValueOf(a), reflect.ValueOf(b))
}

func equal(a, b reflect.Value) bool {
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		return x == y || (math.IsNaN(x) && math.IsNaN(y))
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !equal(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range a.NumField() {
			if !equal(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equal(a.Elem(), b.Elem())
	case reflect.Map:
		return reflect.DeepEqual(a.Interface(), b.Interface())
	}
	return a.Interface() == b.Interface()
}
