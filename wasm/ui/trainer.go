//go:build js && wasm

package main

import (
	"syscall/js"

	"mnistplay/wire"
	"mnistplay/wire/jsconv"
)

// trainerLink is the canvas' end of the MessageChannel the page makes to
// the trainer worker: classification requests go out and answers come back
// without passing through the page (wire package).
type trainerLink struct {
	port    js.Value
	handler js.Func
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
			if m, ok := decode(args[0].Get("data")); ok {
				in.push(m)
			}
		}
		return nil
	})
	port.Set("onmessage", l.handler)
}

// classify sends r to the trainer; without a port yet it is dropped (the
// pad is classified again with the next weights).
func (l *trainerLink) classify(r wire.ClassifyCmd) {
	if l.port.Type() != js.TypeObject {
		return
	}
	v, transfer := jsconv.ToJS(wire.Encode(r)) // a copy of the image: r's is only lent
	l.port.Call("postMessage", v, transfer)
}
