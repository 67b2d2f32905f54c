package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mnistplay/engine"
)

// job is one training run of a sweep or comparison.
type job struct {
	name string // e.g. "batch=100 lr=1e-3"; the prefix of its epoch lines
	cfg  engine.Config
}

// result is what a finished job leaves: its history, its trainer (the model
// and theta0, for the flatness sweep) and the error that stopped it, if any.
type result struct {
	job     job
	history []engine.EpochStats
	trainer *engine.Trainer
	trainN  int // training examples in use
	epochN  int // examples trained per epoch
	valN    int // validation examples
	elapsed time.Duration
	err     error
}

// last returns the final epoch's stats (zero if none).
func (r *result) last() engine.EpochStats {
	if len(r.history) == 0 {
		return engine.EpochStats{}
	}
	return r.history[len(r.history)-1]
}

// lineWriter writes whole lines to w from several goroutines.
type lineWriter struct {
	mu  sync.Mutex
	w   io.Writer // nil: lines go only to log
	log io.Writer // may be nil
	pb  *progress // cleared before and redrawn after each write, may be nil
}

func (l *lineWriter) println(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pb != nil && l.pb.on {
		l.pb.mu.Lock()
		defer l.pb.mu.Unlock()
	}
	if l.log != nil {
		io.WriteString(l.log, s+"\n")
	}
	if l.w == nil {
		return
	}
	l.pb.clear()
	io.WriteString(l.w, s+"\n")
	l.pb.draw()
}

// runJobs trains jobs on a pool of workers goroutines, each run with its own
// model, and returns the results in the order of jobs. Per-epoch lines go to
// out (prefixed with the job's name when there are several jobs) unless
// quiet, and to log if it is not nil. Cancelling ctx stops every run after its current batch.
func (a *app) runJobs(ctx context.Context, jobs []job, train, val engine.Dataset, workers int, quiet bool, log io.Writer) []result {
	res := make([]result, len(jobs))
	trainers := make([]*engine.Trainer, len(jobs))
	total := 0
	for i, j := range jobs {
		res[i].job = j
		t, err := engine.NewTrainer(j.cfg, train, val)
		if err != nil {
			res[i].err = err
			continue
		}
		trainers[i] = t
		res[i].trainer = t
		res[i].trainN = t.TrainSet().N
		res[i].epochN = res[i].trainN
		if j.cfg.StepsPerEpoch > 0 && j.cfg.BatchSize > 0 {
			res[i].epochN = min(j.cfg.BatchSize, res[i].trainN) * j.cfg.StepsPerEpoch
		}
		res[i].valN = t.ValSet().N
		total += j.cfg.Epochs * t.StepsPerEpoch()
	}
	pb := a.newProgress(total)
	lw := &lineWriter{w: a.stdout, log: log, pb: pb}
	if quiet {
		lw.w = nil
	}
	pb.start()
	defer pb.stop()

	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(workers, len(jobs))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				a.runOne(ctx, &res[i], trainers[i], len(jobs) > 1, lw, pb)
			}
		}()
	}
	for i := range jobs {
		if trainers[i] != nil {
			next <- i
		}
	}
	close(next)
	wg.Wait()
	return res
}

func (a *app) runOne(ctx context.Context, r *result, t *engine.Trainer, prefix bool, lw *lineWriter, pb *progress) {
	pre := ""
	if prefix {
		pre = "[" + r.job.name + "] "
	}
	start := time.Now()
	stepsDone := 0
	err := t.Run(ctx,
		func(engine.StepStats) { stepsDone++; pb.add(1) },
		func(e engine.EpochStats) {
			r.history = append(r.history, e)
			lw.println(pre + epochLines(e, r.epochN, r.trainN, r.valN, strings.Repeat(" ", len(pre))))
		})
	r.elapsed = time.Since(start)
	// Early stopping (or an error) ends a run before its planned steps.
	pb.add(int64(r.job.cfg.Epochs*t.StepsPerEpoch() - stepsDone))
	if err != nil {
		r.err = fmt.Errorf("%s: %w", r.job.name, err)
		lw.println(pre + "stopped: " + err.Error())
	}
}

// progress is a bar on stderr, drawn only when stderr is a terminal. A nil
// or disabled progress does nothing.
type progress struct {
	w       io.Writer
	on      bool
	total   int64
	done    atomic.Int64
	started time.Time
	mu      sync.Mutex // guards drawing
	quit    chan struct{}
	wg      sync.WaitGroup
}

func (a *app) newProgress(total int) *progress {
	return &progress{w: a.stderr, on: a.stderrIsTerm() && total > 0, total: int64(total)}
}

func (p *progress) add(n int64) {
	if p != nil {
		p.done.Add(n)
	}
}

func (p *progress) start() {
	if p == nil || !p.on {
		return
	}
	p.started = time.Now()
	p.quit = make(chan struct{})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.quit:
				return
			case <-tick.C:
				p.mu.Lock()
				p.draw()
				p.mu.Unlock()
			}
		}
	}()
}

func (p *progress) stop() {
	if p == nil || !p.on {
		return
	}
	close(p.quit)
	p.wg.Wait()
	p.mu.Lock()
	p.clear()
	p.mu.Unlock()
}

// barLine renders the bar for done of total steps after elapsed.
func barLine(done, total int64, elapsed time.Duration) string {
	const width = 30
	frac := 0.0
	if total > 0 {
		frac = min(1, float64(done)/float64(total))
	}
	n := int(frac * width)
	bar := strings.Repeat("=", n)
	if n < width {
		bar += ">" + strings.Repeat(" ", width-n-1)
	}
	eta := "?"
	if done > 0 && frac < 1 {
		eta = (time.Duration(float64(elapsed)*(1/frac-1)) / time.Second * time.Second).String()
	} else if frac >= 1 {
		eta = "0s"
	}
	return fmt.Sprintf("[%s] %3.0f%% %d/%d steps, %s elapsed, ETA %s", bar, 100*frac, done, total, (elapsed / time.Second * time.Second).String(), eta)
}

// draw and clear are called with the line writer's lock or p.mu held.
func (p *progress) draw() {
	if p == nil || !p.on {
		return
	}
	fmt.Fprintf(p.w, "\r%s", barLine(p.done.Load(), p.total, time.Since(p.started)))
}

func (p *progress) clear() {
	if p == nil || !p.on {
		return
	}
	fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", 100))
}
