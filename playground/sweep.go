package playground

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"mnistplay/engine"
	"mnistplay/wire"
)

// maxSweepValues is the most values a sweep list may hold: a grid of 8 x 8
// runs is already hours of training on the page.
const maxSweepValues = 8

// SweepGrid reads a sweep's fields as typed on the page and makes the
// grid's runs (batch-major) from the page's settings, as the report's Task
// 1a ran them: an MLP of the given hidden widths, plain SGD at a constant
// rate, no early stopping, true labels; under the report's protocol only
// the last epoch is evaluated, on every test and training image. Each run's
// configuration is checked as configure would check it, so a grid the
// memory budget refuses is refused before any run starts. The error names
// the field or the run.
func SweepGrid(c wire.SweepCmd) (wire.SweepEvent, error) {
	ev := wire.SweepEvent{ID: c.ID}
	var batches, lrs, epochs, subset, hidden []float64
	for _, l := range []struct {
		dst        *[]float64
		text, name string
		rule       valueRule
	}{
		{&batches, c.Batches, "Sweep batch sizes", valueRule{whole: true, min: 0}},
		{&lrs, c.LRs, "Sweep learning rates", valueRule{positive: true}},
		{&epochs, c.Epochs, "Sweep epochs", valueRule{whole: true, min: 1}},
		{&subset, c.Subset, "Sweep training examples", valueRule{whole: true, min: 0}},
		{&hidden, c.Hidden, "Sweep hidden widths", valueRule{whole: true, min: 1}},
	} {
		var err error
		if *l.dst, err = parseSweepList(l.text, l.name, l.rule); err != nil {
			return ev, err
		}
	}
	ev.LRs = lrs
	base, err := decodePageConfig(c.Base)
	if err != nil {
		return ev, fmt.Errorf("the settings the sweep starts from: %v", err)
	}
	for _, b := range batches {
		ev.Batches = append(ev.Batches, int(b))
	}
	widths := make([]int, len(hidden))
	for i, h := range hidden {
		widths[i] = int(h)
	}
	for _, b := range ev.Batches {
		for _, lr := range ev.LRs {
			pc := base
			pc.Model = engine.Spec{Arch: engine.ArchMLP, Hidden: widths}
			pc.Optim = engine.OptimConfig{Kind: engine.SGD}
			pc.Schedule = engine.Schedule{Kind: engine.Constant, LR0: float32(lr)}
			pc.BatchSize, pc.Epochs, pc.Subset = b, int(epochs[0]), int(subset[0])
			pc.Patience, pc.ShuffleFraction = 0, 0
			if pc.Protocol == "report" {
				pc.EvalEvery, pc.EvalTrain = pc.Epochs, true
			}
			raw, err := json.Marshal(pc)
			if err != nil {
				panic("playground: a sweep config that does not marshal: " + err.Error())
			}
			if _, err := ParseConfig(raw); err != nil {
				return ev, fmt.Errorf("sweep run batch %d, learning rate %v: %v", b, lr, err)
			}
			ev.Runs = append(ev.Runs, wire.SweepRun{Batch: b, LR: lr, Config: raw})
		}
	}
	return ev, nil
}

// valueRule is what a sweep list's values must be.
type valueRule struct {
	whole    bool
	positive bool    // > 0
	min      float64 // >= min, unless positive
}

func (r valueRule) String() string {
	switch {
	case r.positive:
		return "a number > 0"
	case r.whole:
		return fmt.Sprintf("a whole number ≥ %v", r.min)
	}
	return fmt.Sprintf("a number ≥ %v", r.min)
}

// parseSweepList reads "100, 500 3000" (commas, semicolons or spaces
// between) into numbers.
func parseSweepList(s, what string, r valueRule) ([]float64, error) {
	parts := strings.FieldsFunc(s, func(c rune) bool { return c == ',' || c == ';' || c == ' ' || c == '\t' || c == '\n' || c == '\r' })
	switch {
	case len(parts) == 0:
		return nil, fmt.Errorf("%s: give at least one value", what)
	case len(parts) > maxSweepValues:
		return nil, fmt.Errorf("%s: at most %d values", what, maxSweepValues)
	}
	out := make([]float64, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseFloat(p, 64)
		ok := err == nil && !math.IsInf(v, 0) && !math.IsNaN(v) &&
			(!r.whole || v == math.Trunc(v) && math.Abs(v) < 1<<31) &&
			(r.positive && v > 0 || !r.positive && v >= r.min)
		if !ok {
			return nil, fmt.Errorf("%s: %q is not %s", what, p, r)
		}
		out[i] = v
	}
	return out, nil
}
