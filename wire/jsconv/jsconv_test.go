//go:build js && wasm

package jsconv

import (
	"strings"
	"syscall/js"
	"testing"

	"mnistplay/wire"
	"mnistplay/wire/wiretest"
)

// TestContractThroughJS sends one message of every type through the real
// encoder, into JavaScript values, through a structured clone with the
// typed arrays transferred (what postMessage does), back and through the
// real decoder.
func TestContractThroughJS(t *testing.T) {
	clone := js.Global().Get("structuredClone")
	if clone.Type() != js.TypeFunction {
		t.Fatal("no structuredClone in this JavaScript host")
	}
	for _, m := range wiretest.Table() {
		v, transfer := ToJS(wire.Encode(m))
		opts := js.Global().Get("Object").New()
		opts.Set("transfer", js.ValueOf(transfer))
		got, ok := FromJS(clone.Invoke(v, opts))
		if !ok {
			t.Errorf("%T: not an object after the clone", m)
			continue
		}
		back, err := wire.Decode(got)
		if err != nil {
			t.Errorf("%T: %v", m, err)
			continue
		}
		if !wiretest.Equal(back, m) {
			t.Errorf("%T: came back as\n%#v", m, back)
		}
	}
}

func TestTypedArrays(t *testing.T) {
	v, transfer := ToJS(wire.Encode(wire.WeightsEvent{Data: []float32{1.5, -2}}))
	d := v.Get("data")
	if !d.InstanceOf(js.Global().Get("Float32Array")) || d.Index(1).Float() != -2 {
		t.Errorf("data is %v, want a Float32Array [1.5, -2]", d)
	}
	if len(transfer) != 1 || !transfer[0].(js.Value).Equal(d.Get("buffer")) {
		t.Errorf("transfer list %v, want the data's buffer", transfer)
	}
	if v.Get("type").String() != "weights" {
		t.Errorf("type %v", v.Get("type"))
	}
	if _, ok := FromJS(js.ValueOf(3)); ok {
		t.Errorf("a number converted as an object")
	}
}

// BenchmarkStepsToJS is the trainer's whole cost of posting a steps event
// of 20 points but the postMessage: wire.Encode and the JS objects.
func BenchmarkStepsToJS(b *testing.B) {
	ev := wire.StepsEvent{Steps: make([]wire.StepPoint, 20)}
	for i := range ev.Steps {
		ev.Steps[i] = wire.StepPoint{Step: i, Epoch: float64(i) / 900, Loss: 1 / float64(i+1), Acc: 0.5, LR: 0.05, ExamplesPerSec: 9000}
	}
	for b.Loop() {
		ToJS(wire.Encode(ev))
	}
}

// BenchmarkStepsFromJS is the canvas' cost of reading that event: the JS
// object to Go and wire.Decode.
func BenchmarkStepsFromJS(b *testing.B) {
	ev := wire.StepsEvent{Steps: make([]wire.StepPoint, 20)}
	v, _ := ToJS(wire.Encode(ev))
	for b.Loop() {
		m, _ := FromJS(v)
		if _, err := wire.Decode(m); err != nil {
			b.Fatal(err)
		}
	}
}

// TestKeyOrder: objects get their keys in one (sorted) order, nested ones
// included, whatever Go's map order; V8 gives each order its own hidden
// class, which stored events keep alive.
func TestKeyOrder(t *testing.T) {
	ev := wire.Encode(wire.SnapshotEvent{Epochs: []wire.EpochEvent{{Epoch: 1}, {Epoch: 2}}})
	keys := js.Global().Get("Object").Get("keys")
	var first string
	for range 20 {
		v, _ := ToJS(ev)
		got := keys.Invoke(v).Call("join", ",").String() + " / " +
			keys.Invoke(v.Get("epochs").Index(1)).Call("join", ",").String()
		if first == "" {
			first = got
		}
		if got != first {
			t.Fatalf("keys %s, then %s", first, got)
		}
	}
	if !strings.HasPrefix(first, "arch,epochs,") {
		t.Errorf("keys %s, want sorted", first)
	}
}
