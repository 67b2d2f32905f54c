//go:build js && wasm

// Command ui is the playground's canvas in the ui.html iframe. It receives
// the trainer worker's events over the MessageChannel the page gives the
// two (trainer.go) and the page's own (runs to overlay, a PNG export, the
// pad's clear) through postMessage, decodes them with package wire, queues
// them, and applies them in the next frame; all state and drawing logic lives
// in package view, which builds and tests natively and draws each panel
// into an *image.RGBA on the CPU.
//
// Two presenters put the view on the screen; web/ui.js picks one. The
// ebiten one (ebiten.go, -tags uiebiten) draws every panel on the GPU
// through plot's Canvas (gpucanvas.go): the default where WebGL runs on a
// GPU. The 2D-canvas one (canvas.go) draws panels on the CPU (plot.Raster)
// and copies those that changed with putImageData: the default where WebGL
// is missing or software-rendered (SwiftShader), where each WebGL frame
// costs the CPU more. Both size their backing store to the CSS size times
// devicePixelRatio and follow it (screen.go), and take pointer and key
// input from input.go. Both ask for a frame only when the view has
// something to draw (waker.go): an idle canvas costs the page nothing.
package main

import (
	"maps"
	"slices"
	"sync"
	"syscall/js"
	"time"

	"mnistplay/wasm/ui/view"
	"mnistplay/wire"
	"mnistplay/wire/jsconv"
)

// inbox is filled by the JS message callback and drained by the next frame.
type inbox struct {
	mu   sync.Mutex
	msgs []wire.Event
	// wake, if set, is called after each push (the ebiten presenter
	// schedules a frame with it).
	wake func()

	last      time.Time // of the newest push
	quietSet  bool      // a collection is set for when the stream goes quiet
	collected bool      // it ran (or had too little to collect), and no event came since
	trained   bool      // a run's steps came since the last quiet collection
}

// quietCollect is how long the events must have stopped (a run paused or
// ended) before the canvas runs Go's collector, if the events read since
// its last collection made at least quietPinned js.Values. Each event read
// pins its JS objects (the message and its arrays) in the page's heap
// until Go finalizes the js.Values that reached them, and the canvas
// allocates too little for Go to collect often on its own; forced
// collections while events flow blocked the page's thread (decode.go). A
// collection when nothing arrives releases them when no frame waits on
// it; a collection blocks the page's thread for up to about 100 ms (more
// under load), so it runs only after a run has trained (a run paused or
// ended), never after a page load or a refused setting, and a few pinned
// values are left for Go's own pacing.
const (
	quietCollect = 2 * time.Second
	quietPinned  = 1 << 12
)

// push queues m. A weight snapshot replaces one still waiting: only the
// newest weights matter, and loading each costs a copy of every parameter.
func (b *inbox) push(m wire.Event) {
	b.mu.Lock()
	b.add(m)
	b.last = time.Now()
	if _, ok := m.(wire.StepsEvent); ok {
		b.trained = true
	}
	if b.collected {
		b.collected = false
		js.Global().Set("uiCollectedQuiet", false)
	}
	if !b.quietSet {
		b.quietSet = true
		time.AfterFunc(quietCollect, b.collectWhenQuiet)
	}
	b.mu.Unlock()
	if b.wake != nil {
		b.wake()
	}
}

// collectWhenQuiet collects once no event has come for quietCollect, and
// waits again otherwise.
func (b *inbox) collectWhenQuiet() {
	b.mu.Lock()
	wait := quietCollect - time.Since(b.last)
	if wait > 0 {
		b.mu.Unlock()
		time.AfterFunc(wait, b.collectWhenQuiet)
		return
	}
	b.quietSet = false
	trained := b.trained
	b.trained = false
	b.mu.Unlock()
	if trained {
		jsconv.CollectIfPinned(quietPinned)
	}
	b.mu.Lock()
	b.collected = true
	b.mu.Unlock()
	// Collected, or too little pinned to: the memory test reads the heaps then.
	js.Global().Set("uiCollectedQuiet", true)
}

// add queues m; b.mu is held.
func (b *inbox) add(m wire.Event) {
	if _, ok := m.(wire.WeightsEvent); ok {
		for i := range b.msgs {
			if old, ok := b.msgs[i].(wire.WeightsEvent); ok {
				freeFloats.put(old.Data)
				b.msgs[i] = m
				return
			}
		}
	}
	b.msgs = append(b.msgs, m)
}

// applyAll applies msgs to v and recycles their weight buffers (the view
// copies what it keeps).
func applyAll(v *view.View, msgs []wire.Event) {
	for _, m := range msgs {
		v.Apply(m)
		if w, ok := m.(wire.WeightsEvent); ok {
			freeFloats.put(w.Data)
		}
	}
	clear(msgs)
}

func (b *inbox) drain(dst []wire.Event) []wire.Event {
	b.mu.Lock()
	dst = append(dst[:0], b.msgs...)
	clear(b.msgs) // drop references to weight buffers
	b.msgs = b.msgs[:0]
	b.mu.Unlock()
	return dst
}

// postParent sends m to the parent page (or to this window when standalone).
// []byte values become Uint8Arrays. An exported panel's pixels go to
// ui.js first, which has the browser encode them as PNG.
func postParent(m map[string]any) {
	p := js.Global().Get("parent")
	if p.IsUndefined() || p.IsNull() {
		return
	}
	o := toObject(m)
	if m["event"] == "pixels" {
		js.Global().Call("uiEncodePNG", o)
		return
	}
	p.Call("postMessage", o, "*")
}

// toObject converts m to a JS object; []byte values become Uint8Arrays.
func toObject(m map[string]any) js.Value {
	o := js.Global().Get("Object").New()
	for _, k := range slices.Sorted(maps.Keys(m)) { // one property order: one V8 hidden class (see wire/jsconv)
		v := m[k]
		if b, ok := v.([]byte); ok {
			a := js.Global().Get("Uint8Array").New(len(b))
			js.CopyBytesToJS(a, b)
			o.Set(k, a)
			continue
		}
		o.Set(k, js.ValueOf(v))
	}
	return o
}

func main() {
	in := &inbox{}
	v := view.New()
	v.Post = postParent
	link := &trainerLink{}
	v.Ask = link.ask
	js.Global().Call("addEventListener", "message", js.FuncOf(func(this js.Value, args []js.Value) any {
		if len(args) == 0 {
			return nil
		}
		data := args[0].Get("data")
		if data.Type() == js.TypeObject && data.Get("type").String() == "connect" {
			link.connect(args[0].Get("ports").Index(0), in)
			return nil
		}
		// Only the page's own events come this way (wire.Readers routes
		// none of them): the trainer's arrive over the link.
		if m, ok := decode(data); ok {
			if page, view := wire.Readers(m, false); !page && !view {
				in.push(m)
			}
		}
		return nil
	}))
	run(v, in) // the presenter; it posts {type:'ui', event:'ready'}
}
