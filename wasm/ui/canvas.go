//go:build js && wasm && !uiebiten

package main

import (
	"strconv"
	"sync/atomic"
	"syscall/js"
	"time"

	"mnistplay/wasm/ui/view"
	"mnistplay/wire"
)

// canvasUI presents the view on a 2D canvas: in an animation frame it
// applies queued events and pointer input, lets the view render what
// changed, and copies those panels with putImageData. It asks for a frame
// only when something came (an event, input, a resize) or the view has a
// panel due (View.Due), so an idle canvas runs no Go and lets the page's
// thread sleep.
type canvasUI struct {
	v      *view.View
	in     *inbox
	msgs   []wire.Event
	input  *domInput
	ctx    js.Value
	data   [len(view.View{}.Panels)]js.Value // ImageData per panel
	pix    [len(view.View{}.Panels)]js.Value // its Uint8ClampedArray
	canvas js.Value
	stats  frameStats
	screen screen

	frameFn   js.Func     // the animation frame callback
	requested atomic.Bool // an animation frame is requested and has not run
	waker     waker
}

func run(v *view.View, in *inbox) {
	doc := js.Global().Get("document")
	c := doc.Call("createElement", "canvas")
	c.Set("id", "ui-canvas")
	c.Set("tabIndex", 0)
	doc.Get("body").Call("appendChild", c)
	ui := &canvasUI{v: v, in: in, canvas: c, ctx: c.Call("getContext", "2d", map[string]any{"alpha": false}), stats: frameStats{last: time.Now()}}
	ui.frameFn = js.FuncOf(func(js.Value, []js.Value) any {
		ui.frame()
		return nil
	})
	ui.waker = waker{frame: ui.request, onTimer: ui.request}
	ui.input = listen(c, in, v, false, ui.request)
	ui.screen.watch(ui.request)
	// A queued event is applied within IdleInterval; the view then says
	// when its panels are due.
	in.wake = func() { ui.waker.wake(time.Now().Add(view.IdleInterval)) }
	ui.layout()
	ui.request()
	postParent(map[string]any{"type": "ui", "event": "ready"})
	select {}
}

// layout sizes the canvas' backing store to its CSS size times the
// devicePixelRatio, so the view draws in device pixels (crisp at any
// ratio), and lays the view out for it.
func (ui *canvasUI) layout() {
	ui.screen.changed = false
	w, h, dpr := ui.screen.size()
	if cw, ch, cs := ui.v.Size(); cw == w && ch == h && cs == dpr && ui.data[0].Truthy() {
		return
	}
	ui.v.Resize(w, h, dpr)
	st := ui.canvas.Get("style")
	st.Set("width", strconv.Itoa(w)+"px")
	st.Set("height", strconv.Itoa(h)+"px")
	ui.canvas.Set("width", devSize(w, dpr))
	ui.canvas.Set("height", devSize(h, dpr))
	for i, p := range ui.v.Panels {
		ui.pix[i] = js.Global().Get("Uint8ClampedArray").New(len(p.Img.Pix))
		ui.data[i] = js.Global().Get("ImageData").New(ui.pix[i], p.Rect.Dx(), p.Rect.Dy())
	}
	exposeLayout(ui.canvas, ui.v)
	postSize(h, dpr)
}

// request asks for the next animation frame, once however often it is
// called before that frame.
func (ui *canvasUI) request() {
	if ui.requested.CompareAndSwap(false, true) {
		js.Global().Call("requestAnimationFrame", ui.frameFn)
	}
}

func (ui *canvasUI) frame() {
	ui.requested.Store(false)
	t0 := time.Now()
	if ui.screen.changed {
		ui.layout()
	}
	ui.msgs = ui.in.drain(ui.msgs)
	applyAll(ui.v, ui.msgs)
	ui.input.feed(ui.v)
	ui.v.Tick()
	n := ui.v.Render(t0)
	if n > 0 {
		for i, p := range ui.v.Panels {
			if !p.Drawn {
				continue
			}
			js.CopyBytesToJS(ui.pix[i], p.Img.Pix)
			ui.ctx.Call("putImageData", ui.data[i], p.Rect.Min.X, p.Rect.Min.Y)
			p.Drawn = false
		}
	}
	if d, ok := ui.v.Due(t0); ok {
		ui.waker.wake(t0.Add(d))
	}
	ui.stats.done(t0, n)
}
