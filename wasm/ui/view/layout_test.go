package view

import (
	"image"
	"testing"
)

// TestResize: at every width and ratio the panels tile the screen in
// device pixels without overlapping, the pad is at least 240 CSS pixels on
// a phone, and a stroke on the pad lands in it.
func TestResize(t *testing.T) {
	for i, c := range []struct {
		w     int
		scale float64
	}{{960, 1}, {956, 2}, {1300, 1.5}, {360, 3}, {390, 2}, {640, 1}, {639, 1}} {
		v := New()
		h := HeightFor(c.w)
		v.Resize(c.w, h, c.scale)
		dev := func(n int) int { return v.px(n) }
		screen := image.Rect(0, 0, dev(c.w), dev(h))
		area := 0
		for k, p := range v.Panels {
			if !p.Rect.In(screen) || p.Rect.Empty() {
				t.Errorf("case %d: panel %s at %v, outside the screen %v", i, p.Name, p.Rect, screen)
			}
			if p.Img.Rect.Size() != p.Rect.Size() {
				t.Errorf("case %d: panel %s image %v for %v", i, p.Name, p.Img.Rect, p.Rect)
			}
			for _, q := range v.Panels[k+1:] {
				if p.Rect.Overlaps(q.Rect) {
					t.Errorf("case %d: panels %s and %s overlap", i, p.Name, q.Name)
				}
			}
			area += p.Rect.Dx() * p.Rect.Dy()
		}
		if area != screen.Dx()*screen.Dy() {
			t.Errorf("case %d: panels cover %d of %d device pixels", i, area, screen.Dx()*screen.Dy())
		}
		pad, clr := v.PadRect()
		if !pad.In(v.Panels[PPad].Rect) || !clr.In(v.Panels[PPad].Rect) || pad.Overlaps(clr) {
			t.Errorf("case %d: pad %v and clear button %v not apart in the pad panel %v", i, pad, clr, v.Panels[PPad].Rect)
		}
		if c.w < NarrowWidth && float64(pad.Dx()) < 240*c.scale {
			t.Errorf("case %d: pad %d device pixels wide at scale %v, want >= 240 CSS pixels", i, pad.Dx(), c.scale)
		}
		x := (pad.Min.X + pad.Max.X) / 2
		for y := pad.Min.Y + pad.Dy()/5; y < pad.Max.Y-pad.Dy()/5; y += dev(4) {
			v.Pointer(x, y, true)
		}
		v.Pointer(x, pad.Max.Y-pad.Dy()/5, false)
		if v.Pad.Empty() || v.Pad.W != pad.Dx() {
			t.Errorf("case %d: a stroke on the pad left no ink (pad %dx%d for %v)", i, v.Pad.W, v.Pad.H, pad)
		}
		v.Render(v.lastRender)
	}
}

// TestResizeKeepsDrawing: a new layout keeps what was on the pad.
func TestResizeKeepsDrawing(t *testing.T) {
	v := New()
	pad, _ := v.PadRect()
	x := (pad.Min.X + pad.Max.X) / 2
	for y := pad.Min.Y + 40; y < pad.Max.Y-40; y += 4 {
		v.Pointer(x, y, true)
	}
	v.Pointer(x, pad.Max.Y-40, false)
	v.Resize(360, HeightFor(360), 3)
	if v.Pad.Empty() {
		t.Error("the drawing was lost on resize")
	}
}
