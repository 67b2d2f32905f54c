package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"mnistplay/engine"
	"mnistplay/plot"
)

// Q1.5: how the trained CNN's test accuracy holds up when the test images
// are rotated or shifted, for each pooling kind.

// imageCentre is the centre of a 28x28 image in pixel coordinates.
const imageCentre = (engine.ImageSize - 1) / 2.0

// rotateImage writes into dst (28, 28) the image src (28, 28) rotated by deg
// degrees anticlockwise about its centre, sampling bilinearly and treating
// pixels outside the image as 0.
func rotateImage(dst, src []uint8, deg float64) {
	const n = engine.ImageSize
	sin, cos := math.Sincos(deg * math.Pi / 180)
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= n || y >= n {
			return 0
		}
		return float64(src[y*n+x])
	}
	for y := range n {
		for x := range n {
			// The source point that lands on (x, y): rotate back by -deg.
			// Image y grows downwards, so anticlockwise on screen is
			// clockwise in (x, y).
			dx, dy := float64(x)-imageCentre, float64(y)-imageCentre
			sx := cos*dx - sin*dy + imageCentre
			sy := sin*dx + cos*dy + imageCentre
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			fx, fy := sx-float64(x0), sy-float64(y0)
			v := (1-fy)*((1-fx)*at(x0, y0)+fx*at(x0+1, y0)) + fy*((1-fx)*at(x0, y0+1)+fx*at(x0+1, y0+1))
			dst[y*n+x] = uint8(math.Round(min(255, max(0, v))))
		}
	}
}

// shiftImage writes into dst (28, 28) the image src (28, 28) moved dx pixels
// right and dy pixels down, filling with 0.
func shiftImage(dst, src []uint8, dx, dy int) {
	const n = engine.ImageSize
	for y := range n {
		for x := range n {
			sx, sy := x-dx, y-dy
			v := uint8(0)
			if sx >= 0 && sy >= 0 && sx < n && sy < n {
				v = src[sy*n+sx]
			}
			dst[y*n+x] = v
		}
	}
}

// transformed returns a copy of d with f applied to every image.
func transformed(d engine.Dataset, f func(dst, src []uint8)) engine.Dataset {
	const px = engine.ImageSize * engine.ImageSize
	out := engine.Dataset{Images: make([]uint8, d.N*px), Labels: d.Labels[:d.N], N: d.N}
	for i := range d.N {
		f(out.Images[i*px:(i+1)*px], d.Images[i*px:(i+1)*px])
	}
	return out
}

// robustPoint is one model's accuracy on one transformed test set.
type robustPoint struct {
	run, transform string // transform: "rotation" (degrees) or "shift" (pixels, rightwards)
	amount         float64
	acc            float64
}

func setupRobustness(a *app, fs *flag.FlagSet) func(context.Context) error {
	f := defaultRunFlags()
	f.model, f.out, f.epochs, f.lr, f.batch = "cnn", "results/robustness", 10, 0.05, 32
	f.register(fs)
	pools := fs.String("pools", "max,avg,min", "pooling kinds to compare")
	angles := fs.String("angles", "-45,-30,-15,0,15,30,45", "rotations of the test images, degrees anticlockwise")
	shifts := fs.String("shifts", "-4,-3,-2,-1,0,1,2,3,4", "horizontal shifts of the test images, pixels (positive: right)")
	testN := fs.Int("test-subset", 0, "evaluate on the first N test images (0 = the validation set in use)")
	return func(ctx context.Context) error {
		f.set = visited(fs)
		if f.set["pool"] || f.model != engine.ArchCNN {
			return usagef("robustness takes -pools (and -model cnn), not -pool")
		}
		as, err := parseFloats("angles", *angles)
		if err != nil {
			return err
		}
		ss, err := parseInts("shifts", *shifts)
		if err != nil {
			return err
		}
		if *testN < 0 {
			return usagef("-test-subset %d must be >= 0", *testN)
		}
		var jobs []job
		for _, p := range strings.Split(*pools, ",") {
			f.pool = strings.TrimSpace(p)
			cfg, err := f.config()
			if err != nil {
				return err
			}
			jobs = append(jobs, job{name: f.pool + " pooling", cfg: cfg})
		}
		s, err := a.runSession(ctx, &f, "Robustness to rotation and translation (Q1.5)", jobs)
		if err != nil {
			return err
		}
		test := s.res[0].trainer.ValSet()
		if *testN > 0 && *testN < s.val.N {
			test = s.val.Head(*testN)
		}
		var pts []robustPoint
		for _, deg := range as {
			d := transformed(test, func(dst, src []uint8) { rotateImage(dst, src, deg) })
			for i := range s.res {
				_, acc := engine.Evaluate(s.res[i].trainer.Model(), d, 0)
				pts = append(pts, robustPoint{s.res[i].job.name, "rotation", deg, acc})
			}
		}
		for _, dx := range ss {
			d := transformed(test, func(dst, src []uint8) { shiftImage(dst, src, dx, 0) })
			for i := range s.res {
				_, acc := engine.Evaluate(s.res[i].trainer.Model(), d, 0)
				pts = append(pts, robustPoint{s.res[i].job.name, "shift", float64(dx), acc})
			}
		}
		if err := writeCSVFile(filepath.Join(f.out, "robustness.csv"), func(w io.Writer) error { return writeRobustCSV(w, pts) }); err != nil {
			return err
		}
		if err := robustFigure(filepath.Join(f.out, "robustness.png"), jobs, pts); err != nil {
			return err
		}
		c := jobs[0].cfg
		fmt.Fprintf(&s.md, "Batch %s, %d epochs; test accuracy on the first %d test images, rotated about their centre (bilinear) or shifted horizontally (zero fill).\n\n",
			batchLabel(c.BatchSize), c.Epochs, test.N)
		summaryTable(&s.md, "Last epoch of each run", s.res)
		for _, w := range []io.Writer{&s.md, a.stdout} {
			robustTable(w, jobs, pts, "rotation", "rotation (degrees)")
			robustTable(w, jobs, pts, "shift", "shift (pixels)")
		}
		return s.finish()
	}
}

func writeRobustCSV(w io.Writer, pts []robustPoint) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"run", "transform", "amount", "test_acc"})
	for _, p := range pts {
		cw.Write([]string{p.run, p.transform, strconv.FormatFloat(p.amount, 'g', -1, 64), strconv.FormatFloat(p.acc, 'g', 8, 64)})
	}
	cw.Flush()
	return cw.Error()
}

// robustTable writes one row per amount, one column per run.
func robustTable(w io.Writer, jobs []job, pts []robustPoint, transform, title string) {
	fmt.Fprintf(w, "Test accuracy against %s\n\n| %s |", title, title)
	for _, j := range jobs {
		fmt.Fprintf(w, " %s |", j.name)
	}
	fmt.Fprintf(w, "\n|---:|%s\n", strings.Repeat("---:|", len(jobs)))
	var amounts []float64
	for _, p := range pts {
		if p.transform == transform && p.run == jobs[0].name {
			amounts = append(amounts, p.amount)
		}
	}
	for _, a := range amounts {
		fmt.Fprintf(w, "| %g |", a)
		for _, j := range jobs {
			for _, p := range pts {
				if p.transform == transform && p.run == j.name && p.amount == a {
					fmt.Fprintf(w, " %s |", pct1(p.acc))
				}
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}

func robustFigure(path string, jobs []job, pts []robustPoint) error {
	rot := &plot.Chart{Title: "Test accuracy, rotated test images", X: plot.Axis{Label: "rotation (degrees)"}, Y: plot.Axis{Label: "accuracy", Unit: "%", Min: 0, Max: 100}}
	sh := &plot.Chart{Title: "Test accuracy, shifted test images", X: plot.Axis{Label: "shift (pixels)"}, Y: plot.Axis{Label: "accuracy", Unit: "%", Min: 0, Max: 100}}
	for i, j := range jobs {
		for _, c := range []struct {
			chart     *plot.Chart
			transform string
		}{{rot, "rotation"}, {sh, "shift"}} {
			var x, y []float64
			for _, p := range pts {
				if p.run == j.name && p.transform == c.transform {
					x, y = append(x, p.amount), append(y, 100*p.acc)
				}
			}
			c.chart.Series = append(c.chart.Series, plot.Series{Name: j.name, Color: seriesColor(i), X: x, Y: y, Dots: true, Width: 2})
		}
	}
	return writePNG(path, rot, sh)
}
