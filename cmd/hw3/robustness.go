package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"mnistplay/engine"
	"mnistplay/plot"
)

// ---- robustness (question 1.5) ---------------------------------------------

// setupRobustness trains the report's CNN once per pooling kind and measures
// each trained net's test accuracy on images rotated by -45..45 degrees and
// shifted by -4..4 pixels (engine.RobustnessMoves), as question 1.5 asks.
func setupRobustness(a *app, fs *flag.FlagSet) func(context.Context) error {
	f, jobs := cnnPerPool(fs, "robustness", "results/robustness", func(pool string, cfg engine.Config) []job {
		return []job{{name: pool + " pooling", cfg: cfg}}
	})
	return func(ctx context.Context) error {
		jobs, err := jobs()
		if err != nil {
			return err
		}
		s, err := a.runSession(ctx, f, "Robustness to rotation and translation (question 1.5)", jobs)
		if err != nil {
			return err
		}
		moves := engine.RobustnessMoves()
		acc := make([][]float64, len(s.res)) // [run][move]
		for i := range s.res {
			m := s.res[i].trainer.Model()
			acc[i] = make([]float64, len(moves))
			for k, mv := range moves {
				if err := ctx.Err(); err != nil {
					return err
				}
				_, acc[i][k] = engine.EvaluateInput(m, s.val.Moved(mv), s.res[i].job.cfg.Input, 0)
			}
		}
		if err := writeRobustnessCSV(filepath.Join(f.out, "robustness.csv"), s.res, moves, acc); err != nil {
			return err
		}
		if err := robustnessFigure(filepath.Join(f.out, "robustness.png"), s.res, moves, acc); err != nil {
			return err
		}
		robustnessTable(&s.md, s.res, moves, acc)
		robustnessTable(a.stdout, s.res, moves, acc)
		return s.finish()
	}
}

func writeRobustnessCSV(path string, res []result, moves []engine.Move, acc [][]float64) error {
	var b strings.Builder
	b.WriteString("run,angle,dx,dy,test_acc\n")
	for i := range res {
		for k, mv := range moves {
			fmt.Fprintf(&b, "%s,%g,%g,%g,%.4f\n", res[i].job.name, mv.Angle, mv.DX, mv.DY, acc[i][k])
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// robustnessCurves splits moves into the rotation curve and the two shift
// curves (the unmoved images belong to each); it returns the x values and,
// for each, the index into moves.
func robustnessCurves(moves []engine.Move) (rot, dx, dy [][2]float64) {
	seen := map[engine.Move]bool{}
	for k, mv := range moves {
		if seen[mv] {
			continue // the unmoved images are in every block
		}
		seen[mv] = true
		switch {
		case mv.DX == 0 && mv.DY == 0:
			rot = append(rot, [2]float64{mv.Angle, float64(k)})
		case mv.DY == 0 && mv.Angle == 0:
			dx = append(dx, [2]float64{mv.DX, float64(k)})
		case mv.DX == 0 && mv.Angle == 0:
			dy = append(dy, [2]float64{mv.DY, float64(k)})
		}
	}
	return rot, dx, dy
}

func robustnessFigure(path string, res []result, moves []engine.Move, acc [][]float64) error {
	rot, dx, dy := robustnessCurves(moves)
	chart := func(title, unit string, lim float64) *plot.Chart {
		return &plot.Chart{Title: title, X: plot.Axis{Label: unit, Min: -lim, Max: lim},
			Y: plot.Axis{Label: "accuracy", Min: 0, Max: 100, Unit: "%"}, LegendBottom: true}
	}
	rc := chart("test accuracy, images rotated", "degrees", 45)
	xc := chart("shifted right", "pixels", 4)
	yc := chart("shifted down", "pixels", 4)
	series := func(name string, c [][2]float64, a []float64, i int) plot.Series {
		s := plot.Series{Name: name, Color: seriesColor(i), Width: 2, Dots: true}
		for _, p := range c {
			s.X, s.Y = append(s.X, p[0]), append(s.Y, 100*a[int(p[1])])
		}
		return s
	}
	for i := range res {
		name := res[i].job.name
		rc.Series = append(rc.Series, series(name, rot, acc[i], i))
		// The unmoved accuracy is each shift curve's middle point.
		xc.Series = append(xc.Series, series(name, withZero(dx, rot), acc[i], i))
		yc.Series = append(yc.Series, series(name, withZero(dy, rot), acc[i], i))
	}
	return writePNG(path, rc, xc, yc)
}

// withZero adds the unmoved point (from rot, at x 0) to a shift curve.
func withZero(c, rot [][2]float64) [][2]float64 {
	var zero [2]float64
	for _, p := range rot {
		if p[0] == 0 {
			zero = p
		}
	}
	out := make([][2]float64, 0, len(c)+1)
	for _, p := range c {
		if p[0] > 0 && (len(out) == 0 || out[len(out)-1][0] < 0) {
			out = append(out, zero)
		}
		out = append(out, p)
	}
	return out
}

func robustnessTable(w io.Writer, res []result, moves []engine.Move, acc [][]float64) {
	rot, dx, dy := robustnessCurves(moves)
	row := func(label string, c [][2]float64, unit string) {
		fmt.Fprintf(w, "\n%s\n\n| pooling |", label)
		for _, p := range c {
			fmt.Fprintf(w, " %g%s |", p[0], unit)
		}
		fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---:|", len(c)))
		for i := range res {
			fmt.Fprintf(w, "| %s |", res[i].job.name)
			for _, p := range c {
				fmt.Fprintf(w, " %.1f |", 100*acc[i][int(p[1])])
			}
			fmt.Fprintln(w)
		}
	}
	row("Test accuracy (%) of images rotated by (counter-clockwise):", rot, "°")
	row("Shifted right by:", withZero(dx, rot), " px")
	row("Shifted down by:", withZero(dy, rot), " px")
}
