package main

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/gob"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	stdcolor "image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"mnistplay/engine"
	"mnistplay/engine/landscape"
	"mnistplay/plot"
)

// This file holds hw3 landscape and hw3 sharpness: the loss around the
// final weights of the flatness experiment's two runs (true vs shuffled
// labels) on a 2-D plane, and the top Hessian eigenvalues there.

// trainedRun is a finished run with what the analyses need: its weights
// before training and after every epoch.
type trainedRun struct {
	Name      string
	Config    engine.Config
	History   []engine.EpochStats
	Snapshots [][]float32 // (epochs+1, NumWeights): theta0, then after each epoch
	Seconds   float64     // training time
}

func (r *trainedRun) final() []float32 { return r.Snapshots[len(r.Snapshots)-1] }

// pairFlags are the options of the two runs both commands look at.
type pairFlags struct {
	run  runFlags
	frac float64
	runs string
}

var (
	pairNames = []string{"true labels", "shuffled labels"}
	pairFiles = []string{"true", "shuffled"}
)

// defaultPairFlags are make reproduce's flatness settings: the report's CNN,
// SGD lr 0.05, batch 32, 30 epochs on 5,000 images.
func defaultPairFlags(out string) pairFlags {
	f := defaultRunFlags()
	f.model, f.out, f.epochs, f.lr, f.batch, f.subset, f.evalSubset = "cnn", out, 30, 0.05, 32, 5000, 2000
	return pairFlags{run: f, frac: 1, runs: "test-output/hw3-runs"}
}

func (p *pairFlags) register(fs *flag.FlagSet) {
	p.run.register(fs)
	fs.Float64Var(&p.frac, "shuffled", p.frac, "label fraction shuffled in the second run")
	fs.StringVar(&p.runs, "runs", p.runs, "directory caching the two trained runs (weights after every epoch), shared by landscape and sharpness; \"\" always trains")
}

// configs validates the flags and returns the two runs' configurations.
func (p *pairFlags) configs(fs *flag.FlagSet) ([]engine.Config, error) {
	p.run.set = visited(fs)
	if p.run.set["shuffle"] {
		return nil, usagef("takes -shuffled (the second run's fraction), not -shuffle")
	}
	if !(p.frac > 0 && p.frac <= 1) {
		return nil, usagef("-shuffled %v must be in (0, 1]", p.frac)
	}
	cfg, err := p.run.config()
	if err != nil {
		return nil, err
	}
	sh := cfg
	sh.ShuffleFraction = float32(p.frac)
	return []engine.Config{cfg, sh}, nil
}

// pairRuns makes the output directory, loads the data and returns the two
// runs (loadOrTrain) with the training and validation sets.
func (a *app) pairRuns(ctx context.Context, p *pairFlags, cfgs []engine.Config) (runs []*trainedRun, train, val engine.Dataset, err error) {
	if err := os.MkdirAll(p.run.out, 0o755); err != nil {
		return nil, train, val, err
	}
	if train, val, err = a.load(p.run.data); err != nil {
		return nil, train, val, err
	}
	runs, err = a.loadOrTrain(ctx, p, cfgs, train, val)
	return runs, train, val, err
}

// loadOrTrain returns the two runs: from the cache directory if it holds
// runs of exactly these configurations, otherwise trained in parallel (one
// goroutine each) and written there.
func (a *app) loadOrTrain(ctx context.Context, p *pairFlags, cfgs []engine.Config, train, val engine.Dataset) ([]*trainedRun, error) {
	runs := make([]*trainedRun, len(cfgs))
	errs := make([]error, len(cfgs))
	var mu sync.Mutex
	println := func(s string) {
		if p.run.quiet {
			return
		}
		mu.Lock()
		fmt.Fprintln(a.stdout, s)
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for i, cfg := range cfgs {
		path := ""
		if p.runs != "" {
			path = filepath.Join(p.runs, cachedRunFile(pairFiles[i], cfg))
			if r, err := readCachedRun(path, cfg); err == nil {
				runs[i] = r
				fmt.Fprintf(a.stdout, "%s: reusing the run trained in %s (%s)\n", pairNames[i], fmtDuration(r.Seconds), path)
				continue
			}
		}
		wg.Go(func() {
			r, err := trainPairRun(ctx, pairNames[i], cfg, train, val, println)
			if err == nil && path != "" {
				err = writeCachedRun(path, r)
			}
			runs[i], errs[i] = r, err
		})
	}
	wg.Wait()
	return runs, errors.Join(errs...)
}

func trainPairRun(ctx context.Context, name string, cfg engine.Config, train, val engine.Dataset, println func(string)) (*trainedRun, error) {
	t, err := engine.NewTrainer(cfg, train, val)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	start := time.Now()
	r := &trainedRun{Name: name, Config: cfg, Snapshots: [][]float32{append([]float32(nil), t.InitialWeights()...)}}
	pre := "[" + name + "] "
	for !t.Done() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		_, e, err := t.Step()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if e != nil {
			r.History = append(r.History, *e)
			r.Snapshots = append(r.Snapshots, t.Model().Weights(nil))
			println(pre + epochLines(*e, t.TrainSet().N, t.TrainSet().N, t.ValSet().N, strings.Repeat(" ", len(pre))))
		}
	}
	r.Seconds = time.Since(start).Seconds()
	return r, nil
}

func pairConfigKey(c engine.Config) string {
	b, _ := json.Marshal(c)
	return string(b)
}

// cachedRunFile names a cached run by its configuration, so runs of different
// settings (make reproduce and reproduce-quick) do not replace each other.
func cachedRunFile(name string, c engine.Config) string {
	h := sha256.Sum256([]byte(pairConfigKey(c)))
	return fmt.Sprintf("%s-%x.gob", name, h[:6])
}

// readCachedRun reads a cached run; an error if it is missing, unreadable or of
// another configuration.
func readCachedRun(path string, cfg engine.Config) (*trainedRun, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r trainedRun
	if err := gob.NewDecoder(f).Decode(&r); err != nil {
		return nil, err
	}
	if pairConfigKey(r.Config) != pairConfigKey(cfg) || len(r.Snapshots) < 2 {
		return nil, errors.New("another configuration")
	}
	return &r, nil
}

func writeCachedRun(path string, r *trainedRun) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := gob.NewEncoder(f).Encode(r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// pairSets returns a run's training set with its labels in force (shuffled
// for the shuffled run) and its validation set.
func pairSets(cfg engine.Config, train, val engine.Dataset) (engine.Dataset, engine.Dataset, error) {
	t, err := engine.NewTrainer(cfg, train, val)
	if err != nil {
		return engine.Dataset{}, engine.Dataset{}, err
	}
	return t.TrainSet(), t.ValSet(), nil
}

func lsHead(d engine.Dataset, n int) engine.Dataset {
	if n > 0 && n < d.N {
		return d.Head(n)
	}
	return d
}

// lsParallel runs f(i) for i < n on at most workers goroutines.
func lsParallel(n, workers int, f func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(workers, n)) {
		wg.Go(func() {
			for i := range next {
				f(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// Colours of the path and of the final point over the viridis map.
var (
	pathRed    = stdcolor.RGBA{230, 40, 40, 255}
	pointWhite = stdcolor.RGBA{255, 255, 255, 255}
)

func lsFloat(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }

func lsWriteCSV(path string, header []string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	cw.Write(header)
	cw.WriteAll(rows)
	if err := cw.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// pairRunsHeader describes the pair of runs (true and shuffled labels) a
// landscape or sharpness report is about, then tabulates them.
func pairRunsHeader(w io.Writer, c engine.Config, frac float64, runs []*trainedRun) {
	fmt.Fprintf(w, "Model %s, %s lr %s, batch %s, %d epochs on the first %d training images; the shuffled run has %g of its labels shuffled; seed %d.\n\n",
		modelName(c.Model), c.Optim.Kind, formatLR(float64(c.Schedule.LR0)), batchLabel(c.BatchSize), c.Epochs, c.Subset, frac, c.Seed)
	pairRunsTable(w, runs)
}

func pairRunsTable(w io.Writer, runs []*trainedRun) {
	fmt.Fprintf(w, "| Run | Epochs | Train loss | Train acc | Val loss | Val acc | Training time |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range runs {
		e := r.History[len(r.History)-1]
		fmt.Fprintf(w, "| %s | %d | %.4f | %s | %.4f | %s | %s |\n", r.Name, e.Epoch, e.TrainLoss, pct1(e.TrainAcc), e.ValLoss, pct1(e.ValAcc), fmtDuration(r.Seconds))
	}
	fmt.Fprintln(w)
}

// ---- landscape ---------------------------------------------------------------

// planeResult is one run's loss surface over one plane.
type planeResult struct {
	run, plane string
	surf       *landscape.Surface
	pca        *landscape.PCA // nil for the random plane
	origin     [2]float64     // training and validation loss at theta_final
	bad        int            // grid points with a non-finite loss
	seconds    float64
}

func setupLandscape(a *app, fs *flag.FlagSet) func(context.Context) error {
	p := defaultPairFlags("results/landscape")
	p.register(fs)
	grid := fs.Int("grid", 21, "grid points per axis (at most 64)")
	planes := fs.String("planes", "pca,random", "planes: pca (top two principal components of the weights after each epoch, with the path) and/or random (filter-normalised directions)")
	gridTrain := fs.Int("grid-train", 1000, "training images each grid point's training loss is measured on (the run's labels; 0: all)")
	gridVal := fs.Int("grid-val", 1000, "test images each grid point's validation loss is measured on (0: the validation set in use)")
	span := fs.Float64("span", 1, "random plane: the grid covers [-span, span]² in units of the filter-normalised directions")
	margin := fs.Float64("margin", 0.2, "pca plane: margin around the path, as a fraction of its extent")
	dirSeed := fs.Uint64("dir-seed", 1, "seed of the random directions")
	return func(ctx context.Context) error {
		cfgs, err := p.configs(fs)
		if err != nil {
			return err
		}
		if *grid < 2 || *grid**grid > landscape.MaxPoints {
			return usagef("-grid %d: want 2..64 points per axis (each point is a pass over -grid-train and -grid-val images)", *grid)
		}
		if *gridTrain < 0 || *gridVal < 0 || !(*span > 0) || !(*margin >= 0) {
			return usagef("want -grid-train, -grid-val >= 0, -span > 0 and -margin >= 0")
		}
		var kinds []string
		for _, k := range strings.Split(*planes, ",") {
			k = strings.TrimSpace(k)
			if k != "pca" && k != "random" {
				return usagef("-planes %q: %q is neither pca nor random", *planes, k)
			}
			kinds = append(kinds, k)
		}
		f := &p.run
		runs, train, val, err := a.pairRuns(ctx, &p, cfgs)
		if err != nil {
			return err
		}
		start := time.Now()
		var jobs []*planeResult
		for _, r := range runs {
			for _, k := range kinds {
				jobs = append(jobs, &planeResult{run: r.Name, plane: k})
			}
		}
		errs := make([]error, len(jobs))
		var nTrain, nVal int
		var mu sync.Mutex
		lsParallel(len(jobs), f.workers, func(i int) {
			j := jobs[i]
			r := runs[i/len(kinds)]
			t0 := time.Now()
			ts, vs, err := pairSets(r.Config, train, val)
			if err != nil {
				errs[i] = err
				return
			}
			ts, vs = lsHead(ts, *gridTrain), lsHead(vs, *gridVal)
			mu.Lock()
			nTrain, nVal = ts.N, vs.N
			mu.Unlock()
			errs[i] = computePlane(ctx, j, r, ts, vs, *grid, *span, *margin, *dirSeed)
			j.seconds = time.Since(t0).Seconds()
			if errs[i] == nil {
				fmt.Fprintf(a.stdout, "%s, %s plane: %d points in %s\n", j.run, j.plane, j.surf.Len(), fmtDuration(j.seconds))
			}
		})
		if err := errors.Join(errs...); err != nil {
			return err
		}
		elapsed := time.Since(start).Seconds()
		if err := landscapeOutputs(f.out, runs, jobs); err != nil {
			return err
		}
		var b strings.Builder
		fmt.Fprintf(&b, "# Loss landscape around the final weights: true vs shuffled labels\n\nCommand: `hw3 %s`\n\n", strings.Join(a.args, " "))
		pairRunsHeader(&b, cfgs[0], p.frac, runs)
		fmt.Fprintf(&b, "Each grid point of a %d x %d grid is the mean cross-entropy on the first %d training images (with the run's labels: shuffled for the shuffled run) and on the first %d test images. "+
			"The pca plane is spanned by the top two principal components of the weights after each epoch (and theta0), centred at the final weights; the random plane by two filter-normalised random directions (Li et al. 2018; biases not moved), over [-%g, %g]². "+
			"The planes took %s of computation after training (%d worker(s)).\n\n", *grid, *grid, nTrain, nVal, *span, *span, fmtDuration(elapsed), f.workers)
		landscapeTable(&b, jobs)
		fmt.Fprintln(a.stdout)
		landscapeTable(a.stdout, jobs)
		if err := os.WriteFile(filepath.Join(f.out, "summary.md"), []byte(b.String()), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "wrote %s\n", f.out)
		return nil
	}
}

// computePlane evaluates one run's surface over one plane, a point at a
// time, stopping when ctx is cancelled.
func computePlane(ctx context.Context, j *planeResult, r *trainedRun, ts, vs engine.Dataset, grid int, span, margin float64, seed uint64) error {
	m, err := engine.Build(r.Config.Model, 0)
	if err != nil {
		return err
	}
	final := r.final()
	var plane landscape.Plane
	var xs, ys []float64
	switch j.plane {
	case "pca":
		pc, err := landscape.TrajectoryPCA(r.Snapshots, final)
		if err != nil {
			return fmt.Errorf("%s: %w", r.Name, err)
		}
		j.pca = pc
		plane = landscape.Plane{Origin: final, D1: pc.Dirs[0], D2: pc.Dirs[1]}
		xs, ys = pc.Grid(grid, margin)
	case "random":
		d1, d2 := make([]float32, len(final)), make([]float32, len(final))
		if err := landscape.FilterNormalized(m, final, seed, d1); err != nil {
			return err
		}
		if err := landscape.FilterNormalized(m, final, seed+1, d2); err != nil {
			return err
		}
		plane = landscape.Plane{Origin: final, D1: d1, D2: d2}
		xs, ys = landscape.Linspace(-span, span, grid), landscape.Linspace(-span, span, grid)
	}
	ot, err := landscape.NewObjectiveInput(m, ts, r.Config.Input)
	if err != nil {
		return err
	}
	ov, err := landscape.NewObjectiveInput(m, vs, r.Config.Input)
	if err != nil {
		return err
	}
	for set, o := range []*landscape.Objective{ot, ov} {
		if j.origin[set], _, err = o.Loss(final); err != nil {
			return err
		}
	}
	s, err := landscape.NewSurface(plane, xs, ys, ot, ov)
	if err != nil {
		return fmt.Errorf("%s: %w", r.Name, err)
	}
	j.surf = s
	for !s.Done() {
		if err := ctx.Err(); err != nil {
			return err
		}
		_, _, err := s.Next()
		var pe *landscape.PointError
		if errors.As(err, &pe) {
			j.bad++
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ringRise is the mean training-loss rise over the grid points at distance
// r (within half a grid step) from the origin.
func ringRise(j *planeResult, r float64) float64 {
	s := j.surf
	step := (s.Xs[len(s.Xs)-1] - s.Xs[0]) / float64(len(s.Xs)-1)
	origin := j.origin[0]
	var sum float64
	n := 0
	for i, y := range s.Ys {
		for k, x := range s.Xs {
			if math.Abs(math.Hypot(x, y)-r) <= step/2 {
				if v := s.Loss[0][i*len(s.Xs)+k]; !math.IsNaN(v) {
					sum += v
					n++
				}
			}
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum/float64(n) - origin
}

func landscapeTable(w io.Writer, jobs []*planeResult) {
	fmt.Fprintf(w, "| Run | Plane | Explained variance (axis 1, 2) | Train loss at theta_final | Val loss at theta_final | Train loss rise at r = 0.5 / 1 | Min / max train loss on the grid | Non-finite points | Time |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, j := range jobs {
		s := j.surf
		ev, rise := "", ""
		if j.pca != nil {
			ev = fmt.Sprintf("%.1f%%, %.1f%%", 100*j.pca.Explained[0], 100*j.pca.Explained[1])
		} else {
			rise = fmt.Sprintf("%.3f / %.3f", ringRise(j, 0.5), ringRise(j, 1))
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range s.Loss[0] {
			if !math.IsNaN(v) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %.4f | %.4f | %s | %.4f / %.4g | %d | %s |\n", j.run, j.plane, ev, j.origin[0], j.origin[1], rise, lo, hi, j.bad, fmtDuration(j.seconds))
	}
	fmt.Fprintln(w)
}

// landscapeOutputs writes landscape.csv, path.csv and one PNG per run and
// plane (training | validation loss). Each panel has its own colour range:
// the runs' losses differ by orders of magnitude, and a shared range would
// leave one of them a single colour without contour lines.
func landscapeOutputs(dir string, runs []*trainedRun, jobs []*planeResult) error {
	var rows [][]string
	for _, j := range jobs {
		s := j.surf
		for i, y := range s.Ys {
			for c, x := range s.Xs {
				k := i*len(s.Xs) + c
				rows = append(rows, []string{j.run, j.plane, lsFloat(x), lsFloat(y), lsFloat(s.Loss[0][k]), lsFloat(s.Acc[0][k]), lsFloat(s.Loss[1][k]), lsFloat(s.Acc[1][k])})
			}
		}
	}
	if err := lsWriteCSV(filepath.Join(dir, "landscape.csv"), []string{"run", "plane", "x", "y", "train_loss", "train_acc", "val_loss", "val_acc"}, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, j := range jobs {
		if j.pca == nil {
			continue
		}
		for e, q := range j.pca.Path {
			rows = append(rows, []string{j.run, strconv.Itoa(e), lsFloat(q[0]), lsFloat(q[1]), lsFloat(j.pca.Explained[0]), lsFloat(j.pca.Explained[1])})
		}
	}
	if err := lsWriteCSV(filepath.Join(dir, "path.csv"), []string{"run", "epoch", "pc1", "pc2", "explained1", "explained2"}, rows); err != nil {
		return err
	}
	for _, j := range jobs {
		file := pairFiles[0]
		for i, r := range runs {
			if r.Name == j.run {
				file = pairFiles[i]
			}
		}
		var panels []interface {
			Draw(plot.Canvas, image.Rectangle)
		}
		for set, what := range []string{"training", "validation"} {
			c := &plot.Contour{
				Title: fmt.Sprintf("%s loss, %s, %s plane", what, j.run, j.plane),
				Xs:    j.surf.Xs, Ys: j.surf.Ys, Values: j.surf.Loss[set], Log: true, ScaleLabel: "loss",
			}
			if j.pca != nil {
				c.X.Label = fmt.Sprintf("PC1 (%.1f%% of the path's variance); theta_final at 0", 100*j.pca.Explained[0])
				c.Y.Label = fmt.Sprintf("PC2 (%.1f%%)", 100*j.pca.Explained[1])
				px, py := make([]float64, len(j.pca.Path)), make([]float64, len(j.pca.Path))
				for e, q := range j.pca.Path {
					px[e], py[e] = q[0], q[1]
				}
				c.Paths = append(c.Paths, plot.Series{Name: "training path (epochs)", Color: pathRed, X: px, Y: py, Dots: true, Width: 2})
			} else {
				c.X.Label, c.Y.Label = "direction 1 (filter-normalised); theta_final at 0", "direction 2"
			}
			// theta_final, the origin: a white dot ringed in dark.
			c.Paths = append(c.Paths,
				plot.Series{Color: plot.Ink, X: []float64{0}, Y: []float64{0}, NoLine: true, Width: 5},
				plot.Series{Color: pointWhite, X: []float64{0}, Y: []float64{0}, NoLine: true, Width: 3})
			panels = append(panels, c)
		}
		if err := writePNG(filepath.Join(dir, file+"-"+j.plane+".png"), panels...); err != nil {
			return err
		}
	}
	return nil
}

// ---- sharpness ---------------------------------------------------------------

// sharpResult is one run's Hessian spectrum estimate.
type sharpResult struct {
	run       string
	n         int         // training images the Hessian is of
	loss      float64     // training loss there at theta_final
	ritz      [][]float64 // ritz[it] the top Ritz values after iteration it+1, decreasing
	bounds    []float64   // residual bounds of the final Ritz values
	values    []float64   // the final Ritz values, decreasing
	trace, se float64     // Hutchinson estimate and its standard error
	samples   int
	v1        []float64 // (NumWeights) top Ritz vector
	slice     []float64 // training loss at theta_final + t·v1, t in sliceT
	products  int       // Hessian-vector products
	seconds   float64
	obj       *landscape.Objective
	final     []float32
}

func setupSharpness(a *app, fs *flag.FlagSet) func(context.Context) error {
	p := defaultPairFlags("results/sharpness")
	p.register(fs)
	subsetN := fs.Int("sharp-subset", 2000, "training images the Hessian is of (the run's labels; 0: all)")
	iters := fs.Int("lanczos", 20, "Lanczos iterations (each one Hessian-vector product, two gradients)")
	topK := fs.Int("top", 3, "eigenvalues reported")
	hutch := fs.Int("hutchinson", 10, "Hutchinson samples for the trace (0: none)")
	eps := fs.Float64("eps", landscape.DefaultEps, "length of the weight step of the finite-difference Hessian-vector product")
	return func(ctx context.Context) error {
		cfgs, err := p.configs(fs)
		if err != nil {
			return err
		}
		if *iters < 1 || *iters > landscape.MaxLanczos || *topK < 1 || *topK > *iters || *hutch < 0 || *subsetN < 0 || !(*eps > 0) {
			return usagef("want 1 <= -top <= -lanczos <= %d, -hutchinson >= 0, -sharp-subset >= 0 and -eps > 0", landscape.MaxLanczos)
		}
		f := &p.run
		runs, train, val, err := a.pairRuns(ctx, &p, cfgs)
		if err != nil {
			return err
		}
		start := time.Now()
		res := make([]*sharpResult, len(runs))
		errs := make([]error, len(runs))
		lsParallel(len(runs), f.workers, func(i int) {
			res[i], errs[i] = computeSharpness(ctx, runs[i], train, val, *subsetN, *iters, *hutch, *eps)
			if errs[i] == nil {
				fmt.Fprintf(a.stdout, "%s: %d Hessian-vector products in %s\n", runs[i].Name, res[i].products, fmtDuration(res[i].seconds))
			}
		})
		if err := errors.Join(errs...); err != nil {
			return err
		}
		// The loss along the top eigenvector, over a range where the
		// flatter run's quadratic model rises by 1.
		lmin := math.Inf(1)
		for _, r := range res {
			lmin = min(lmin, r.values[0])
		}
		tmax := 1.0
		if lmin > 0 {
			tmax = math.Sqrt(2 * 1 / lmin)
		}
		ts := landscape.Linspace(-tmax, tmax, 41)
		lsParallel(len(res), f.workers, func(i int) {
			res[i].slice, errs[i] = lossSlice(res[i], ts)
		})
		if err := errors.Join(errs...); err != nil {
			return err
		}
		elapsed := time.Since(start).Seconds()
		if err := sharpnessOutputs(f.out, res, ts, *topK); err != nil {
			return err
		}
		var b strings.Builder
		fmt.Fprintf(&b, "# Sharpness at the final weights: true vs shuffled labels\n\nCommand: `hw3 %s`\n\n", strings.Join(a.args, " "))
		pairRunsHeader(&b, cfgs[0], p.frac, runs)
		fmt.Fprintf(&b, "Hessian of the mean training cross-entropy (without L2) on the first %d training images, with each run's labels, at the final weights. "+
			"Eigenvalues by %d Lanczos iterations (full re-orthogonalisation) on Hessian-vector products from central differences of two gradients (step %g); "+
			"± is the residual bound of each Ritz value. Trace by Hutchinson's estimator with %d Rademacher vectors (± one standard error). "+
			"The whole analysis took %s after training (%d worker(s)).\n\n", res[0].n, *iters, *eps, *hutch, fmtDuration(elapsed), f.workers)
		sharpnessTable(&b, res, *topK)
		fmt.Fprintln(a.stdout)
		sharpnessTable(a.stdout, res, *topK)
		if err := os.WriteFile(filepath.Join(f.out, "summary.md"), []byte(b.String()), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "wrote %s\n", f.out)
		return nil
	}
}

func computeSharpness(ctx context.Context, r *trainedRun, train, val engine.Dataset, subsetN, iters, hutch int, eps float64) (*sharpResult, error) {
	t0 := time.Now()
	ts, _, err := pairSets(r.Config, train, val)
	if err != nil {
		return nil, err
	}
	ts = lsHead(ts, subsetN)
	m, err := engine.Build(r.Config.Model, 0)
	if err != nil {
		return nil, err
	}
	obj, err := landscape.NewObjectiveInput(m, ts, r.Config.Input)
	if err != nil {
		return nil, err
	}
	res := &sharpResult{run: r.Name, n: ts.N, obj: obj, final: r.final()}
	if res.loss, _, err = obj.Loss(res.final); err != nil {
		return nil, err
	}
	h, err := landscape.NewHessian(obj, res.final, eps)
	if err != nil {
		return nil, err
	}
	lz, err := landscape.NewLanczos(h, iters, 1)
	if err != nil {
		return nil, err
	}
	for !lz.Done() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := lz.Step(); err != nil {
			return nil, fmt.Errorf("%s: %w", r.Name, err)
		}
		res.products++
		v, _, err := lz.Ritz()
		if err != nil {
			return nil, err
		}
		res.ritz = append(res.ritz, v)
	}
	if res.values, res.bounds, err = lz.Ritz(); err != nil {
		return nil, err
	}
	res.v1 = make([]float64, h.Dim())
	if _, err := lz.Vector(0, res.v1); err != nil {
		return nil, err
	}
	res.trace, res.se = math.NaN(), math.NaN()
	if hutch > 0 {
		hu, err := landscape.NewHutchinson(h, 2)
		if err != nil {
			return nil, err
		}
		for range hutch {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if err := hu.Step(); err != nil {
				return nil, fmt.Errorf("%s: %w", r.Name, err)
			}
			res.products++
		}
		res.trace, res.se, res.samples = hu.Estimate()
	}
	res.seconds = time.Since(t0).Seconds()
	return res, nil
}

// lossSlice evaluates the training loss at theta_final + t·v1 for each t.
func lossSlice(r *sharpResult, ts []float64) ([]float64, error) {
	theta := make([]float32, len(r.final))
	out := make([]float64, len(ts))
	for k, t := range ts {
		for i, w := range r.final {
			theta[i] = float32(float64(w) + t*r.v1[i])
		}
		l, _, err := r.obj.Loss(theta)
		if err != nil {
			return nil, err
		}
		out[k] = l
	}
	return out, nil
}

func sharpnessTable(w io.Writer, res []*sharpResult, k int) {
	fmt.Fprintf(w, "| Run | Train loss (Hessian subset) |")
	for i := range k {
		fmt.Fprintf(w, " lambda_%d |", i+1)
	}
	fmt.Fprintf(w, " Smallest Ritz value | Trace (Hutchinson) | Hessian-vector products | Time |\n|---|---:|%s---:|---:|---:|---:|\n", strings.Repeat("---:|", k))
	for _, r := range res {
		fmt.Fprintf(w, "| %s | %.4f |", r.run, r.loss)
		for i := range k {
			fmt.Fprintf(w, " %.4g ± %.2g |", r.values[i], r.bounds[i])
		}
		last := len(r.values) - 1
		fmt.Fprintf(w, " %.4g ± %.2g | %.4g ± %.2g | %d | %s |\n", r.values[last], r.bounds[last], r.trace, r.se, r.products, fmtDuration(r.seconds))
	}
	fmt.Fprintln(w)
}

// sharpnessOutputs writes ritz.csv (the Ritz values after every Lanczos
// iteration), slice.csv (the loss along the top eigenvector) and
// sharpness.png: the top Ritz values converging, and the loss along the top
// eigenvector against its quadratic model loss + lambda_1·t²/2.
func sharpnessOutputs(dir string, res []*sharpResult, ts []float64, k int) error {
	var rows [][]string
	for _, r := range res {
		for it, v := range r.ritz {
			for rank := range min(k, len(v)) {
				rows = append(rows, []string{r.run, strconv.Itoa(it + 1), strconv.Itoa(rank + 1), lsFloat(v[rank])})
			}
		}
	}
	if err := lsWriteCSV(filepath.Join(dir, "ritz.csv"), []string{"run", "iteration", "rank", "ritz_value"}, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, r := range res {
		for i, t := range ts {
			rows = append(rows, []string{r.run, lsFloat(t), lsFloat(r.slice[i]), lsFloat(r.loss + r.values[0]*t*t/2)})
		}
	}
	if err := lsWriteCSV(filepath.Join(dir, "slice.csv"), []string{"run", "t", "train_loss", "quadratic"}, rows); err != nil {
		return err
	}
	conv := &plot.Chart{Title: "Top Hessian eigenvalues by Lanczos", X: plot.Axis{Label: "Lanczos iteration"}, Y: plot.Axis{Label: "Ritz value", Log: true}}
	slice := &plot.Chart{Title: "Training loss along the top eigenvector", X: plot.Axis{Label: "t (weight-space distance)"}, Y: plot.Axis{Label: "loss"}}
	for i, r := range res {
		col := seriesColor(i)
		for rank := range k {
			x, y := []float64{}, []float64{}
			for it, v := range r.ritz {
				if rank < len(v) {
					x, y = append(x, float64(it+1)), append(y, v[rank])
				}
			}
			name := ""
			if rank == 0 {
				name = fmt.Sprintf("%s (top %d)", r.run, k)
			}
			conv.Series = append(conv.Series, plot.Series{Name: name, Color: col, X: x, Y: y, Width: 2 - 0.4*float64(rank)})
		}
		qname := ""
		if i == 0 {
			qname = "loss + lambda_1 t^2/2"
		}
		quad := make([]float64, len(ts))
		for j, t := range ts {
			quad[j] = r.loss + r.values[0]*t*t/2
		}
		slice.Series = append(slice.Series,
			plot.Series{Name: r.run, Color: col, X: ts, Y: r.slice, Dots: true, Width: 2},
			plot.Series{Name: qname, Color: plot.Palette[7], X: ts, Y: quad, Width: 1})
	}
	// The quadratic models grow faster than the losses: fit the range to the losses.
	hi := 0.0
	for _, r := range res {
		for _, v := range r.slice {
			hi = max(hi, v)
		}
	}
	slice.Y.Min, slice.Y.Max = 0, hi*1.05
	return writePNG(filepath.Join(dir, "sharpness.png"), conv, slice)
}
