package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"mnistplay/engine"
)

// app is the command with its outputs and data source, replaceable in tests.
type app struct {
	stdout, stderr io.Writer
	load           func(dir string) (train, test engine.Dataset, err error)
	isTerm         func(w io.Writer) bool
	args           []string // the command line, for summary.md
	tmpDirs        []string // output directories being written, removed when run returns
}

func newApp(stdout, stderr io.Writer) *app {
	return &app{stdout: stdout, stderr: stderr, load: loadMNIST, isTerm: isTerminal}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (a *app) stderrIsTerm() bool { return a.isTerm != nil && a.isTerm(a.stderr) }

// command is one subcommand: setup registers its flags on fs and returns the
// function that runs it once they are parsed.
type command struct {
	name, summary string
	setup         func(a *app, fs *flag.FlagSet) func(ctx context.Context) error
}

var commands = []command{
	{"train", "one training run with every engine option", setupTrain},
	{"sweep", "batch sizes x learning rates: the report's Tables 1-3 (Task 1a)", setupSweep},
	{"optimizers", "SGD, Momentum, Nesterov and Adam overlaid (Task 1b)", setupOptimizers},
	{"l2", "L2 strengths overlaid (Task 2a)", setupL2},
	{"kernels", "CNN kernel/stride/padding variants (Task 3.2)", setupKernels},
	{"flatness", "true vs shuffled labels and the loss along theta(alpha) (Task 3.3)", setupFlatness},
	{"schedules", "learning-rate schedules overlaid: a large constant rate against 1/t decay (Q1.2)", setupSchedules},
	{"pooling", "max, average and min pooling, the ReLU after or before each (Q1.6)", setupPooling},
	{"robustness", "the CNN's test accuracy on rotated and shifted images, per pooling kind (Q1.5)", setupRobustness},
	{"report-protocol", "Tasks 1a, 1b and 2a under the report's own protocol, 5 seeds each, beside its numbers", setupReportProtocol},
	{"landscape", "true vs shuffled labels: the loss over a 2-D plane and the training path", setupLandscape},
	{"sharpness", "true vs shuffled labels: top Hessian eigenvalues and trace", setupSharpness},
}

func (a *app) usage(w io.Writer) {
	fmt.Fprintf(w, "hw3 re-runs the experiments of the course report natively.\n\nUsage: hw3 <command> [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-15s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'hw3 <command> -h' for its flags.\n")
}

// run runs the command line args (without the program name) and returns the
// exit status: 0 success, 1 a run or an output failed, 2 a bad command line.
func (a *app) run(args []string) int {
	a.args = args
	if len(args) == 0 {
		a.usage(a.stderr)
		return 2
	}
	if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		a.usage(a.stdout)
		return 0
	}
	var cmd *command
	for i := range commands {
		if commands[i].name == args[0] {
			cmd = &commands[i]
		}
	}
	if cmd == nil {
		fmt.Fprintf(a.stderr, "hw3: unknown command %q\n\n", args[0])
		a.usage(a.stderr)
		return 2
	}
	fs := flag.NewFlagSet("hw3 "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	exec := cmd.setup(a, fs)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(a.stdout, "Usage: hw3 %s [flags]\n\n%s.\n\nFlags:\n", cmd.name, cmd.summary)
			fs.SetOutput(a.stdout)
			fs.PrintDefaults()
			return 0
		}
		return a.fail(cmd.name, usageError{err})
	}
	if fs.NArg() > 0 {
		return a.fail(cmd.name, usagef("unexpected argument %q", fs.Arg(0)))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer func() {
		for _, d := range a.tmpDirs {
			os.RemoveAll(d) // gone already when the run succeeded
		}
	}()
	return a.fail(cmd.name, exec(ctx))
}

// fail prints err (if any) and returns the exit status it calls for.
func (a *app) fail(name string, err error) int {
	if err == nil {
		return 0
	}
	fmt.Fprintf(a.stderr, "hw3 %s: %v\n", name, err)
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(a.stderr, "Run 'hw3 %s -h' for the flags.\n", name)
		return 2
	}
	return 1
}

// visited returns the names of the flags given on the command line.
func visited(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// session is what every subcommand does around its runs: load the data,
// train the jobs in parallel, create the output directory and write
// history.csv and summary.md. Everything is written into a temporary
// directory next to the output one (f.out points there meanwhile), which
// finish renames over it, so a run that fails half-way loses nothing.
type session struct {
	a     *app
	f     *runFlags
	out   string // the output directory asked for
	title string
	train engine.Dataset
	val   engine.Dataset
	res   []result
	md    strings.Builder // summary.md after its header
}

func (a *app) runSession(ctx context.Context, f *runFlags, title string, jobs []job) (*session, error) {
	train, val, err := a.load(f.data)
	if err != nil {
		return nil, err
	}
	s := &session{a: a, f: f, out: f.out, title: title, train: train, val: val}
	for _, j := range jobs {
		if j.cfg.Subset > train.N {
			return nil, usagef("-subset %d: the training set has %d images", j.cfg.Subset, train.N)
		}
	}
	tmp, err := newTempDir(f.out)
	if err != nil {
		return nil, err
	}
	a.tmpDirs = append(a.tmpDirs, tmp)
	f.out = tmp
	logf, err := os.Create(filepath.Join(f.out, "epochs.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	start := time.Now()
	s.res = a.runJobs(ctx, jobs, train, val, f.workers, f.quiet, logf)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fmt.Fprintf(a.stdout, "%d run(s) in %s\n", len(jobs), fmtDuration(time.Since(start).Seconds()))
	for i := range s.res {
		if s.res[i].trainer == nil {
			return nil, s.res[i].err
		}
	}
	return s, nil
}

// finish writes history.csv and summary.md, and reports the first run error
// (a diverged run still has its history written).
func (s *session) finish() error {
	hf, err := os.Create(filepath.Join(s.f.out, "history.csv"))
	if err != nil {
		return err
	}
	if err := writeHistoryCSV(hf, s.res); err != nil {
		hf.Close()
		return err
	}
	if err := hf.Close(); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\nCommand: `hw3 %s`\n\n", s.title, strings.Join(s.a.args, " "))
	c := s.res[0].job.cfg
	subset := "all 60,000"
	if c.Subset > 0 {
		subset = fmt.Sprintf("first %d", c.Subset)
	}
	evalN := s.res[0].valN
	fmt.Fprintf(&b, "Model %s; training images: %s; validation: first %d test images; seed %d.\n\n", modelName(c.Model), subset, evalN, c.Seed)
	b.WriteString(s.md.String())
	if err := os.WriteFile(filepath.Join(s.f.out, "summary.md"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	if err := replaceDir(s.f.out, s.out); err != nil {
		return err
	}
	s.f.out = s.out
	fmt.Fprintf(s.a.stdout, "wrote %s\n", s.f.out)
	for i := range s.res {
		if s.res[i].err != nil {
			return s.res[i].err
		}
	}
	return nil
}

// ---- train ----------------------------------------------------------------

func setupTrain(a *app, fs *flag.FlagSet) func(context.Context) error {
	f := defaultRunFlags()
	f.register(fs)
	return func(ctx context.Context) error {
		f.set = visited(fs)
		cfg, err := f.config()
		if err != nil {
			return err
		}
		s, err := a.runSession(ctx, &f, "One training run", []job{{name: runName(cfg), cfg: cfg}})
		if err != nil {
			return err
		}
		summaryTable(&s.md, "Last epoch", s.res)
		earlyStopNote(&s.md, &s.res[0])
		if err := runFigures(f.out, "", &s.res[0]); err != nil {
			return err
		}
		return s.finish()
	}
}

// earlyStopNote says, for a run with early stopping, where the best
// validation loss was and what the restored weights score.
func earlyStopNote(w io.Writer, r *result) {
	t := r.trainer
	c := r.job.cfg
	if c.Patience == 0 || t == nil || len(r.history) == 0 {
		return
	}
	best, at := t.Best()
	if len(r.history) < c.Epochs {
		fmt.Fprintf(w, "Early stopping (patience %d): stopped after epoch %d of %d, %d epochs after the lowest validation loss (%.4f, epoch %d).", c.Patience, len(r.history), c.Epochs, len(r.history)-at, best, at)
	} else {
		fmt.Fprintf(w, "Early stopping (patience %d) did not stop the run; the lowest validation loss was %.4f at epoch %d.", c.Patience, best, at)
	}
	if c.Input == "" || c.Input == engine.InputStandard {
		l, a := engine.Evaluate(t.Model(), t.ValSet(), 0)
		fmt.Fprintf(w, " The model keeps the weights of epoch %d: validation loss %.4f, accuracy %s.", at, l, pct1(a))
	}
	fmt.Fprintf(w, "\n\n")
}

// runName describes a configuration briefly.
func runName(c engine.Config) string {
	s := fmt.Sprintf("%s, %s lr %s, batch %s", modelName(c.Model), c.Optim.Kind, formatLR(float64(c.Schedule.LR0)), batchLabel(c.BatchSize))
	if c.Optim.L2 > 0 {
		s += fmt.Sprintf(", l2 %g", c.Optim.L2)
	}
	if c.ShuffleFraction > 0 {
		s += fmt.Sprintf(", shuffled %g", c.ShuffleFraction)
	}
	return s
}

// ---- sweep ----------------------------------------------------------------

func setupSweep(a *app, fs *flag.FlagSet) func(context.Context) error {
	f := defaultRunFlags()
	f.out, f.epochs, f.lr = "results/sweep", 100, 1e-3
	f.register(fs)
	batches := fs.String("batches", "100,500,3000,5000", "batch sizes, the table's rows (0 = full-batch GD)")
	lrs := fs.String("lrs", "1e-3,1e-4,1e-5", "learning rates, the table's columns")
	return func(ctx context.Context) error {
		f.set = visited(fs)
		if f.set["lr"] || f.set["batch"] {
			return usagef("sweep takes -lrs and -batches, not -lr and -batch")
		}
		base, err := f.config()
		if err != nil {
			return err
		}
		bs, err := parseInts("batches", *batches)
		if err != nil {
			return err
		}
		ls, err := parseFloats("lrs", *lrs)
		if err != nil {
			return err
		}
		var jobs []job
		for _, b := range bs {
			for _, lr := range ls {
				cfg := base
				cfg.BatchSize = b
				cfg.Schedule.LR0 = float32(lr)
				if err := cfg.Validate(); err != nil {
					return usageError{fmt.Errorf("-batches, -lrs: %w", err)}
				}
				jobs = append(jobs, job{name: fmt.Sprintf("batch=%s lr=%s", batchLabel(b), formatLR(lr)), cfg: cfg})
			}
		}
		s, err := a.runSession(ctx, &f, "Batch size x learning rate sweep (Task 1a)", jobs)
		if err != nil {
			return err
		}
		fmt.Fprintf(&s.md, "Optimizer %s, %d epochs; every number is the last epoch's.\n\n", base.Optim.Kind, base.Epochs)
		sweepTables(&s.md, bs, ls, s.res)
		fmt.Fprintln(a.stdout)
		sweepTables(a.stdout, bs, ls, s.res)
		summaryTable(&s.md, "Every run", s.res)
		if err := sweepFigures(f.out, bs, ls, s.res); err != nil {
			return err
		}
		return s.finish()
	}
}

// ---- comparisons: optimizers, l2, kernels ----------------------------------

// compare runs one job per variant and writes the overlaid figures and a
// summary table.
func (a *app) compare(ctx context.Context, f *runFlags, title, what string, jobs []job) error {
	s, err := a.runSession(ctx, f, title, jobs)
	if err != nil {
		return err
	}
	c := jobs[0].cfg
	fmt.Fprintf(&s.md, "Batch %s, %d epochs.\n\n", batchLabel(c.BatchSize), c.Epochs)
	summaryTable(&s.md, "Last epoch of each run", s.res)
	fmt.Fprintln(a.stdout)
	summaryTable(a.stdout, "Last epoch of each run", s.res)
	if err := comparisonFigures(f.out, what, s.res); err != nil {
		return err
	}
	return s.finish()
}

func setupOptimizers(a *app, fs *flag.FlagSet) func(context.Context) error {
	f := defaultRunFlags()
	f.out, f.epochs, f.lr, f.batch = "results/optimizers", 100, 1e-4, 300
	f.register(fs)
	opts := fs.String("opts", "sgd,momentum,nesterov,adam", "optimizers to compare")
	return func(ctx context.Context) error {
		f.set = visited(fs)
		jobs, err := jobsPer(&f, "optimizers", "opts", "opt", *opts, func(o string) string {
			f.opt = o
			return o
		})
		if err != nil {
			return err
		}
		return a.compare(ctx, &f, "Optimizer comparison (Task 1b)", fmt.Sprintf("lr %s", formatLR(f.lr)), jobs)
	}
}

// jobsPer makes one job per comma-separated value of list (the value of
// flag -listFlag), after checking that the one-run flag -single it stands
// for was not given: set puts a value into f and returns the job's name.
func jobsPer(f *runFlags, cmd, listFlag, single, list string, set func(v string) string) ([]job, error) {
	if f.set[single] {
		return nil, usagef("%s takes -%s, not -%s", cmd, listFlag, single)
	}
	var jobs []job
	for _, v := range strings.Split(list, ",") {
		name := set(strings.TrimSpace(v))
		cfg, err := f.config()
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, job{name: name, cfg: cfg})
	}
	return jobs, nil
}

func setupL2(a *app, fs *flag.FlagSet) func(context.Context) error {
	f := defaultRunFlags()
	f.out, f.epochs, f.lr, f.batch = "results/l2", 100, 1e-4, 300
	f.register(fs)
	lambdas := fs.String("lambdas", "1,0.1,0.01,0", "L2 strengths to compare")
	return func(ctx context.Context) error {
		f.set = visited(fs)
		if f.set["l2"] {
			return usagef("l2 takes -lambdas, not -l2")
		}
		ls, err := parseFloats("lambdas", *lambdas)
		if err != nil {
			return err
		}
		var jobs []job
		for _, l := range ls {
			f.l2 = l
			cfg, err := f.config()
			if err != nil {
				return err
			}
			jobs = append(jobs, job{name: fmt.Sprintf("lambda=%g", l), cfg: cfg})
		}
		return a.compare(ctx, &f, "L2 regularisation (Task 2a)", f.opt+" lr "+formatLR(f.lr), jobs)
	}
}

func setupSchedules(a *app, fs *flag.FlagSet) func(context.Context) error {
	f := defaultRunFlags()
	f.out, f.epochs, f.lr, f.batch, f.tau = "results/schedules", 10, 1, 64, 157
	f.register(fs)
	scheds := fs.String("schedules", "constant,invt", "schedules to compare, each from -lr (invt uses -tau, step -every and -gamma)")
	return func(ctx context.Context) error {
		f.set = visited(fs)
		jobs, err := jobsPer(&f, "schedules", "schedules", "schedule", *scheds, func(k string) string {
			f.schedule = k
			if k == string(engine.InvT) {
				return fmt.Sprintf("1/t: lr %s/(1 + t/%g)", formatLR(f.lr), f.tau)
			}
			return k + " lr " + formatLR(f.lr)
		})
		if err != nil {
			return err
		}
		return a.compare(ctx, &f, "Learning-rate schedules (Q1.2)", "schedules", jobs)
	}
}

func setupKernels(a *app, fs *flag.FlagSet) func(context.Context) error {
	f := defaultRunFlags()
	f.model, f.out, f.epochs, f.lr, f.batch = "cnn", "results/kernels", 10, 0.05, 32
	f.register(fs)
	kernels := fs.String("kernels", "5,1,0;3,3,1;14,1,3", "variants separated by ';', each `k,s,p` for both convolutions or k,s,p/k,s,p for conv1/conv2")
	return func(ctx context.Context) error {
		f.set = visited(fs)
		if f.set["conv1"] || f.set["conv2"] || f.model != "cnn" {
			return usagef("kernels takes -kernels (and -model cnn), not -conv1/-conv2")
		}
		var jobs []job
		for _, v := range strings.Split(*kernels, ";") {
			v = strings.TrimSpace(v)
			c1, c2, ok := strings.Cut(v, "/")
			if !ok {
				c2 = c1
			}
			f.conv1, f.conv2 = c1, c2
			cfg, err := f.config()
			if err != nil {
				return err
			}
			name := fmt.Sprintf("k%d s%d p%d", cfg.Model.Conv1.Kernel, cfg.Model.Conv1.Stride, cfg.Model.Conv1.Pad)
			if ok {
				name += fmt.Sprintf(" / k%d s%d p%d", cfg.Model.Conv2.Kernel, cfg.Model.Conv2.Stride, cfg.Model.Conv2.Pad)
			}
			jobs = append(jobs, job{name: name, cfg: cfg})
		}
		return a.compare(ctx, &f, "CNN kernel, stride and padding (Task 3.2)", "CNN kernels", jobs)
	}
}

// ---- flatness ---------------------------------------------------------------

func setupFlatness(a *app, fs *flag.FlagSet) func(context.Context) error {
	f := defaultRunFlags()
	f.model, f.out, f.epochs, f.lr, f.batch = "cnn", "results/flatness", 100, 0.05, 32
	f.register(fs)
	frac := fs.Float64("shuffled", 1, "label fraction shuffled in the second run (the report's -s 1: all)")
	from := fs.Float64("alpha-from", -0.5, "first alpha")
	to := fs.Float64("alpha-to", 1.5, "last alpha")
	step := fs.Float64("alpha-step", 0.1, "alpha step")
	flatN := fs.Int("flat-subset", 0, "evaluate theta(alpha) on the first N test images (0 = the validation set in use)")
	return func(ctx context.Context) error {
		f.set = visited(fs)
		if f.set["shuffle"] {
			return usagef("flatness takes -shuffled (the second run's fraction), not -shuffle")
		}
		if !(*frac > 0 && *frac <= 1) {
			return usagef("-shuffled %v must be in (0, 1]", *frac)
		}
		alphas := engine.AlphaGrid(*from, *to, *step, 1000)
		if alphas == nil {
			return usagef("alphas: want -alpha-from <= -alpha-to and -alpha-step > 0 (at most 1000 points)")
		}
		if *flatN < 0 {
			return usagef("-flat-subset %d must be >= 0", *flatN)
		}
		cfg, err := f.config()
		if err != nil {
			return err
		}
		sh := cfg
		sh.ShuffleFraction = float32(*frac)
		jobs := []job{{name: "true labels", cfg: cfg}, {name: "shuffled labels", cfg: sh}}
		s, err := a.runSession(ctx, &f, "True vs shuffled labels and flatness (Task 3.3)", jobs)
		if err != nil {
			return err
		}
		val := s.res[0].trainer.ValSet()
		if *flatN > 0 && *flatN < s.val.N {
			val = s.val.Head(*flatN)
		}
		// Each net along theta(alpha) on the validation set, and on its own
		// training labels (the shuffled ones for the shuffled run): a net
		// fitted to random labels can only be judged on the labels it fitted.
		curves := make([][]engine.FlatnessPoint, len(s.res))
		trainCurves := make([][]engine.FlatnessPoint, len(s.res))
		dists := make([]float64, len(s.res))
		ownN := 0
		errs := make([]error, 2*len(s.res))
		var wg sync.WaitGroup
		for i := range s.res {
			t := s.res[i].trainer
			own := t.TrainSet()
			if *flatN > 0 && *flatN < own.N {
				own = own.Head(*flatN)
			}
			ownN = own.N
			dists[i] = distance(t.InitialWeights(), t.Model().Weights(nil))
			wg.Go(func() {
				m := t.Model()
				th1 := m.Weights(nil)
				errs[2*i] = engine.Flatness(m, t.InitialWeights(), th1, alphas, val,
					func(p engine.FlatnessPoint) { curves[i] = append(curves[i], p) })
				if errs[2*i] == nil {
					errs[2*i+1] = engine.Flatness(m, t.InitialWeights(), th1, alphas, own,
						func(p engine.FlatnessPoint) { trainCurves[i] = append(trainCurves[i], p) })
				}
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
		names := []string{"true labels", "shuffled labels"}
		fc, err := os.Create(filepath.Join(f.out, "flatness.csv"))
		if err != nil {
			return err
		}
		if err := writeFlatnessCSV(fc, names, curves, trainCurves, dists); err != nil {
			fc.Close()
			return err
		}
		if err := fc.Close(); err != nil {
			return err
		}
		if err := flatnessFigure(filepath.Join(f.out, "flatness.png"), names, curves); err != nil {
			return err
		}
		if err := flatnessTrainFigure(filepath.Join(f.out, "flatness-train.png"), names, trainCurves, dists); err != nil {
			return err
		}
		for i, p := range []string{"true-", "shuffled-"} {
			if err := runFigures(f.out, p, &s.res[i]); err != nil {
				return err
			}
		}
		fmt.Fprintf(&s.md, "Optimizer %s lr %s, batch %s, %d epochs; the shuffled run trains with %s of its training labels shuffled. Flatness evaluated on %d test images, and on the first %d training images with each net's own labels.\n\n",
			cfg.Optim.Kind, formatLR(float64(cfg.Schedule.LR0)), batchLabel(cfg.BatchSize), cfg.Epochs, strconv.FormatFloat(100**frac, 'g', 4, 64)+"%", val.N, ownN)
		summaryTable(&s.md, "Last epoch", s.res)
		for _, w := range []io.Writer{&s.md, a.stdout} {
			fmt.Fprintln(w)
			flatnessTable(w, names, curves)
			flatnessTrainTable(w, names, trainCurves, dists)
		}
		return s.finish()
	}
}

// distance is the Euclidean norm ||b - a||.
func distance(a, b []float32) float64 {
	s := 0.0
	for i := range a {
		d := float64(b[i]) - float64(a[i])
		s += d * d
	}
	return math.Sqrt(s)
}

// flatnessTrainTable writes each net's loss on its own training labels along
// theta(alpha), with the distance from theta0 and the width of the minimum in
// units of distance (the alpha width times ||theta_final - theta0||), so
// that nets that moved different distances compare fairly.
func flatnessTrainTable(w io.Writer, names []string, curves [][]engine.FlatnessPoint, dists []float64) {
	fmt.Fprintf(w, "Loss and error on each net's own training labels along theta(alpha); ||theta_final - theta0||:")
	for i, n := range names {
		fmt.Fprintf(w, " %s %.3f;", n, dists[i])
	}
	fmt.Fprintf(w, "\n\n| alpha |")
	for _, n := range names {
		fmt.Fprintf(w, " %s loss | %s error |", n, n)
	}
	fmt.Fprintf(w, "\n|---:|%s\n", strings.Repeat("---:|---:|", len(names)))
	for k := range curves[0] {
		fmt.Fprintf(w, "| %.2f |", curves[0][k].Alpha)
		for i := range curves {
			p := curves[i][k]
			fmt.Fprintf(w, " %.4f | %s |", p.Loss, pct1(p.Error))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\nWidth of the minimum on the own training labels (loss within %.0f%% of the drop from alpha = 0 to 1 of its value at alpha = 1), in alpha and in distance:", 100*flatDropFrac)
	for i, n := range names {
		wa := relFlatWidth(curves[i], flatDropFrac)
		fmt.Fprintf(w, " %s %.2f (%.3f);", n, wa, wa*dists[i])
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
}

// flatnessTable writes the alpha sweep as a Markdown table with the width of
// each curve around alpha = 1.
func flatnessTable(w io.Writer, names []string, curves [][]engine.FlatnessPoint) {
	fmt.Fprintf(w, "Validation loss and error along theta(alpha) = (1-alpha) theta0 + alpha theta_final\n\n| alpha |")
	for _, n := range names {
		fmt.Fprintf(w, " %s loss | %s error |", n, n)
	}
	fmt.Fprintf(w, "\n|---:|%s\n", strings.Repeat("---:|---:|", len(names)))
	for k := range curves[0] {
		fmt.Fprintf(w, "| %.2f |", curves[0][k].Alpha)
		for i := range curves {
			p := curves[i][k]
			fmt.Fprintf(w, " %.4f | %s |", p.Loss, pct1(p.Error))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\nWidth around alpha = 1 (the length of the alpha interval around 1 where the loss stays within ±%.2g of its value at 1):", flatDelta)
	for i, n := range names {
		fmt.Fprintf(w, " %s %.2f;", n, flatWidth(curves[i], flatDelta))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
}

// flatDelta is the loss increase that bounds the width of a minimum.
const flatDelta = 0.5

// flatDropFrac bounds the width of a minimum on the training labels as a
// fraction of the loss drop from theta0 to theta_final: a fixed delta would
// call the whole line flat for a net whose loss fell by less than delta.
const flatDropFrac = 0.1

// relFlatWidth is flatWidth with delta = frac·|L(0) - L(1)|, the points
// nearest alpha = 0 and 1 standing for theta0 and theta_final.
func relFlatWidth(pts []engine.FlatnessPoint, frac float64) float64 {
	if len(pts) == 0 {
		return 0
	}
	p0, p1 := pts[0], pts[0]
	for _, p := range pts {
		if abs(p.Alpha) < abs(p0.Alpha) {
			p0 = p
		}
		if abs(p.Alpha-1) < abs(p1.Alpha-1) {
			p1 = p
		}
	}
	return flatWidth(pts, frac*abs(p0.Loss-p1.Loss))
}

// flatWidth is the length of the largest alpha interval containing the
// point nearest alpha = 1 on which the loss stays within ±delta of its value
// there (0 if the curve has no points): how far the weights can move along
// the line before the loss changes by delta, in units of theta_final -
// theta0. A loss that falls by more than delta also ends the interval: the
// point at alpha = 1 is then not in a flat region either.
func flatWidth(pts []engine.FlatnessPoint, delta float64) float64 {
	if len(pts) == 0 {
		return 0
	}
	pts = append([]engine.FlatnessPoint(nil), pts...)
	sort.Slice(pts, func(i, j int) bool { return pts[i].Alpha < pts[j].Alpha })
	c := 0
	for i, p := range pts {
		if abs(p.Alpha-1) < abs(pts[c].Alpha-1) {
			c = i
		}
	}
	near := func(l float64) bool { return abs(l-pts[c].Loss) <= delta }
	lo, hi := c, c
	for lo > 0 && near(pts[lo-1].Loss) {
		lo--
	}
	for hi < len(pts)-1 && near(pts[hi+1].Loss) {
		hi++
	}
	return pts[hi].Alpha - pts[lo].Alpha
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
