package view

import (
	"math"
	"testing"
	"time"

	"mnistplay/engine"
	"mnistplay/wire"
)

// trainedView is a view after n steps of a CNN run with a weight snapshot.
func trainedView(b *testing.B, n int) *View {
	v := New()
	m, err := engine.Build(engine.DefaultCNN(), 1)
	if err != nil {
		b.Fatal(err)
	}
	v.Apply(wire.WeightsEvent{Spec: m.Spec, Data: m.Weights(nil)})
	for s := 0; s < n; s++ {
		e := float64(s) / 900
		v.Apply(wire.StepsEvent{Steps: []wire.StepPoint{{Step: s, Epoch: e, Loss: 2.3*math.Exp(-e) + 0.1*math.Sin(float64(s)), Acc: 1 - math.Exp(-e), ExamplesPerSec: 900}}})
		if s%900 == 899 {
			v.Apply(wire.EpochEvent{Epoch: s/900 + 1, TrainLoss: 0.3, TrainAcc: 0.9, ValLoss: 0.3, ValAcc: 0.9})
		}
	}
	return v
}

// benchmarkPanel times redrawing panel p of a view with n steps of history,
// laid out for the page at 1280x800 (956x537 CSS pixels) at scale dpr.
func benchmarkPanel(b *testing.B, p, n int, dpr ...float64) {
	v := trainedView(b, n)
	if len(dpr) > 0 {
		v.Resize(956, 537, dpr[0])
		defer v.Resize(Width, Height, 1)
	}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		v.Panels[p].Dirty = true
		now = now.Add(time.Second)
		v.Render(now)
	}
}

func BenchmarkLossPanel2k(b *testing.B)  { benchmarkPanel(b, PLoss, 2000) }
func BenchmarkLossPanel20k(b *testing.B) { benchmarkPanel(b, PLoss, 20000) }
func BenchmarkAccPanel20k(b *testing.B)  { benchmarkPanel(b, PAcc, 20000) }
func BenchmarkStatusPanel(b *testing.B)  { benchmarkPanel(b, PStatus, 10) }

func BenchmarkLossPanel20kDPR2(b *testing.B) { benchmarkPanel(b, PLoss, 20000, 2) }
func BenchmarkAccPanel20kDPR2(b *testing.B)  { benchmarkPanel(b, PAcc, 20000, 2) }
func BenchmarkStatusPanelDPR2(b *testing.B)  { benchmarkPanel(b, PStatus, 10, 2) }
func BenchmarkFilterPanelDPR2(b *testing.B)  { benchmarkPanel(b, PFilters, 10, 2) }
func BenchmarkFilterPanel(b *testing.B)      { benchmarkPanel(b, PFilters, 10) }
func BenchmarkPadPanel(b *testing.B)         { benchmarkPanel(b, PPad, 10) }

// BenchmarkWeights times applying a CNN weight snapshot (the pad has ink, so
// it is classified too).
func BenchmarkWeights(b *testing.B) {
	v := trainedView(b, 10)
	m, _ := engine.Build(engine.DefaultCNN(), 2)
	msg := wire.WeightsEvent{Spec: m.Spec, Data: m.Weights(nil)}
	v.Pad.Down(100, 50)
	v.Pad.Move(100, 200)
	v.Pad.Up()
	b.ReportAllocs()
	for b.Loop() {
		v.Apply(msg)
	}
}

// The landscape panel of a full 25 x 25 grid, redrawn as a point arrives.
func BenchmarkLandscapePanel(b *testing.B) {
	v := New()
	v.Apply(landGrid(25))
	for k := 0; k < 625; k++ {
		i, j := k/25, k%25
		v.Apply(wire.LandscapePointEvent{I: i, J: j, Index: k, Count: 625, Loss: 0.1 + float64(i*i+j*j)/100})
	}
	p := v.Panels[PFlat]
	for b.Loop() {
		v.renderPanel(PFlat, p)
	}
}
