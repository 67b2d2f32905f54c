//go:build js && wasm

package main

import (
	"syscall/js"

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
	}
	return m, true
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

// float32s copies a Float32Array (or array of numbers) into Go.
func float32s(v js.Value) []float32 {
	if v.Type() != js.TypeObject {
		return nil
	}
	f32 := js.Global().Get("Float32Array")
	if !v.InstanceOf(f32) {
		v = f32.Call("from", v)
	}
	n := v.Get("length").Int()
	out := make([]float32, n)
	raw := js.Global().Get("Uint8Array").New(v.Get("buffer"), v.Get("byteOffset"), n*4)
	b := make([]byte, n*4)
	js.CopyBytesToGo(b, raw)
	for i := range out {
		out[i] = float32frombits(uint32(b[4*i]) | uint32(b[4*i+1])<<8 | uint32(b[4*i+2])<<16 | uint32(b[4*i+3])<<24)
	}
	return out
}
