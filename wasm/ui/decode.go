//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"os"
	"syscall/js"

	"mnistplay/wire"
	"mnistplay/wire/jsconv"
)

// Weight snapshots arrive a few times a second; garbage of their size
// means long GC pauses on the page's thread, so their buffers are reused.
// The JS objects of the trainer's events stay pinned until Go collects;
// on a busy machine the canvas draws few frames and so allocates and
// collects rarely, and they piled up in the page's JS heap (the memory
// browser test). They count against the page's heap, a few MB, not the
// worker's, so the canvas collects after a quarter as many as the trainer.
func init() {
	jsconv.Float32s = freeFloats.get
	jsconv.CollectEvery = 1 << 12
}

// decode turns a posted JS object into a wire event; ok is false for
// objects that are not (the canvas' own messages to the page, echoed back)
// and for a malformed event, which is logged.
func decode(d js.Value) (wire.Event, bool) {
	obj, ok := jsconv.FromJS(d)
	if !ok {
		return nil, false
	}
	e, err := wire.DecodeEvent(obj)
	if err != nil {
		var ue *wire.UnknownError
		if !errors.As(err, &ue) {
			fmt.Fprintln(os.Stderr, "ui:", err)
		}
		return nil, false
	}
	return e, true
}

// floatPool is a small free list of float32 buffers.
type floatPool struct{ free [][]float32 }

var freeFloats floatPool

func (p *floatPool) get(n int) []float32 {
	for i, b := range p.free {
		if cap(b) >= n && cap(b) <= 2*n { // not a snapshot's buffer for ten probabilities
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
