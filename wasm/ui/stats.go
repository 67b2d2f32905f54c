//go:build js && wasm

package main

import (
	"syscall/js"
	"time"
)

// frameStats is a presenter's frame accounting, reported to the page once a
// second.
type frameStats struct {
	frames, renders int
	busy, worst     time.Duration
	last            time.Time // when the counts started
	total           int       // frames since the program started (window.uiFrames, for the browser tests)
}

// done counts a frame that began at t0 and rendered n panels; once a second
// has passed since the last report it posts the counts and starts over.
func (s *frameStats) done(t0 time.Time, n int) {
	s.frames++
	s.total++
	js.Global().Set("uiFrames", s.total)
	s.renders += n
	spent := time.Since(t0)
	s.busy += spent
	s.worst = max(s.worst, spent)
	if d := t0.Sub(s.last); d >= time.Second {
		postParent(map[string]any{"type": "ui", "event": "fps", "fps": float64(s.frames) / d.Seconds(),
			"busyMs": float64(s.busy.Microseconds()) / 1000, "worstMs": float64(s.worst.Microseconds()) / 1000,
			"renders": s.renders})
		*s = frameStats{last: t0, total: s.total}
	}
}
