//go:build js && wasm

package main

import (
	"syscall/js"
	"unsafe"

	"mnistplay/engine"
	"mnistplay/wasm/ui/view"
)

// decode turns a posted JS object into a view.Msg; ok is false for objects
// that are not events (e.g. the UI's own messages echoed back).
func decode(d js.Value) (m view.Msg, ok bool) {
	if d.Type() != js.TypeObject {
		return m, false
	}
	t := d.Get("type")
	if t.Type() != js.TypeString {
		return m, false
	}
	m.Type = t.String()
	num := func(k string) float64 {
		x := d.Get(k)
		if x.Type() != js.TypeNumber {
			return 0
		}
		return x.Float()
	}
	str := func(k string) string {
		x := d.Get(k)
		if x.Type() != js.TypeString {
			return ""
		}
		return x.String()
	}
	switch m.Type {
	case "ui":
		return m, false
	case "progress":
		m.Loaded, m.Total = num("loaded"), num("total")
	case "state":
		m.State, m.Step, m.Epoch = str("state"), int(num("step")), num("epoch")
	case "step":
		m.Type = "steps"
		m.Steps = []view.StepPoint{stepPoint(d)}
	case "steps":
		s := d.Get("steps")
		if s.Type() == js.TypeObject {
			n := s.Length()
			m.Steps = make([]view.StepPoint, n)
			for i := 0; i < n; i++ {
				m.Steps[i] = stepPoint(s.Index(i))
			}
		}
	case "epoch":
		m.EpochN = int(num("epoch"))
		m.TrainLoss, m.TrainAcc = num("trainLoss"), num("trainAcc")
		m.ValLoss, m.ValAcc = num("valLoss"), num("valAcc")
	case "weights":
		m.SpecJSON = js.Global().Get("JSON").Call("stringify", d.Get("spec")).String()
		m.Data = float32s(d.Get("data"))
	case "arch":
		ls := d.Get("layers")
		if ls.Type() == js.TypeObject {
			for i := 0; i < ls.Length(); i++ {
				l := ls.Index(i)
				var row view.Layer
				row.Name = l.Get("name").String()
				if sh := l.Get("shape"); sh.Type() == js.TypeObject {
					for k := 0; k < 3 && k < sh.Length(); k++ {
						row.Shape[k] = sh.Index(k).Int()
					}
				}
				if p := l.Get("params"); p.Type() == js.TypeNumber {
					row.Params = p.Int()
				}
				m.Layers = append(m.Layers, row)
			}
		}
		m.Params = int(num("params"))
	case "shuffle":
		m.On = d.Get("on").Truthy()
		m.Fraction, m.Epoch = num("fraction"), num("epoch")
	case "robustness":
		m.Move = engine.Move{Angle: num("angle"), DX: num("dx"), DY: num("dy")}
		m.Acc, m.Index, m.Count = num("acc"), int(num("index")), int(num("count"))
	case "flatness":
		m.Alpha, m.Loss, m.Error = num("alpha"), num("loss"), num("error")
		m.Index, m.Count = int(num("index")), int(num("count"))
	case "sample":
		m.Image = bytes(d.Get("image"))
		m.Label = int(num("label"))
	case "error":
		m.Message, m.Kind = str("message"), str("kind")
	case "pad":
		m.Cmd = str("cmd")
	case "eval":
		m.Epoch, m.ValLoss, m.ValAcc = num("epoch"), num("valLoss"), num("valAcc")
	case "export":
		m.Panel = str("panel")
	case "runs":
		m.Runs = runs(d.Get("runs"))
	case "landscapeGrid", "landscapePoint", "sharpness", "landscapeDone":
		m.Land = land(d)
	}
	return m, true
}

// land decodes the landscape job's messages (all four share view.Land).
func land(d js.Value) *view.Land {
	l := &view.Land{
		Plane: jsStr(d.Get("plane")), Note: jsStr(d.Get("note")), Reason: jsStr(d.Get("reason")),
		Xs: nums(d.Get("xs")), Ys: nums(d.Get("ys")), Values: nums(d.Get("values")), Bounds: nums(d.Get("bounds")),
		N: int(jsNum0(d.Get("n"))), Count: int(jsNum0(d.Get("count"))),
		I: int(jsNum0(d.Get("i"))), J: int(jsNum0(d.Get("j"))), Index: int(jsNum0(d.Get("index"))),
		Loss: jsNum(d.Get("loss")), Acc: jsNum(d.Get("acc")), Seconds: jsNum0(d.Get("seconds")),
		Step: int(jsNum0(d.Get("step"))), Steps: int(jsNum0(d.Get("steps"))),
		Trace: jsNum(d.Get("trace")), TraceErr: jsNum(d.Get("traceErr")), Done: d.Get("done").Truthy(),
		Cancelled: d.Get("cancelled").Truthy(), Points: int(jsNum0(d.Get("points"))), NaN: int(jsNum0(d.Get("nan"))),
	}
	if e := nums(d.Get("explained")); len(e) == 2 {
		l.Explained = [2]float64{e[0], e[1]}
	}
	if p := d.Get("path"); p.Type() == js.TypeObject {
		for i := 0; i < p.Length(); i++ {
			if q := nums(p.Index(i)); len(q) == 2 {
				l.Path = append(l.Path, [2]float64{q[0], q[1]})
			}
		}
	}
	return l
}

// nums copies an array of numbers (NaN for what is not a number).
func nums(a js.Value) []float64 {
	if a.Type() != js.TypeObject {
		return nil
	}
	out := make([]float64, a.Length())
	for i := range out {
		out[i] = jsNum(a.Index(i))
	}
	return out
}

// jsNum0 is jsNum with 0 for what is not a number (counts, indices).
func jsNum0(x js.Value) float64 {
	if x.Type() != js.TypeNumber {
		return 0
	}
	return x.Float()
}

func stepPoint(s js.Value) view.StepPoint {
	f := func(k string) float64 {
		x := s.Get(k)
		if x.Type() != js.TypeNumber {
			return 0
		}
		return x.Float()
	}
	return view.StepPoint{Step: int(f("step")), Epoch: f("epoch"), Loss: lossValue(s.Get("loss")), Acc: f("acc"), ExPerSec: f("examplesPerSec")}
}

// lossValue keeps NaN and Inf (JS numbers) so the plot can skip them; a
// missing loss is NaN.
func lossValue(x js.Value) float64 {
	if x.Type() != js.TypeNumber {
		return nanValue
	}
	return x.Float()
}

var nanValue = js.Global().Get("NaN").Float()

// bytes copies a Uint8Array (or array of numbers) into Go.
func bytes(v js.Value) []byte {
	if v.Type() != js.TypeObject {
		return nil
	}
	u8 := js.Global().Get("Uint8Array")
	if !v.InstanceOf(u8) {
		v = u8.Call("from", v)
	}
	b := make([]byte, v.Get("length").Int())
	js.CopyBytesToGo(b, v)
	return b
}

// float32s copies a Float32Array (or array of numbers) into Go, reusing a
// buffer of the free list when one is large enough (weight snapshots
// arrive a few times a second; garbage of that size means long GC pauses
// on the page's thread).
func float32s(v js.Value) []float32 {
	if v.Type() != js.TypeObject {
		return nil
	}
	f32 := js.Global().Get("Float32Array")
	if !v.InstanceOf(f32) {
		v = f32.Call("from", v)
	}
	n := v.Get("length").Int()
	out := freeFloats.get(n)
	if n == 0 {
		return out
	}
	raw := js.Global().Get("Uint8Array").New(v.Get("buffer"), v.Get("byteOffset"), n*4)
	js.CopyBytesToGo(unsafe.Slice((*byte)(unsafe.Pointer(&out[0])), n*4), raw) // wasm is little-endian, like Float32Array here
	return out
}

// floatPool is a small free list of float32 buffers.
type floatPool struct{ free [][]float32 }

var freeFloats floatPool

func (p *floatPool) get(n int) []float32 {
	for i, b := range p.free {
		if cap(b) >= n {
			p.free[i] = p.free[len(p.free)-1]
			p.free = p.free[:len(p.free)-1]
			return b[:n]
		}
	}
	return make([]float32, n)
}

// put returns b to the free list (at most a few are kept).
func (p *floatPool) put(b []float32) {
	if cap(b) > 0 && len(p.free) < 4 {
		p.free = append(p.free, b)
	}
}

// runs decodes the runs of a 'runs' message; missing fields stay zero
// (NaN for numbers, so such points are not drawn).
func runs(a js.Value) []view.Run {
	if a.Type() != js.TypeObject {
		return nil
	}
	out := make([]view.Run, 0, a.Length())
	for i := 0; i < a.Length(); i++ {
		r := a.Index(i)
		if r.Type() != js.TypeObject {
			continue
		}
		run := view.Run{ID: jsStr(r.Get("id")), Name: jsStr(r.Get("name")), Color: jsStr(r.Get("color"))}
		each(r.Get("epochs"), func(e js.Value) {
			run.Epochs = append(run.Epochs, view.RunEpoch{Epoch: jsNum(e.Get("epoch")),
				TrainLoss: jsNum(e.Get("trainLoss")), TrainAcc: jsNum(e.Get("trainAcc")),
				ValLoss: jsNum(e.Get("valLoss")), ValAcc: jsNum(e.Get("valAcc"))})
		})
		each(r.Get("evals"), func(e js.Value) {
			run.Evals = append(run.Evals, view.RunEval{Epoch: jsNum(e.Get("epoch")),
				ValLoss: jsNum(e.Get("valLoss")), ValAcc: jsNum(e.Get("valAcc"))})
		})
		each(r.Get("markers"), func(e js.Value) {
			run.Markers = append(run.Markers, view.RunMarker{Epoch: jsNum(e.Get("epoch")), Label: jsStr(e.Get("label"))})
		})
		each(r.Get("flatness"), func(e js.Value) {
			run.Flatness = append(run.Flatness, view.RunFlat{Alpha: jsNum(e.Get("alpha")),
				Loss: jsNum(e.Get("loss")), Error: jsNum(e.Get("error"))})
		})
		if sh := r.Get("sharpness"); sh.Type() == js.TypeObject {
			if vals := nums(sh.Get("values")); len(vals) > 0 {
				run.Sharp = &view.RunSharp{Values: vals, Trace: jsNum(sh.Get("trace"))}
			}
		}
		out = append(out, run)
	}
	return out
}

// each calls f for every object element of the array a (nothing when a is
// not an array).
func each(a js.Value, f func(js.Value)) {
	if a.Type() != js.TypeObject || !js.Global().Get("Array").Call("isArray", a).Bool() {
		return
	}
	for i := 0; i < a.Length(); i++ {
		if e := a.Index(i); e.Type() == js.TypeObject {
			f(e)
		}
	}
}

func jsNum(x js.Value) float64 {
	if x.Type() != js.TypeNumber {
		return nanValue
	}
	return x.Float()
}

func jsStr(x js.Value) string {
	if x.Type() != js.TypeString {
		return ""
	}
	return x.String()
}
