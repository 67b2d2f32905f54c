//go:build js && wasm && uiebiten

package main

import (
	"sync"
	"syscall/js"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"mnistplay/plot"

	"mnistplay/wasm/ui/view"
	"mnistplay/wire"
)

// The ebiten presenter. It runs in FPSModeVsyncOffMinimum: ebiten calls
// Update and Draw only after ScheduleFrame, so a frame happens only when the
// view has something to draw (View.Due) or on pointer input; every other
// animation frame leaves the WebGL canvas alone. Queued events are applied
// outside ebiten's frames (pump), so a burst of worker events costs no
// frame, and a frame draws every panel of a redraw round at once (one
// present instead of one per panel: a present that draws nothing new
// still costs as much).
// With software WebGL each presented frame costs the compositor a read-back
// of the whole canvas, so presenting a few times a second instead of 60 is
// what keeps the page smooth while the worker trains.

type game struct {
	mu    sync.Mutex // guards v: pump and Update run on different goroutines
	v     *view.View
	in    *inbox
	input *domInput
	msgs  []wire.Event
	shown [len(view.View{}.Panels)]bool // panel image already on the screen

	waker waker // ScheduleFrame now, or pump at a later time

	stats frameStats // counts Updates as frames

	canvas js.Value
	screen screen

	// The panels are drawn on the GPU (gpuCanvas) into one texture each,
	// which Draw copies to the screen when it changed.
	panels [len(view.View{}.Panels)]*ebiten.Image
	gpu    *gpuScratch
}

// pump applies queued events and schedules the frame (or wake-up) the view
// asks for.
func (g *game) pump() {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	g.msgs = g.in.drain(g.msgs)
	applyAll(g.v, g.msgs)
	if d, ok := g.v.Due(now); ok {
		g.waker.wake(now.Add(d))
	}
}

func (g *game) Update() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	t0 := time.Now()
	g.msgs = g.in.drain(g.msgs)
	applyAll(g.v, g.msgs)
	g.input.feed(g.v)
	g.v.Tick()
	n := 0
	for k := 0; k < len(g.v.Panels); k++ { // a whole round in this frame
		m := g.v.Render(t0)
		if m == 0 {
			break
		}
		n += m
	}
	if n > 0 {
		if g.gpu != nil {
			g.gpu.flush() // the last panel's gathered strokes
		}
		for i, p := range g.v.Panels {
			if !p.Drawn {
				continue
			}
			p.Drawn = false
			g.shown[i] = false
		}
	}
	if d, ok := g.v.Due(t0); ok {
		g.waker.wake(t0.Add(d))
	}
	g.stats.done(t0, n)
	return nil
}

// Draw copies the panel textures that changed to the screen, which is not
// cleared between frames.
func (g *game) Draw(screen *ebiten.Image) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, p := range g.v.Panels {
		if g.shown[i] || g.panels[i] == nil {
			continue
		}
		op := &ebiten.DrawImageOptions{Blend: ebiten.BlendCopy}
		op.GeoM.Translate(float64(p.Rect.Min.X), float64(p.Rect.Min.Y))
		screen.DrawImage(g.panels[i], op)
		g.shown[i] = true
	}
}

// Layout lays the view out for the iframe's CSS width at the screen's
// devicePixelRatio, and makes ebiten's screen the view's size in device
// pixels, so every panel is drawn 1:1 (crisp at any ratio).
// targets gives every panel a texture of its size and a GPU canvas on it,
// after the view was laid out.
func (g *game) targets() {
	if g.gpu == nil {
		g.gpu = newGPUScratch()
	}
	face := text.NewGoXFace(plot.NewFace())
	for i, p := range g.v.Panels {
		if t := g.panels[i]; t != nil {
			t.Deallocate()
		}
		g.panels[i] = ebiten.NewImage(p.Rect.Dx(), p.Rect.Dy())
		p.Canvas = &gpuCanvas{dst: g.panels[i], face: face, gpu: g.gpu}
	}
}

func (g *game) Layout(w, h int) (int, int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	cw, ch, dpr := g.screen.size()
	if vw, vh, vs := g.v.Size(); g.screen.changed || vw != cw || vh != ch || vs != dpr {
		g.screen.changed = false
		g.v.Resize(cw, ch, dpr)
		g.shown = [len(g.shown)]bool{}
		g.targets()
		exposeLayout(g.canvas, g.v)
		postSize(ch, dpr)
	}
	return devSize(cw, dpr), devSize(ch, dpr)
}

func run(v *view.View, in *inbox) {
	doc := js.Global().Get("document")
	c := doc.Call("querySelector", "canvas") // ebiten made it at init
	c.Set("id", "ui-canvas")
	doc.Get("body").Get("style").Set("backgroundColor", "#fff")
	// Input comes from pointer events (domInput). ebiten's own mouse and
	// touch handlers would force a drawn frame per mouse move, so the
	// events stop at the body, before they reach the canvas.
	stop := js.FuncOf(func(_ js.Value, args []js.Value) any {
		args[0].Call("stopPropagation")
		return nil
	})
	for _, ev := range []string{"mousedown", "mouseup", "mousemove", "wheel", "touchstart", "touchend", "touchmove"} {
		doc.Get("body").Call("addEventListener", ev, stop, map[string]any{"capture": true, "passive": true})
	}

	ebiten.SetWindowSize(view.Width, view.Height) // ignored in a browser: the iframe sets the size
	ebiten.SetWindowTitle("MNIST playground")
	ebiten.SetScreenClearedEveryFrame(false)
	ebiten.SetRunnableOnUnfocused(true)
	ebiten.SetFPSMode(ebiten.FPSModeVsyncOffMinimum)
	ebiten.SetTPS(ebiten.SyncWithFPS) // one Update per drawn frame
	g := &game{v: v, in: in, stats: frameStats{last: time.Now()}, canvas: c}
	// A wake-up that comes applies what queued up and asks for a frame
	// only if the view then has something due now.
	g.waker = waker{frame: ebiten.ScheduleFrame, onTimer: g.pump}
	g.input = listen(c, in, v, true, ebiten.ScheduleFrame)
	// ebiten 2.8 reads devicePixelRatio once: on a change the program
	// starts again (the page replays the run when it is ready).
	g.screen.onRatio = func() { js.Global().Get("location").Call("reload") }
	g.screen.watch(ebiten.ScheduleFrame)
	// A queued event is applied within IdleInterval; the view then says
	// when its panels are due.
	in.wake = func() { g.waker.wake(time.Now().Add(view.IdleInterval)) }
	postParent(map[string]any{"type": "ui", "event": "ready"})
	if err := ebiten.RunGame(g); err != nil {
		js.Global().Get("console").Call("error", "ui: "+err.Error())
	}
}
