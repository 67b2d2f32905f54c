package wire_test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"math"
	"reflect"
	"strings"
	"testing"

	"mnistplay/wire"
	"mnistplay/wire/wiretest"
)

func TestClassifyCmdCheck(t *testing.T) {
	ok := wire.ClassifyCmd{Image: make([]float32, wire.ImagePixels)}
	if err := ok.Check(); err != nil {
		t.Fatalf("a blank image: %v", err)
	}
	for name, img := range map[string][]float32{
		"short":    make([]float32, 10),
		"long":     make([]float32, wire.ImagePixels+1),
		"negative": append([]float32{-0.5}, make([]float32, wire.ImagePixels-1)...),
		"nan":      append([]float32{float32(math.NaN())}, make([]float32, wire.ImagePixels-1)...),
		"bright":   append(make([]float32, wire.ImagePixels-1), 2),
	} {
		err := wire.ClassifyCmd{Image: img}.Check()
		if err == nil || !strings.HasPrefix(err.Error(), "classify: ") {
			t.Errorf("%s image: error %v", name, err)
		}
	}
}

// TestRoundTrip sends one message of every type through Encode and Decode.
func TestRoundTrip(t *testing.T) {
	for _, m := range wiretest.Table() {
		obj := wire.Encode(m)
		got, err := wire.Decode(obj)
		if err != nil {
			t.Errorf("%T: %v", m, err)
			continue
		}
		if !wiretest.Equal(got, m) {
			t.Errorf("%T: decoded\n%#v\nwant\n%#v", m, got, m)
		}
	}
}

// TestTableCoversContract fails when a message type is added to the
// package (a type with a Type or Cmd method) without being registered in
// Events or Commands, or without a value in the contract test's table.
func TestTableCoversContract(t *testing.T) {
	declared := map[string]bool{}
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Recv == nil || (fn.Name.Name != "Type" && fn.Name.Name != "Cmd") {
					continue
				}
				if id, ok := fn.Recv.List[0].Type.(*ast.Ident); ok {
					declared[id.Name] = true
				}
			}
		}
	}
	registered := map[string]bool{}
	for _, e := range wire.Events {
		registered[reflect.TypeOf(e).Name()] = true
	}
	for _, c := range wire.Commands {
		registered[reflect.TypeOf(c).Name()] = true
	}
	inTable := map[string]bool{}
	for _, m := range wiretest.Table() {
		inTable[reflect.TypeOf(m).Name()] = true
	}
	for name := range declared {
		if !registered[name] {
			t.Errorf("%s has a Type or Cmd method but is not in wire.Events or wire.Commands", name)
		}
		if !inTable[name] {
			t.Errorf("%s has no value in wiretest.Table", name)
		}
	}
	if len(registered) != len(wire.Events)+len(wire.Commands) {
		t.Errorf("a type is registered twice")
	}
	names := map[string]bool{}
	for _, e := range wire.Events {
		if names["type:"+e.Type()] {
			t.Errorf("two events are named %q", e.Type())
		}
		names["type:"+e.Type()] = true
	}
	for _, c := range wire.Commands {
		if names["cmd:"+c.Cmd()] {
			t.Errorf("two commands are named %q", c.Cmd())
		}
		names["cmd:"+c.Cmd()] = true
	}
}

func TestEncodeShape(t *testing.T) {
	obj := wire.Encode(wire.StepsEvent{Steps: []wire.StepPoint{{Step: 3, Loss: 1.5, LR: 0.5}}})
	if obj["type"] != "steps" {
		t.Errorf("type %v", obj["type"])
	}
	p := obj["steps"].([]any)[0].(map[string]any)
	if p["step"] != 3.0 || p["loss"] != 1.5 || p["lr"] != 0.5 {
		t.Errorf("step point %v", p)
	}
	w := wire.Encode(wire.WeightsEvent{Data: []float32{1, 2}})
	if _, ok := w["data"].([]float32); !ok {
		t.Errorf("weights data is %T, want []float32 (a typed array)", w["data"])
	}
	if c := wire.Encode(wire.StartCmd{}); c["cmd"] != "start" || len(c) != 1 {
		t.Errorf("start: %v", c)
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		name  string
		obj   map[string]any
		field string // of the *FieldError; "" for an *UnknownError
	}{
		{"unknown type", map[string]any{"type": "nope"}, ""},
		{"no type or cmd", map[string]any{"loaded": 1.0}, ""},
		{"cmd not a string", map[string]any{"cmd": 3.0}, ""},
		{"string for a number", map[string]any{"type": "progress", "loaded": "3"}, "loaded"},
		{"fraction of a whole number", map[string]any{"type": "state", "step": 1.5}, "step"},
		{"number too large for an int", map[string]any{"type": "state", "step": 1e300}, "step"},
		{"nested", map[string]any{"type": "steps", "steps": []any{map[string]any{}, map[string]any{"loss": true}}}, "steps[1].loss"},
		{"array length", map[string]any{"type": "arch", "layers": []any{map[string]any{"shape": []any{1.0, 2.0}}}}, "layers[0].shape"},
		{"object for an array", map[string]any{"type": "steps", "steps": map[string]any{}}, "steps"},
		{"typed array", map[string]any{"type": "weights", "data": "x"}, "data"},
		{"byte out of range", map[string]any{"type": "sample", "image": []any{1.0, 256.0}}, "image[1]"},
		{"spec", map[string]any{"type": "weights", "spec": map[string]any{"hidden": "wide"}}, "spec"},
	}
	for _, c := range cases {
		_, err := wire.Decode(c.obj)
		var fe *wire.FieldError
		var ue *wire.UnknownError
		switch {
		case c.field == "" && !errors.As(err, &ue):
			t.Errorf("%s: error %v, want an *UnknownError", c.name, err)
		case c.field != "" && !errors.As(err, &fe):
			t.Errorf("%s: error %v, want a *FieldError", c.name, err)
		case c.field != "" && (fe.Field != c.field || fe.Message != c.obj["type"]):
			t.Errorf("%s: field %q of %q, want %q of %q (%v)", c.name, fe.Field, fe.Message, c.field, c.obj["type"], err)
		}
	}
	// Missing keys and null stay zero; unknown keys are ignored.
	m, err := wire.Decode(map[string]any{"type": "state", "state": nil, "extra": 1.0})
	if err != nil || m != (wire.StateEvent{}) {
		t.Errorf("sparse state: %v, %v", m, err)
	}
	// Old records keep typed arrays as arrays of numbers.
	m, err = wire.Decode(map[string]any{"type": "weights", "data": []any{0.5, 1.0}})
	if err != nil || !reflect.DeepEqual(m.(wire.WeightsEvent).Data, []float32{0.5, 1}) {
		t.Errorf("weights from an array: %v, %v", m, err)
	}
	if _, err := wire.DecodeCommand(map[string]any{"type": "steps"}); err == nil {
		t.Errorf("an event decoded as a command")
	}
	if _, err := wire.DecodeEvent(map[string]any{"cmd": "start"}); err == nil {
		t.Errorf("a command decoded as an event")
	}
}

func TestEncodePanicsOnOtherTypes(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("no panic")
		}
	}()
	wire.Encode(wire.StepPoint{})
}

// BenchmarkEncodeSteps encodes a steps event of 20 points, more than the
// worker sends at once while a default run trains (about one per 50 ms);
// compare with BenchmarkDecodeSteps and the engine's step benchmarks.
func BenchmarkEncodeSteps(b *testing.B) {
	ev := stepsEvent(20)
	b.ReportAllocs()
	for b.Loop() {
		wire.Encode(ev)
	}
}

func BenchmarkDecodeSteps(b *testing.B) {
	obj := wire.Encode(stepsEvent(20))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := wire.Decode(obj); err != nil {
			b.Fatal(err)
		}
	}
}

func stepsEvent(n int) wire.StepsEvent {
	ev := wire.StepsEvent{Steps: make([]wire.StepPoint, n)}
	for i := range ev.Steps {
		ev.Steps[i] = wire.StepPoint{Step: i, Epoch: float64(i) / 900, Loss: 1 / float64(i+1), Acc: 0.5, LR: 0.05, ExamplesPerSec: 9000}
	}
	return ev
}

// BenchmarkEncodeStepsByHand builds the same object field by field, as the
// hand-written Map methods this package replaced did: the baseline of
// BenchmarkEncodeSteps.
func BenchmarkEncodeStepsByHand(b *testing.B) {
	ev := stepsEvent(20)
	b.ReportAllocs()
	for b.Loop() {
		steps := make([]any, len(ev.Steps))
		for i, p := range ev.Steps {
			steps[i] = map[string]any{"step": float64(p.Step), "epoch": p.Epoch, "loss": p.Loss, "acc": p.Acc,
				"lr": float64(p.LR), "examplesPerSec": p.ExamplesPerSec}
		}
		_ = map[string]any{"type": ev.Type(), "steps": steps}
	}
}

// TestReaders: every event the trainer sends has a reader; weights and
// pad answers go to the canvas only, the page's DOM answers to the page
// only, and a snapshot to whoever asked.
func TestReaders(t *testing.T) {
	for _, e := range wire.Events {
		page, view := wire.Readers(e, false)
		switch e.(type) {
		case wire.RunsEvent, wire.ExportEvent, wire.PadEvent:
			if page || view {
				t.Errorf("%T: the page's own event routed as the trainer's", e)
			}
		default:
			if !page && !view {
				t.Errorf("%T: nobody reads it", e)
			}
		}
	}
	for _, c := range []struct {
		e          wire.Event
		fromView   bool
		page, view bool
	}{
		{wire.WeightsEvent{}, false, false, true},
		{wire.Prediction{}, true, false, true},
		{wire.SampleEvent{}, false, false, true},
		{wire.ModelBytesEvent{}, false, true, false},
		{wire.CheckEvent{}, false, true, false},
		{wire.StepsEvent{}, false, true, true},
		{wire.ErrorEvent{}, true, true, true},
		{wire.SnapshotEvent{}, false, true, false},
		{wire.SnapshotEvent{}, true, true, false}, // a record sent while a canvas' request is handled
		{wire.SnapshotEvent{ID: 3}, true, false, true},
		{wire.SnapshotEvent{ID: 3}, false, true, false},
	} {
		page, view := wire.Readers(c.e, c.fromView)
		if page != c.page || view != c.view {
			t.Errorf("%T (asked by the canvas %v): page %v view %v, want %v %v", c.e, c.fromView, page, view, c.page, c.view)
		}
	}
	// An event a pool worker leaves out must reach the page in the run's
	// record: SnapshotEvent has a list of it, or of the points it carries.
	// And the page needs the run's state and epochs live (the sweep's
	// results, the end of the run).
	inRecord := map[reflect.Type]bool{}
	rec := reflect.TypeOf(wire.SnapshotEvent{})
	for i := 0; i < rec.NumField(); i++ {
		if f := rec.Field(i).Type; f.Kind() == reflect.Slice {
			inRecord[f.Elem()] = true
		}
	}
	carried := func(e wire.Event) bool {
		t := reflect.TypeOf(e)
		if inRecord[t] {
			return true
		}
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i).Type; f.Kind() == reflect.Slice && inRecord[f.Elem()] {
				return true
			}
		}
		return false
	}
	live := 0
	for _, e := range wire.Events {
		if !wire.LiveOnly(e) {
			continue
		}
		live++
		if !carried(e) {
			t.Errorf("%T is LiveOnly but the run's record does not carry it", e)
		}
		switch e.(type) {
		case wire.StateEvent, wire.EpochEvent, wire.ErrorEvent, wire.SnapshotEvent:
			t.Errorf("%T is LiveOnly: the page needs it live", e)
		}
	}
	if live == 0 {
		t.Error("no event is LiveOnly: pool workers would send every step")
	}
	for _, c := range wire.Commands {
		_, want := c.(wire.ClassifyCmd)
		switch c.(type) {
		case wire.SnapshotCmd, wire.SampleCmd, wire.FlatnessCmd:
			want = true
		}
		if wire.ViewCommand(c) != want {
			t.Errorf("%T: ViewCommand %v", c, !want)
		}
	}
}
