//go:build js && wasm && !uiebiten

package main

import (
	"syscall/js"
	"time"

	"mnistplay/wasm/ui/view"
)

// pointerEvent is one DOM pointer event in screen (view) coordinates.
type pointerEvent struct {
	x, y    int
	pressed bool
}

// canvasUI presents the view on a 2D canvas: every animation frame it
// applies queued events and pointer input, lets the view render what
// changed, and copies those panels with putImageData. A frame where nothing
// changed touches neither the canvas nor the page.
type canvasUI struct {
	v      *view.View
	in     *inbox
	msgs   []view.Msg
	ptr    []pointerEvent
	down   bool
	ctx    js.Value
	data   [len(view.View{}.Panels)]js.Value // ImageData per panel
	pix    [len(view.View{}.Panels)]js.Value // its Uint8ClampedArray
	canvas js.Value

	// fps accounting, reported to the page once a second
	frames  int
	busy    time.Duration
	worst   time.Duration
	renders int
	lastFP  time.Time
}

func run(v *view.View, in *inbox) {
	doc := js.Global().Get("document")
	c := doc.Call("createElement", "canvas")
	c.Set("width", view.Width)
	c.Set("height", view.Height)
	c.Set("id", "ui-canvas")
	c.Set("tabIndex", 0)
	doc.Get("body").Call("appendChild", c)
	ui := &canvasUI{v: v, in: in, canvas: c, ctx: c.Call("getContext", "2d", map[string]any{"alpha": false}), lastFP: time.Now()}
	for i, p := range v.Panels {
		ui.pix[i] = js.Global().Get("Uint8ClampedArray").New(len(p.Img.Pix))
		ui.data[i] = js.Global().Get("ImageData").New(ui.pix[i], p.Rect.Dx(), p.Rect.Dy())
	}
	// Pointer events cover mouse, pen and touch; capture keeps a stroke
	// that leaves the canvas going until the button is released.
	onPtr := func(pressed bool) js.Func {
		return js.FuncOf(func(_ js.Value, args []js.Value) any {
			e := args[0]
			if pressed {
				e.Call("preventDefault")
				c.Call("setPointerCapture", e.Get("pointerId"))
				c.Call("focus")
			}
			ui.push(e, pressed)
			return nil
		})
	}
	c.Call("addEventListener", "pointerdown", onPtr(true))
	c.Call("addEventListener", "pointerup", onPtr(false))
	c.Call("addEventListener", "pointercancel", onPtr(false))
	move := js.FuncOf(func(_ js.Value, args []js.Value) any {
		e := args[0]
		// Coalesced events: every sample of a fast stroke, not one per frame.
		if ui.down && e.Get("getCoalescedEvents").Type() == js.TypeFunction {
			list := e.Call("getCoalescedEvents")
			if n := list.Length(); n > 0 {
				for i := 0; i < n; i++ {
					ui.push(list.Index(i), true)
				}
				return nil
			}
		}
		ui.push(e, ui.down)
		return nil
	})
	c.Call("addEventListener", "pointermove", move)

	// Keyboard: with the canvas focused, Escape, Delete or Backspace clears
	// the pad (the pad's own buttons are pointer-only).
	c.Call("addEventListener", "keydown", js.FuncOf(func(_ js.Value, args []js.Value) any {
		switch args[0].Get("key").String() {
		case "Escape", "Delete", "Backspace":
			args[0].Call("preventDefault")
			in.push(view.Msg{Type: "pad", Cmd: "clear"})
		}
		return nil
	}))

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

// push records a pointer event in view coordinates (the canvas may be
// scaled by CSS).
func (ui *canvasUI) push(e js.Value, pressed bool) {
	r := ui.canvas.Call("getBoundingClientRect")
	w, h := r.Get("width").Float(), r.Get("height").Float()
	if w <= 0 || h <= 0 {
		return
	}
	x := (e.Get("clientX").Float() - r.Get("left").Float()) * float64(view.Width) / w
	y := (e.Get("clientY").Float() - r.Get("top").Float()) * float64(view.Height) / h
	ui.down = pressed
	ui.ptr = append(ui.ptr, pointerEvent{int(x), int(y), pressed})
}

func (ui *canvasUI) frame() {
	t0 := time.Now()
	ui.msgs = ui.in.drain(ui.msgs)
	applyAll(ui.v, ui.msgs)
	for _, p := range ui.ptr {
		ui.v.Pointer(p.x, p.y, p.pressed)
	}
	ui.ptr = ui.ptr[:0]
	ui.v.Tick()
	if n := ui.v.Render(t0); n > 0 {
		ui.renders += n
		for i, p := range ui.v.Panels {
			if !p.Drawn {
				continue
			}
			js.CopyBytesToJS(ui.pix[i], p.Img.Pix)
			ui.ctx.Call("putImageData", ui.data[i], p.Rect.Min.X, p.Rect.Min.Y)
			p.Drawn = false
		}
	}
	ui.frames++
	spent := time.Since(t0)
	ui.busy += spent
	ui.worst = max(ui.worst, spent)
	if d := t0.Sub(ui.lastFP); d >= time.Second {
		postParent(map[string]any{"type": "ui", "event": "fps", "fps": float64(ui.frames) / d.Seconds(),
			"busyMs": float64(ui.busy.Microseconds()) / 1000, "worstMs": float64(ui.worst.Microseconds()) / 1000,
			"renders": ui.renders})
		ui.lastFP, ui.frames, ui.busy, ui.worst, ui.renders = t0, 0, 0, 0, 0
	}
}
