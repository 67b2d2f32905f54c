//go:build js && wasm

package main

import (
	"syscall/js"

	"mnistplay/wasm/ui/view"
	"mnistplay/wire"
)

// pointerEvent is one DOM pointer event in screen (view) coordinates.
type pointerEvent struct {
	x, y    int
	pressed bool
}

// domInput queues the canvas' pointer events (mouse, pen and touch, every
// coalesced sample) and turns its Escape, Delete and Backspace keys into a
// pad clear. Both presenters use it, so a press and release that arrive
// between two frames still reach the view as a click.
type domInput struct {
	canvas js.Value
	ptr    []pointerEvent
	down   bool
	// letterbox: the view is scaled uniformly and centred in the canvas'
	// box (ebiten); otherwise it is stretched to the box (2D canvas).
	letterbox bool
	// wake is called after each queued event (nil: nothing).
	wake func()
	// size is the view's size in device pixels.
	size func() (w, h int)
}

// listen installs the listeners on canvas; keys push to in.
func listen(canvas js.Value, in *inbox, v *view.View, letterbox bool, wake func()) *domInput {
	size := func() (int, int) {
		w, h, dpr := v.Size()
		return devSize(w, dpr), devSize(h, dpr)
	}
	d := &domInput{canvas: canvas, letterbox: letterbox, wake: wake, size: size}
	c := canvas
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
			d.push(e, pressed)
			return nil
		})
	}
	c.Call("addEventListener", "pointerdown", onPtr(true))
	c.Call("addEventListener", "pointerup", onPtr(false))
	c.Call("addEventListener", "pointercancel", onPtr(false))
	c.Call("addEventListener", "pointermove", js.FuncOf(func(_ js.Value, args []js.Value) any {
		e := args[0]
		// Coalesced events: every sample of a fast stroke, not one per frame.
		if d.down && e.Get("getCoalescedEvents").Type() == js.TypeFunction {
			list := e.Call("getCoalescedEvents")
			if n := list.Length(); n > 0 {
				for i := 0; i < n; i++ {
					d.push(list.Index(i), true)
				}
				return nil
			}
		}
		d.push(e, d.down)
		return nil
	}))
	// Keyboard: with the canvas focused, Escape, Delete or Backspace clears
	// the pad (the pad's own buttons are pointer-only).
	c.Call("addEventListener", "keydown", js.FuncOf(func(_ js.Value, args []js.Value) any {
		switch args[0].Get("key").String() {
		case "Escape", "Delete", "Backspace":
			args[0].Call("preventDefault")
			in.push(wire.PadEvent{Cmd: "clear"})
		}
		return nil
	}))
	return d
}

// push records a pointer event in view coordinates (the canvas may be
// scaled by CSS or by ebiten).
func (d *domInput) push(e js.Value, pressed bool) {
	r := d.canvas.Call("getBoundingClientRect")
	w, h := r.Get("width").Float(), r.Get("height").Float()
	if w <= 0 || h <= 0 {
		return
	}
	iw, ih := d.size()
	vw, vh := float64(iw), float64(ih)
	sx, sy := vw/w, vh/h
	ox, oy := 0.0, 0.0
	if d.letterbox {
		s := max(sx, sy) // view pixels per CSS pixel
		sx, sy = s, s
		ox, oy = (w-vw/s)/2, (h-vh/s)/2
	}
	x := (e.Get("clientX").Float() - r.Get("left").Float() - ox) * sx
	y := (e.Get("clientY").Float() - r.Get("top").Float() - oy) * sy
	d.down = pressed
	d.ptr = append(d.ptr, pointerEvent{int(x), int(y), pressed})
	if d.wake != nil {
		d.wake()
	}
}

// feed gives the queued pointer events to v in order and empties the queue.
func (d *domInput) feed(v *view.View) {
	for _, p := range d.ptr {
		v.Pointer(p.x, p.y, p.pressed)
	}
	d.ptr = d.ptr[:0]
}
