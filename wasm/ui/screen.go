//go:build js && wasm

package main

import (
	"math"
	"strconv"
	"strings"
	"syscall/js"

	"mnistplay/wasm/ui/view"
)

// screen follows the iframe's width and the devicePixelRatio (zoom, a move
// to another screen): watch sets changed whenever either may have changed,
// and the presenter lays the view out again at its next frame.
type screen struct {
	changed bool
	wake    func() // nil: nothing; else asks the presenter for a frame
	onDPR   js.Func
	mq      js.Value // the media query of the current ratio
	dpr     float64  // the ratio mq is for
	// onRatio, if set, handles a change of the ratio instead (ebiten keeps
	// the first ratio it sees: its presenter starts again).
	onRatio func()
}

// watch installs the resize and resolution listeners.
func (s *screen) watch(wake func()) {
	s.changed, s.wake = true, wake
	win := js.Global()
	win.Call("addEventListener", "resize", js.FuncOf(func(js.Value, []js.Value) any {
		s.mark()
		return nil
	}))
	s.onDPR = js.FuncOf(func(js.Value, []js.Value) any {
		s.dprChanged()
		return nil
	})
	s.listenDPR()
	// Not every change of the ratio reaches the media query (DevTools'
	// device emulation does not): look at it twice a second too.
	win.Call("setInterval", js.FuncOf(func(js.Value, []js.Value) any {
		if win.Get("devicePixelRatio").Float() != s.dpr {
			s.dprChanged()
		}
		return nil
	}), 500)
}

// listenDPR watches for the ratio to leave its current value: a media
// query of the exact resolution stops matching when it does.
func (s *screen) listenDPR() {
	if !s.mq.IsUndefined() && !s.mq.IsNull() && s.mq.Truthy() {
		s.mq.Call("removeEventListener", "change", s.onDPR)
	}
	win := js.Global()
	if win.Get("matchMedia").Type() != js.TypeFunction {
		return
	}
	s.dpr = win.Get("devicePixelRatio").Float()
	q := "(resolution: " + strconv.FormatFloat(s.dpr, 'g', -1, 64) + "dppx)"
	s.mq = win.Call("matchMedia", q)
	s.mq.Call("addEventListener", "change", s.onDPR)
}

// dprChanged follows a new ratio.
func (s *screen) dprChanged() {
	if s.onRatio != nil {
		s.onRatio()
		return
	}
	s.listenDPR()
	s.mark()
}

func (s *screen) mark() {
	s.changed = true
	if s.wake != nil {
		s.wake()
	}
}

// size returns the view's layout for the window now: its CSS width and
// height (the height the layout wants, which the page gives the iframe) and
// the devicePixelRatio.
func (s *screen) size() (w, h int, dpr float64) {
	win := js.Global()
	w = win.Get("innerWidth").Int()
	if b := win.Get("document").Get("documentElement"); b.Truthy() && b.Get("clientWidth").Int() > 0 {
		w = b.Get("clientWidth").Int()
	}
	w = max(w, 200)
	dpr = win.Get("devicePixelRatio").Float()
	if !(dpr > 0) || math.IsInf(dpr, 0) {
		dpr = 1
	}
	return w, view.HeightFor(w), dpr
}

// devSize is a CSS length in device pixels, rounded as the view rounds.
func devSize(n int, dpr float64) int { return int(math.Round(float64(n) * dpr)) }

// postSize tells the page the height the canvas wants (CSS pixels) and
// which presenter draws it.
func postSize(h int, dpr float64) {
	postParent(map[string]any{"type": "ui", "event": "size", "height": h, "dpr": dpr})
}

// exposeLayout writes where the pad, its clear button and the panels are
// on canvas c, in CSS pixels from its top left, for tests and tools that
// draw on the pad or take pictures of panels.
func exposeLayout(c js.Value, v *view.View) {
	_, _, dpr := v.Size()
	p, cl := v.PadRect()
	css := func(n int) string { return strconv.FormatFloat(float64(n)/dpr, 'f', 1, 64) }
	c.Call("setAttribute", "data-pad", css(p.Min.X)+" "+css(p.Min.Y)+" "+css(p.Dx()))
	c.Call("setAttribute", "data-clear", css((cl.Min.X+cl.Max.X)/2)+" "+css((cl.Min.Y+cl.Max.Y)/2))
	// data-panels: "name x y w h" per panel, separated by commas.
	var b strings.Builder
	for i, p := range v.Panels {
		if i > 0 {
			b.WriteString(",")
		}
		r := p.Rect
		b.WriteString(p.Name + " " + css(r.Min.X) + " " + css(r.Min.Y) + " " + css(r.Dx()) + " " + css(r.Dy()))
	}
	c.Call("setAttribute", "data-panels", b.String())
}
