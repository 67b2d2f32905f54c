//go:build js && wasm

package main

import (
	"syscall/js"
	"unsafe"

	"mnistplay/wasm/ui/view"
	"mnistplay/wire"
)

// trainerLink is the canvas' end of the MessageChannel the page makes to
// the trainer worker: classification requests go out and answers come back
// without passing through the page (wire package).
type trainerLink struct {
	port    js.Value
	handler js.Func
	image   js.Value // a Float32Array(784) reused for requests
}

// connect takes a port from the page's {type:'connect'} message, replacing
// an older one.
func (l *trainerLink) connect(port js.Value, in *inbox) {
	if port.Type() != js.TypeObject {
		return
	}
	if l.handler.Truthy() {
		l.port.Set("onmessage", js.Null())
		l.handler.Release()
	}
	l.port = port
	l.handler = js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) > 0 {
			if m, ok := decodeAnswer(args[0].Get("data")); ok {
				in.push(m)
			}
		}
		return nil
	})
	port.Set("onmessage", l.handler)
}

// classify sends r to the trainer; without a port yet it is dropped (the
// pad is classified again with the next weights).
func (l *trainerLink) classify(r wire.ClassifyRequest) {
	if l.port.Type() != js.TypeObject {
		return
	}
	if l.image.IsUndefined() {
		l.image = js.Global().Get("Float32Array").New(wire.ImagePixels)
	}
	raw := js.Global().Get("Uint8Array").New(l.image.Get("buffer"), 0, 4*wire.ImagePixels)
	js.CopyBytesToJS(raw, unsafe.Slice((*byte)(unsafe.Pointer(&r.Image[0])), 4*len(r.Image)))
	o := js.Global().Get("Object").New()
	o.Set(wire.KeyCmd, wire.CmdClassify)
	o.Set(wire.KeyID, r.ID)
	o.Set(wire.KeyFilter, r.Filter)
	o.Set(wire.KeyImage, l.image) // copied by postMessage
	l.port.Call("postMessage", o)
}

// decodeAnswer turns the trainer's answer into a view message.
func decodeAnswer(d js.Value) (view.Msg, bool) {
	if d.Type() != js.TypeObject {
		return view.Msg{}, false
	}
	id := d.Get(wire.KeyID)
	if id.Type() != js.TypeNumber {
		return view.Msg{}, false
	}
	switch t := d.Get(wire.KeyType).String(); t {
	case wire.TypePrediction:
		p := &wire.Prediction{ID: id.Int(), Step: d.Get(wire.KeyStep).Int(), Digit: d.Get(wire.KeyDigit).Int(), ActW: d.Get(wire.KeyActW).Int()}
		p.Probs = append([]float32(nil), float32s(d.Get(wire.KeyProbs))...)
		p.Act = append([]float32(nil), float32s(d.Get(wire.KeyAct))...)
		return view.Msg{Type: t, Prediction: p}, true
	case wire.TypePredictionError:
		return view.Msg{Type: t, Message: d.Get(wire.KeyMessage).String()}, true
	}
	return view.Msg{}, false
}
