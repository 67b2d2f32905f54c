//go:build js && wasm && uiebiten

package main

import (
	"syscall/js"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"mnistplay/wasm/ui/view"
)

// The ebiten presenter. It runs in FPSModeVsyncOffMinimum: ebiten calls
// Update and Draw only after ScheduleFrame, so a frame happens when the
// view has something due (View.Due), when a queued event may need it, or
// on input; every other animation frame leaves the WebGL canvas alone.
// With software WebGL each presented frame costs the compositor a read-back
// of the whole canvas, so presenting a few times a second instead of 60 is
// what keeps the page smooth while the worker trains.

type game struct {
	v     *view.View
	in    *inbox
	input *domInput
	msgs  []view.Msg
	imgs  [len(view.View{}.Panels)]*ebiten.Image
	shown [len(view.View{}.Panels)]bool

	wakeTimer *time.Timer
	wakeAt    time.Time // when wakeTimer fires; zero if it is not armed

	// accounting, reported to the page once a second
	updates, renders int
	busy, worst      time.Duration
	lastFP           time.Time
}

// wake schedules a frame at t (now or earlier: the next animation frame),
// keeping an earlier wake-up already armed.
func (g *game) wake(t time.Time) {
	d := time.Until(t)
	if d <= 0 {
		ebiten.ScheduleFrame()
		return
	}
	if !g.wakeAt.IsZero() && !g.wakeAt.After(t) {
		return
	}
	g.wakeAt = t
	if g.wakeTimer == nil {
		g.wakeTimer = time.AfterFunc(d, g.fire)
	} else {
		g.wakeTimer.Reset(d)
	}
}

func (g *game) fire() {
	g.wakeAt = time.Time{}
	ebiten.ScheduleFrame()
}

func (g *game) Update() error {
	t0 := time.Now()
	g.msgs = g.in.drain(g.msgs)
	applyAll(g.v, g.msgs)
	g.input.feed(g.v)
	g.v.Tick()
	if n := g.v.Render(t0); n > 0 {
		g.renders += n
		for i, p := range g.v.Panels {
			if !p.Drawn {
				continue
			}
			if g.imgs[i] == nil {
				g.imgs[i] = ebiten.NewImage(p.Rect.Dx(), p.Rect.Dy())
			}
			g.imgs[i].WritePixels(p.Img.Pix)
			p.Drawn = false
			g.shown[i] = false
		}
	}
	if d, ok := g.v.Due(t0); ok {
		g.wake(t0.Add(d))
	}
	g.updates++
	spent := time.Since(t0)
	g.busy += spent
	g.worst = max(g.worst, spent)
	if d := t0.Sub(g.lastFP); d >= time.Second {
		postParent(map[string]any{"type": "ui", "event": "fps", "fps": float64(g.updates) / d.Seconds(),
			"busyMs": float64(g.busy.Microseconds()) / 1000, "worstMs": float64(g.worst.Microseconds()) / 1000,
			"renders": g.renders})
		g.lastFP, g.updates, g.busy, g.worst, g.renders = t0, 0, 0, 0, 0
	}
	return nil
}

// Draw draws only the panels that changed: the screen is not cleared between
// frames, so a frame without a new panel leaves the offscreen untouched and
// ebiten stops presenting it.
func (g *game) Draw(screen *ebiten.Image) {
	for i, img := range g.imgs {
		if img == nil || g.shown[i] {
			continue
		}
		op := &ebiten.DrawImageOptions{}
		r := g.v.Panels[i].Rect
		op.GeoM.Translate(float64(r.Min.X), float64(r.Min.Y))
		screen.DrawImage(img, op)
		g.shown[i] = true
	}
}

func (g *game) Layout(w, h int) (int, int) { return view.Width, view.Height }

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

	ebiten.SetWindowSize(view.Width, view.Height)
	ebiten.SetWindowTitle("MNIST playground")
	ebiten.SetScreenClearedEveryFrame(false)
	ebiten.SetRunnableOnUnfocused(true)
	ebiten.SetFPSMode(ebiten.FPSModeVsyncOffMinimum)
	ebiten.SetTPS(ebiten.SyncWithFPS) // one Update per drawn frame
	g := &game{v: v, in: in, lastFP: time.Now()}
	g.input = listen(c, in, true, ebiten.ScheduleFrame)
	// A queued event is applied within IdleInterval; the view then says
	// when its panels are due.
	in.wake = func() { g.wake(time.Now().Add(view.IdleInterval)) }
	postParent(map[string]any{"type": "ui", "event": "ready"})
	if err := ebiten.RunGame(g); err != nil {
		js.Global().Get("console").Call("error", "ui: "+err.Error())
	}
}
