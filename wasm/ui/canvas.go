//go:build js && wasm && !uiebiten

package main

import (
	"syscall/js"
	"time"

	"mnistplay/wasm/ui/view"
	"mnistplay/wire"
)

// canvasUI presents the view on a 2D canvas: every animation frame it
// applies queued events and pointer input, lets the view render what
// changed, and copies those panels with putImageData. A frame where nothing
// changed touches neither the canvas nor the page.
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
}

func run(v *view.View, in *inbox) {
	doc := js.Global().Get("document")
	c := doc.Call("createElement", "canvas")
	c.Set("width", view.Width)
	c.Set("height", view.Height)
	c.Set("id", "ui-canvas")
	c.Set("tabIndex", 0)
	doc.Get("body").Call("appendChild", c)
	ui := &canvasUI{v: v, in: in, canvas: c, ctx: c.Call("getContext", "2d", map[string]any{"alpha": false}), stats: frameStats{last: time.Now()}}
	for i, p := range v.Panels {
		ui.pix[i] = js.Global().Get("Uint8ClampedArray").New(len(p.Img.Pix))
		ui.data[i] = js.Global().Get("ImageData").New(ui.pix[i], p.Rect.Dx(), p.Rect.Dy())
	}
	ui.input = listen(c, in, false, nil)

	var frame js.Func
	frame = js.FuncOf(func(js.Value, []js.Value) any {
		ui.frame()
		js.Global().Call("requestAnimationFrame", frame)
		return nil
	})
	js.Global().Call("requestAnimationFrame", frame)
	postParent(map[string]any{"type": "ui", "event": "ready"})
	select {}
}

func (ui *canvasUI) frame() {
	t0 := time.Now()
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
	ui.stats.done(t0, n)
}
