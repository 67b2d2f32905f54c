package main

import (
	"fmt"
	"image"
	stdcolor "image/color"
	"image/png"
	"math"
	"os"

	"mnistplay/engine"
	"mnistplay/plot"
)

// Figure sizes in pixels.
const (
	panelW = 640
	panelH = 420
)

// writePNG draws panels side by side (each panelW x panelH) into one PNG.
func writePNG(path string, panels ...interface {
	Draw(plot.Canvas, image.Rectangle)
}) error {
	img := image.NewRGBA(image.Rect(0, 0, panelW*len(panels), panelH))
	dst := plot.NewRaster(img)
	for i, p := range panels {
		p.Draw(dst, image.Rect(i*panelW, 0, (i+1)*panelW, panelH))
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func seriesColor(i int) stdcolor.RGBA { return plot.Palette[i%len(plot.Palette)] }

// epochSeries returns one series of f over the epochs of r.
func epochSeries(r *result, name string, c stdcolor.RGBA, f func(engine.EpochStats) float64) plot.Series {
	x := make([]float64, len(r.history))
	y := make([]float64, len(r.history))
	for i, e := range r.history {
		x[i], y[i] = float64(e.Epoch), f(e)
	}
	return plot.Series{Name: name, Color: c, X: x, Y: y, Dots: len(x) <= 30, Width: 2}
}

var (
	trainLoss = func(e engine.EpochStats) float64 { return e.TrainLoss }
	valLoss   = func(e engine.EpochStats) float64 { return e.ValLoss }
	trainAcc  = func(e engine.EpochStats) float64 { return 100 * e.TrainAcc }
	valAcc    = func(e engine.EpochStats) float64 { return 100 * e.ValAcc }
)

// overlay is a chart of f over epochs, one series per run.
func overlay(title, ylabel, unit string, res []result, f func(engine.EpochStats) float64, log bool) *plot.Chart {
	c := &plot.Chart{Title: title, X: plot.Axis{Label: "epoch"}, Y: plot.Axis{Label: ylabel, Unit: unit, Log: log}}
	for i := range res {
		c.Series = append(c.Series, epochSeries(&res[i], res[i].job.name, seriesColor(i), f))
	}
	return c
}

// comparisonFigures writes loss.png (training | validation loss) and
// accuracy.png (training | validation accuracy), every run overlaid: the
// report's "Loss vs. Epochs" and "Accuracies vs. Epochs" for each optimizer
// or lambda, on one set of axes.
func comparisonFigures(dir, what string, res []result) error {
	if err := writePNG(dir+"/loss.png",
		overlay("Training loss, "+what, "loss", "", res, trainLoss, true),
		overlay("Validation loss, "+what, "loss", "", res, valLoss, true)); err != nil {
		return err
	}
	return writePNG(dir+"/accuracy.png",
		overlay("Training accuracy, "+what, "accuracy", "%", res, trainAcc, false),
		overlay("Validation accuracy, "+what, "accuracy", "%", res, valAcc, false))
}

// runFigures writes the figures of one run: loss.png (training and
// validation loss) and accuracy.png (training vs validation accuracy, the
// report's Figures 19 and 20).
func runFigures(dir, prefix string, r *result) error {
	loss := &plot.Chart{Title: "Loss, " + r.job.name, X: plot.Axis{Label: "epoch"}, Y: plot.Axis{Label: "loss", Log: true},
		Series: []plot.Series{epochSeries(r, "train", seriesColor(0), trainLoss), epochSeries(r, "validation", seriesColor(1), valLoss)}}
	if err := writePNG(dir+"/"+prefix+"loss.png", loss); err != nil {
		return err
	}
	acc := &plot.Chart{Title: "Accuracy, " + r.job.name, X: plot.Axis{Label: "epoch"}, Y: plot.Axis{Label: "accuracy", Unit: "%", Min: 0, Max: 100},
		Series: []plot.Series{epochSeries(r, "train", seriesColor(0), trainAcc), epochSeries(r, "validation", seriesColor(1), valAcc)}}
	return writePNG(dir+"/"+prefix+"accuracy.png", acc)
}

// sweepFigures writes the heat maps of the sweep tables and the validation
// accuracy of every run over epochs.
func sweepFigures(dir string, batches []int, lrs []float64, res []result) error {
	rows, cols := len(batches), len(lrs)
	rowL := make([]string, rows)
	for i, b := range batches {
		rowL[i] = batchLabel(b)
	}
	colL := make([]string, cols)
	for j, lr := range lrs {
		colL[j] = formatLR(lr)
	}
	heat := func(title, format string, f func(engine.EpochStats) float64) *plot.HeatMap {
		v := make([]float64, rows*cols)
		for i := range v {
			v[i] = math.NaN()
			if len(res[i].history) > 0 {
				v[i] = f(res[i].last())
			}
		}
		return &plot.HeatMap{Title: title, Rows: rows, Cols: cols, Values: v, RowLabels: rowL, ColLabels: colL,
			RowTitle: "batch size", ColTitle: "learning rate", Format: format}
	}
	if err := writePNG(dir+"/sweep-tables.png",
		heat("Table 1: training loss", "%.3f", trainLoss),
		heat("Table 2: training accuracy (%)", "%.1f", trainAcc),
		heat("Table 3: test accuracy (%)", "%.1f", valAcc)); err != nil {
		return err
	}
	return comparisonFigures(dir, "batch x lr", res)
}

// flatnessFigure draws validation loss and error along theta(alpha) for each
// run (the report's Figures 21 and 22, overlaid).
func flatnessFigure(path string, names []string, curves [][]engine.FlatnessPoint) error {
	loss := &plot.Chart{Title: "Validation loss along θ(α) = (1−α)θ₀ + αθ_final", X: plot.Axis{Label: "α"}, Y: plot.Axis{Label: "loss", Log: true},
		Markers: []plot.Marker{{X: 0, Label: "θ₀"}, {X: 1, Label: "θ_final"}}}
	errc := &plot.Chart{Title: "Validation error along θ(α)", X: plot.Axis{Label: "α"}, Y: plot.Axis{Label: "error", Unit: "%", Min: 0, Max: 100},
		Markers: loss.Markers}
	for i, pts := range curves {
		x := make([]float64, len(pts))
		yl := make([]float64, len(pts))
		ye := make([]float64, len(pts))
		for k, p := range pts {
			x[k], yl[k], ye[k] = p.Alpha, p.Loss, 100*p.Error
		}
		loss.Series = append(loss.Series, plot.Series{Name: names[i], Color: seriesColor(i), X: x, Y: yl, Dots: true, Width: 2})
		errc.Series = append(errc.Series, plot.Series{Name: names[i], Color: seriesColor(i), X: x, Y: ye, Dots: true, Width: 2})
	}
	if err := writePNG(path, loss, errc); err != nil {
		return fmt.Errorf("flatness figure: %w", err)
	}
	return nil
}

// flatnessTrainFigure draws each net's loss and error on its own training
// labels against the distance alpha·||theta_final - theta0|| from theta0, so
// that minima of nets that moved different distances compare in one unit.
func flatnessTrainFigure(path string, names []string, curves [][]engine.FlatnessPoint, dists []float64) error {
	loss := &plot.Chart{Title: "Loss on own training labels along θ(α)", X: plot.Axis{Label: "distance from θ₀"}, Y: plot.Axis{Label: "loss", Log: true}}
	errc := &plot.Chart{Title: "Error on own training labels", X: plot.Axis{Label: "distance from θ₀"}, Y: plot.Axis{Label: "error", Unit: "%", Min: 0, Max: 100}}
	for i, pts := range curves {
		x := make([]float64, len(pts))
		yl := make([]float64, len(pts))
		ye := make([]float64, len(pts))
		for k, p := range pts {
			x[k], yl[k], ye[k] = p.Alpha*dists[i], p.Loss, 100*p.Error
		}
		loss.Series = append(loss.Series, plot.Series{Name: names[i], Color: seriesColor(i), X: x, Y: yl, Dots: true, Width: 2})
		errc.Series = append(errc.Series, plot.Series{Name: names[i], Color: seriesColor(i), X: x, Y: ye, Dots: true, Width: 2})
		loss.Markers = append(loss.Markers, plot.Marker{X: dists[i], Label: "θ_final " + names[i], Color: seriesColor(i)})
	}
	errc.Markers = loss.Markers
	if err := writePNG(path, loss, errc); err != nil {
		return fmt.Errorf("flatness figure: %w", err)
	}
	return nil
}
