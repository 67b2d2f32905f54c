package main

import (
	"math"
	"path/filepath"

	"mnistplay/engine"
	"mnistplay/plot"
)

// meanLossSeries is the seeds' mean of the pre-update batch loss per epoch.
func meanLossSeries(runs []*protoRun, name string, i int) plot.Series {
	if len(runs) == 0 {
		return plot.Series{Name: name + " (not run)", Color: seriesColor(i)}
	}
	n := len(runs[0].history)
	x := make([]float64, n)
	y := make([]float64, n)
	for e := range n {
		x[e] = float64(e + 1)
		for _, r := range runs {
			y[e] += r.history[e].TrainLoss / float64(len(runs))
		}
	}
	return plot.Series{Name: name, Color: seriesColor(i), X: x, Y: y, Width: 2}
}

// accSeries is the test accuracy of the lowest seed at its evaluated epochs.
func accSeries(runs []*protoRun, name string, i int) plot.Series {
	if len(runs) == 0 {
		return plot.Series{Name: name + " (not run)", Color: seriesColor(i)}
	}
	r := runs[0]
	for _, q := range runs {
		if q.seed < r.seed {
			r = q
		}
	}
	var x, y []float64
	for _, h := range r.history {
		if !h.Unevaluated {
			x, y = append(x, float64(h.Epoch)), append(y, 100*h.ValAcc)
		}
	}
	return plot.Series{Name: name, Color: seriesColor(i), X: x, Y: y, Dots: true, Width: 2}
}

// reportDot marks the report's final test accuracy of a run at the last
// epoch, in the run's colour.
func reportDot(v float64, epochs, i int) plot.Series {
	return plot.Series{Color: seriesColor(i), X: []float64{float64(epochs)}, Y: []float64{100 * v}, Dots: true, NoLine: true}
}

// protoFigures writes the report protocol's figures into dir:
// sweep-loss.png and sweep-accuracy.png (one panel per learning rate, one
// line per batch size), sweep-tables.png (our means as heat maps), gd.png,
// optimizers.png and l2.png (loss | test accuracy, the report's final test
// accuracy as a dot at the last epoch) and cells.png (report against our
// mean, every cell).
func protoFigures(dir string, exps []protoExp, pr protoResults, epochs int) error {
	cells := reportCells()
	report := func(exp string, k protoKey, metric string) (float64, bool) {
		for _, c := range cells {
			if c.exp == exp && c.key == k && c.metric == metric {
				return c.value, true
			}
		}
		return 0, false
	}
	var lossPanels, accPanels []*plot.Chart
	for _, lr := range protoLRs {
		lc := &plot.Chart{Title: "Batch loss (before the update), lr " + formatLR(lr) + ", mean of seeds",
			X: plot.Axis{Label: "epoch (= step)"}, Y: plot.Axis{Label: "loss", Log: true}}
		ac := &plot.Chart{Title: "Test accuracy, lr " + formatLR(lr) + ", seed 1; dots at the end: report",
			X: plot.Axis{Label: "epoch (= step)"}, Y: plot.Axis{Label: "accuracy", Unit: "%", Min: 0, Max: 100}}
		for i, b := range protoBatches {
			k := protoKey{b, lr, engine.SGD, 0}
			lc.Series = append(lc.Series, meanLossSeries(pr[k], "batch "+batchLabel(b), i))
			ac.Series = append(ac.Series, accSeries(pr[k], "batch "+batchLabel(b), i))
			if v, ok := report("sweep", k, metricTest); ok {
				ac.Series = append(ac.Series, reportDot(v, epochs, i))
			}
		}
		lossPanels, accPanels = append(lossPanels, lc), append(accPanels, ac)
	}
	if err := writePNG(filepath.Join(dir, "sweep-loss.png"), lossPanels[0], lossPanels[1], lossPanels[2]); err != nil {
		return err
	}
	if err := writePNG(filepath.Join(dir, "sweep-accuracy.png"), accPanels[0], accPanels[1], accPanels[2]); err != nil {
		return err
	}

	rows, cols := len(protoBatches), len(protoLRs)
	rowL := make([]string, rows)
	for i, b := range protoBatches {
		rowL[i] = batchLabel(b)
	}
	colL := make([]string, cols)
	for j, lr := range protoLRs {
		colL[j] = formatLR(lr)
	}
	heat := func(title, format, metric string, scale float64) *plot.HeatMap {
		v := make([]float64, rows*cols)
		for i, b := range protoBatches {
			for j, lr := range protoLRs {
				v[i*cols+j] = scale * pr.spread(protoKey{b, lr, engine.SGD, 0}, metric).mean
			}
		}
		return &plot.HeatMap{Title: title, Rows: rows, Cols: cols, Values: v, RowLabels: rowL, ColLabels: colL,
			RowTitle: "batch size", ColTitle: "learning rate", Format: format}
	}
	if err := writePNG(filepath.Join(dir, "sweep-tables.png"),
		heat("Table 1: loss (mean of seeds)", "%.3f", metricLoss, 1),
		heat("Table 2: training accuracy (%)", "%.1f", metricTrain, 100),
		heat("Table 3: test accuracy (%)", "%.1f", metricTest, 100)); err != nil {
		return err
	}

	for _, e := range exps[1:] {
		lc := &plot.Chart{Title: "Batch loss, " + e.name + ", mean of seeds", X: plot.Axis{Label: "epoch (= step)"}, Y: plot.Axis{Label: "loss", Log: true}}
		ac := &plot.Chart{Title: "Test accuracy, " + e.name + ", seed 1; dots at the end: report", X: plot.Axis{Label: "epoch (= step)"},
			Y: plot.Axis{Label: "accuracy", Unit: "%", Min: 0, Max: 100}}
		for i, k := range e.keys {
			name := k.String()
			lc.Series = append(lc.Series, meanLossSeries(pr[k], name, i))
			ac.Series = append(ac.Series, accSeries(pr[k], name, i))
			exp := e.name
			if e.name == "optimizers" && k.opt == engine.SGD {
				exp = "gd"
			}
			if v, ok := report(exp, k, metricTest); ok {
				ac.Series = append(ac.Series, reportDot(v, epochs, i))
			}
		}
		if err := writePNG(filepath.Join(dir, e.name+".png"), lc, ac); err != nil {
			return err
		}
	}

	// Every report cell against our mean: on the diagonal when equal.
	acc := &plot.Chart{Title: "Accuracy cells: report vs our mean", X: plot.Axis{Label: "report", Unit: "%", Min: 0, Max: 100},
		Y: plot.Axis{Label: "ours", Unit: "%", Min: 0, Max: 100}}
	loss := &plot.Chart{Title: "Loss cells: report vs our mean", X: plot.Axis{Label: "report", Log: true}, Y: plot.Axis{Label: "ours", Log: true}}
	acc.Series = []plot.Series{{Name: "equal", Color: plot.Palette[7%len(plot.Palette)], X: []float64{0, 100}, Y: []float64{0, 100}, Width: 1}}
	lo, hi := math.Inf(1), math.Inf(-1)
	groups := []string{"sweep", "gd", "optimizers", "l2"}
	accPts := make([]plot.Series, len(groups))
	lossPts := make([]plot.Series, len(groups))
	for g, name := range groups {
		accPts[g] = plot.Series{Name: name, Color: seriesColor(g), Dots: true, NoLine: true}
		lossPts[g] = accPts[g]
	}
	for _, c := range cells {
		if len(pr[c.key]) == 0 {
			continue
		}
		g := 0
		for i, n := range groups {
			if n == c.exp {
				g = i
			}
		}
		m := pr.spread(c.key, c.metric).mean
		if c.metric == metricLoss {
			lossPts[g].X, lossPts[g].Y = append(lossPts[g].X, c.value), append(lossPts[g].Y, m)
			lo, hi = min(lo, c.value, m), max(hi, c.value, m)
			continue
		}
		accPts[g].X, accPts[g].Y = append(accPts[g].X, 100*c.value), append(accPts[g].Y, 100*m)
	}
	acc.Series = append(acc.Series, accPts...)
	loss.Series = append([]plot.Series{{Name: "equal", Color: plot.Palette[7%len(plot.Palette)], X: []float64{lo, hi}, Y: []float64{lo, hi}, Width: 1}}, lossPts...)
	return writePNG(filepath.Join(dir, "cells.png"), acc, loss)
}
