//go:build js && wasm

package main

import (
	"sync"
	"time"
)

// waker asks its presenter for a frame only when the view has something to
// draw: now (frame) or at a later time, with at most one timer armed (the
// earliest asked for). A presenter that requested an animation frame every
// vsync would run Go and the page's rendering 60 times a second even with
// nothing to draw, which a sweep's workers and a laptop's battery pay for.
type waker struct {
	frame   func() // asks for the next animation frame
	onTimer func() // what an armed time does when it comes (often frame)

	mu    sync.Mutex
	timer *time.Timer
	at    time.Time // when timer fires; zero if it is not armed
}

// wake asks for a frame at t: the next animation frame if t has come,
// else a timer, keeping an earlier one already armed.
func (w *waker) wake(t time.Time) {
	d := time.Until(t)
	if d <= 0 {
		w.frame()
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.at.IsZero() && !w.at.After(t) {
		return
	}
	w.at = t
	if w.timer == nil {
		w.timer = time.AfterFunc(d, w.fire)
	} else {
		w.timer.Reset(d)
	}
}

func (w *waker) fire() {
	w.mu.Lock()
	w.at = time.Time{}
	w.mu.Unlock()
	w.onTimer()
}
