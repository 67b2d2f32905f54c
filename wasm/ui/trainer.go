//go:build js && wasm

package main

import (
	"syscall/js"

	"mnistplay/wire"
	"mnistplay/wire/jsconv"
)

// trainerLink is the canvas' end of the MessageChannel the page makes to
// the trainer worker: the trainer's events for the canvas (curves, weights,
// answers) come in, and the canvas' requests (classify, sample, flatness,
// snapshot) go out, without passing through the page (wire.Readers).
type trainerLink struct {
	port    js.Value
	handler js.Func
	snapID  int // the newest snapshot request
}

// connect takes a port from the page's {type:'connect'} message, replacing
// an older one, and asks the trainer for the run as it holds it, with its
// weights: the canvas draws what happened before it connected.
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
			if m, ok := decode(args[0].Get("data")); ok {
				in.push(m)
			}
		}
		return nil
	})
	port.Set("onmessage", l.handler)
	l.snapID++
	l.ask(wire.SnapshotCmd{ID: l.snapID, Weights: true})
}

// ask sends c to the trainer; without a port yet it is dropped (the pad
// is classified again with the next weights, and the snapshot asked for on
// connecting brings the run).
func (l *trainerLink) ask(c wire.Command) {
	if l.port.Type() != js.TypeObject {
		return
	}
	v, transfer := jsconv.ToJS(wire.Encode(c)) // a copy of a classify's image: it is only lent
	l.port.Call("postMessage", v, transfer)
}
