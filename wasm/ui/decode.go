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
// The canvas sets no jsconv.CollectEvery: its forced collections, on the
// page's thread, blocked it past 100 ms under load (README, Architecture);
// it collects when the events stop instead (inbox.collectWhenQuiet).
func init() { jsconv.Float32s = freeFloats.get }

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
