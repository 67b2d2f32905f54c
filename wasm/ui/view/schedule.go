package view

import "time"

// Due reports whether Render has something to draw (ok) and how long after
// now its next call will draw it: 0 for a panel the person changed or a
// round under way, else the rest of the redraw interval. A presenter that
// draws only on demand (ebiten's FPSModeVsyncOffMinimum) sleeps until then.
func (v *View) Due(now time.Time) (wait time.Duration, ok bool) {
	for _, p := range v.Panels {
		if !p.Dirty {
			continue
		}
		if p.urgent || v.inRound {
			return 0, true
		}
		ok = true
	}
	if !ok {
		return 0, false
	}
	interval := v.redrawInterval()
	if now.Before(v.lastRender) {
		return 0, true
	}
	return max(0, v.lastRender.Add(interval).Sub(now)), true
}
