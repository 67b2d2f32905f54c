package playground

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"mnistplay/engine"
	"mnistplay/engine/mnist"
	"mnistplay/wire"
)

// Options tune a Session. Zero fields take the defaults.
type Options struct {
	StepEvery    time.Duration    // least time between StepsEvents; default 50 ms
	WeightsEvery time.Duration    // least time between WeightsEvents while running; default 250 ms
	SaveEvery    time.Duration    // most time a busy run's record (keepRecord) lags its history; default 5 s
	Now          func() time.Time // clock; default time.Now
	Seed         uint64           // random test samples

	// Quick validation between epoch ends (wire.EvalEvent): every EvalEvery
	// steps (0: a quarter epoch, at most 200 steps; < 0: never) or EvalTime
	// of training (default 5 s), whichever comes first, but no sooner than
	// EvalGap after the last one (default 1 s), on the first EvalImages test
	// images (default 1000, and no more than the run's EvalSubset).
	EvalEvery  int
	EvalTime   time.Duration
	EvalGap    time.Duration
	EvalImages int

	// Log receives what the page must not show: the panic and stack behind
	// an internal error. Default: standard error (the browser's console
	// in WebAssembly).
	Log func(string)
}

// DefaultConfig is the run the page starts with: the report's CNN trained
// with momentum SGD on minibatches of 64.
func DefaultConfig() engine.Config {
	return engine.Config{
		Model:      engine.DefaultCNN(),
		Optim:      engine.OptimConfig{Kind: engine.Momentum, Momentum: 0.5},
		Schedule:   engine.Schedule{Kind: engine.Constant, LR0: 0.05},
		BatchSize:  64,
		Epochs:     10,
		Seed:       1,
		EvalSubset: 2000,
	}
}

// pageAlphas is the flatness curve of a command that names no alphas: the
// report's -0.5..1.5, in steps of 0.05.
var pageAlphas = engine.AlphaGrid(-0.5, 1.5, 0.05, maxAlphas)

// Limits on what a configure or flatness command may ask for.
const (
	maxAlphas    = 1000
	maxTrain     = 60000 // MNIST's training images
	maxTest      = 10000 // MNIST's test images
	evalBatch    = 256
	worstImages  = 12
	confChunk    = 1000 // validation images per RunFor slice in a confusion job
	progressGap  = 50 * time.Millisecond
	defaultEval  = 1000
	throughputTC = 2.0 // seconds: time constant of the examples/s moving average
)

// A Session is the worker's state: data, configuration, the current run and
// the jobs (flatness, confusion) in progress. Its methods must be called
// from one goroutine.
type Session struct {
	out  func(wire.Event)
	hist history // what a snapshot sends
	// the record last sent to the page (keepRecord): the history's version
	// then (histVer counts its changes), the run's state and the time
	histVer, savedVer int
	savedState        string
	lastSave          time.Time
	opt               Options
	rng               *rand.Rand

	// data
	train, test  mnist.Set // ready once train has an example
	dataErr      error     // the download failed and waits for RetryData
	complete     bool      // every piece arrived
	lastProgress time.Time

	// run
	cfg      *engine.Config // the accepted configuration; nil before the first configure
	cfgErr   error          // the last configure's error; start and step refuse while it stands
	tr       *engine.Trainer
	state    string
	wantRun  bool      // start was asked before the data was ready
	theta0   []float32 // initial weights of the run (kept across data extensions)
	stepOff  int       // steps and epochs of earlier trainers of this run (data extension)
	epochOff int
	epochNow float64 // fractional epoch after the last step
	stepNow  int
	extendAt bool // rebuild on more data at the next epoch end

	shuffleOn   bool
	shuffleFrac float32
	shuffleEcho bool // a shuffle change waits for the next step

	pending     []wire.StepPoint
	lastSteps   time.Time
	lastWeights time.Time
	rateEx      float64 // decayed examples and seconds for examples/s
	rateSec     float64
	stepSec     float64            // seconds spent in the chunks of the step in progress
	lastEp      *engine.EpochStats // the last epoch's stats, for the end-of-run check
	sinceEval   int                // steps since the last evaluation (quick or epoch end)
	quick       *quickEvalState    // a quick evaluation in progress: training waits for it
	lastEval    time.Time          // time of the last quick evaluation or epoch end

	job      job         // flatness, confusion, robustness or landscape in progress
	snaps    [][]float32 // (k, NumWeights) weights during the run, for the landscape's PCA plane
	classify classifier  // Classify's buffers

	loadedW []float32 // (NumWeights) weights from loadWeights waiting for the data (no trainer yet)
}

// job is incremental work done between training steps.
type job interface {
	// advance does one slice of work and reports whether the job is finished.
	advance(s *Session) bool
}

// NewSession returns a Session that reports through emit.
//
// It panics if emit is nil.
func NewSession(emit func(wire.Event), opt Options) *Session {
	if emit == nil {
		panic("playground: NewSession with a nil emit")
	}
	if opt.StepEvery <= 0 {
		opt.StepEvery = 50 * time.Millisecond
	}
	if opt.WeightsEvery <= 0 {
		opt.WeightsEvery = 250 * time.Millisecond
	}
	if opt.SaveEvery <= 0 {
		opt.SaveEvery = 5 * time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.EvalTime <= 0 {
		opt.EvalTime = 5 * time.Second
	}
	if opt.EvalGap <= 0 {
		opt.EvalGap = time.Second
	}
	if opt.EvalImages <= 0 {
		opt.EvalImages = defaultEval
	}
	if opt.Log == nil {
		opt.Log = func(msg string) { fmt.Fprintln(os.Stderr, msg) }
	}
	return &Session{out: emit, opt: opt, rng: rand.New(rand.NewPCG(opt.Seed, 0x73616d70)), state: wire.StateIdle}
}

// State returns the run state (wire.StateIdle, wire.StateRunning, ...).
func (s *Session) State() string { return s.state }

// Step returns the number of training steps of the current run.
func (s *Session) Step() int { return s.stepNow }

// Trainer returns the current trainer, or nil before the data is ready.
func (s *Session) Trainer() *engine.Trainer { return s.tr }

// Busy reports whether RunFor has work: training or a job in progress.
func (s *Session) Busy() bool {
	return (s.state == wire.StateRunning && s.tr != nil) || (s.job != nil && s.ready())
}

// ---- data ----

// Progress reports bytes of the data pack received. Events are throttled to
// one per 50 ms, except the last (loaded == total).
func (s *Session) Progress(loaded, total int64) {
	now := s.opt.Now()
	if loaded < total && now.Sub(s.lastProgress) < progressGap {
		return
	}
	s.lastProgress = now
	s.emit(wire.ProgressEvent{Loaded: loaded, Total: total})
}

// AddPiece appends a decoded piece of the pack: training and test images.
// The first piece makes the session ready (a wire.ReadyEvent); a run that has
// not stepped yet is rebuilt on the larger data at once, a running one at
// its next epoch end.
func (s *Session) AddPiece(train, test mnist.Set) {
	defer s.recover()
	wasReady := s.ready()
	s.train = appendSet(s.train, train)
	s.test = appendSet(s.test, test)
	if wasReady {
		s.dataGrew()
		return
	}
	if !s.ready() {
		return
	}
	s.emit(wire.ReadyEvent{Train: s.train.N, Test: s.test.N})
	if s.cfg != nil {
		s.newTrainer()
	}
}

// ready reports whether a piece with training examples has arrived.
func (s *Session) ready() bool { return s.train.N > 0 }

// Data returns the training and test images added so far. They must not be
// modified.
func (s *Session) Data() (train, test mnist.Set) { return s.train, s.test }

// DataComplete says no more pieces will come.
func (s *Session) DataComplete() {
	s.complete = true
	s.dataErr = nil
	s.emit(wire.DataCompleteEvent{Train: s.train.N, Test: s.test.N})
}

// DataError reports a failure to fetch or decode the pack. The message is
// err's text (the decoder's, e.g. "mnist pack: checksum mismatch ..."). A
// run that needs the images that did not come is paused, and Start refuses
// it until RetryData and the rest of the data: it would otherwise train on
// part of the set while its settings say all of it.
func (s *Session) DataError(err error) {
	s.dataErr = err
	s.emit(wire.ErrorEvent{Message: err.Error(), Kind: wire.KindData, Retry: true})
	if s.state == wire.StateRunning && s.needsMissingData() {
		s.pause()
	}
}

// RetryData clears a data error when the download is tried again.
func (s *Session) RetryData() {
	s.dataErr = nil
}

// thousands writes n with comma separators, as the page writes counts.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// needsMissingData reports whether the run wants training images that a
// failed download did not bring.
func (s *Session) needsMissingData() bool {
	if s.complete || s.dataErr == nil {
		return false
	}
	return s.cfg == nil || s.cfg.Subset == 0 || s.cfg.Subset > s.train.N
}

func appendSet(dst, src mnist.Set) mnist.Set {
	if src.N == 0 {
		return dst
	}
	if dst.N == 0 {
		return src
	}
	return mnist.Set{
		Images: append(dst.Images[:dst.N*mnist.ImageSize:dst.N*mnist.ImageSize], src.Images[:src.N*mnist.ImageSize]...),
		Labels: append(dst.Labels[:dst.N:dst.N], src.Labels[:src.N]...),
		N:      dst.N + src.N,
	}
}

func dataset(m mnist.Set) engine.Dataset {
	return engine.Dataset{Images: m.Images, Labels: m.Labels, N: m.N}
}

// wantsMore reports whether the current run would train on more examples
// than its trainer has.
func (s *Session) wantsMore() bool {
	if s.tr == nil {
		return false
	}
	have := s.tr.TrainSet().N
	want := s.train.N
	if s.cfg.Subset > 0 {
		want = min(s.cfg.Subset, s.train.N)
	}
	return want > have
}

func (s *Session) dataGrew() {
	if !s.wantsMore() {
		return
	}
	if s.stepNow == 0 {
		// Keep the weights: they may be loaded ones (identical to the seed's otherwise).
		s.loadedW = s.tr.Model().Weights(nil)
		s.newTrainer()
		return
	}
	s.extendAt = true
}

// extend moves the run to a new trainer on all the data so far, keeping the
// weights, the step and epoch counts and the shuffle setting. The optimizer's
// state starts afresh (it is called at an epoch end).
func (s *Session) extend() {
	s.extendAt = false
	w := s.tr.Model().Weights(nil)
	cfg := s.runConfig()
	done := s.epochOff + s.tr.Epoch()
	if cfg.Epochs > 0 {
		cfg.Epochs = max(cfg.Epochs-done, 1)
	}
	cfg.ShuffleFraction = 0
	nt, err := engine.NewTrainer(cfg, dataset(s.train), dataset(s.test))
	if err != nil {
		s.emit(wire.ErrorEvent{Message: "extending the training data: " + err.Error(), Kind: wire.KindInternal})
		return
	}
	if err := nt.Model().SetWeights(w); err != nil {
		panic("playground: " + err.Error())
	}
	if s.shuffleOn {
		nt.SetShuffle(true, s.shuffleFrac)
	}
	s.stepOff += s.tr.Steps()
	s.epochOff = done
	s.tr = nt
}

// runConfig is the accepted config with Subset clamped to the data present
// and a schedule counted in epochs turned into steps. Those epochs are of
// the subset asked for, or of all of MNIST, even while the data still
// loads: the schedule does not change when the data grows.
func (s *Session) runConfig() engine.Config {
	cfg := *s.cfg
	n := cfg.Subset
	if n == 0 {
		n = maxTrain
	}
	cfg.Schedule = cfg.Schedule.InSteps(cfg.EpochSteps(n))
	if cfg.Subset > s.train.N {
		cfg.Subset = 0
	}
	return cfg
}

// ---- commands ----

// HandleObject decodes a command as the page posted it (see
// wire.Decode) and handles it; a message that is no command is an internal
// error event (a bug of the page, not the person's doing).
func (s *Session) HandleObject(obj map[string]any) {
	c, err := wire.DecodeCommand(obj)
	if err != nil {
		s.emit(wire.ErrorEvent{Message: "bad command: " + err.Error(), Kind: wire.KindInternal})
		return
	}
	s.Handle(c)
}

// Handle carries out one command. Errors become ErrorEvents; a run in
// progress goes on after them. RetryDataCmd only clears the data error
// (RetryData); the caller fetches again. ClassifyCmd goes to Classify.
func (s *Session) Handle(c wire.Command) {
	defer s.recover()
	defer s.keepRecord(false)
	switch c := c.(type) {
	case wire.ConfigureCmd:
		s.configure(c.Config)
	case wire.CheckCmd:
		s.check(c.ID, c.Config)
	case wire.SweepCmd:
		ev, err := SweepGrid(c)
		if err != nil {
			ev = wire.SweepEvent{ID: c.ID, Message: err.Error()}
		}
		s.emit(ev)
	case wire.StartCmd:
		s.start()
	case wire.PauseCmd:
		s.pause()
	case wire.StepCmd:
		s.stepOnce()
	case wire.ResetCmd:
		if s.cfg == nil {
			d := DefaultConfig()
			s.cfg = &d
		}
		s.newRun()
	case wire.ShuffleCmd:
		s.setShuffle(c.On, c.Fraction)
	case wire.FlatnessCmd:
		s.flatness(c.Alphas, c.EvalSubset)
	case wire.SampleCmd:
		s.sample()
	case wire.ConfusionCmd:
		s.confusion()
	case wire.RobustnessCmd:
		s.robustness(c.EvalSubset)
	case wire.LandscapeCmd:
		s.landscape(c)
	case wire.CancelLandscapeCmd:
		if _, ok := s.job.(*landscapeJob); ok {
			s.stopJob("cancelled")
		}
	case wire.LoadWeightsCmd:
		s.loadWeights(c.Bytes)
	case wire.GetWeightsCmd:
		s.getWeights(c.ID)
	case wire.RetryDataCmd:
		s.RetryData()
	case wire.SnapshotCmd:
		s.snapshot(c.ID, c.Weights)
	default:
		s.emit(wire.ErrorEvent{Message: fmt.Sprintf("command %q is not for the session", c.Cmd()), Kind: wire.KindInternal})
	}
}

// pageConfig is a configuration as the page sends it: an engine.Config and
// the protocol the Training box names.
type pageConfig struct {
	engine.Config
	// Protocol "report" is engine.Config.ReportProtocol, with the
	// validation set evaluated every 10 epochs (an epoch is one step) unless
	// EvalEvery says otherwise, and every epoch under early stopping.
	// "" and "modern" leave the Config as it is.
	Protocol string `json:"protocol,omitempty"`
}

// reportEvalEvery is the evaluation period of the page's report protocol.
const reportEvalEvery = 10

// decodePageConfig decodes a configuration as the page sends it, refusing
// keys no field takes (a typo would otherwise be a default silently).
func decodePageConfig(raw []byte) (pageConfig, error) {
	var pc pageConfig
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&pc); err != nil {
		return pc, decodeError(err)
	}
	if dec.More() {
		return pc, errors.New("the settings are followed by other data")
	}
	// Checked on the value the typed decoding accepted.
	var plain any
	if err := json.Unmarshal(raw, &plain); err != nil {
		return pc, decodeError(err)
	}
	if bad := unknownSetting(plain, reflect.TypeFor[pageConfig](), ""); bad != "" {
		return pc, fmt.Errorf("unknown setting %q", bad)
	}
	return pc, nil
}

// ParseConfig decodes and checks a configuration from the page (see
// pageConfig). The error is for the user: it names the field, or is the
// engine's own text (for a shape, the layer and the formula).
func ParseConfig(raw []byte) (engine.Config, error) {
	pc, err := decodePageConfig(raw)
	if err != nil {
		return pc.Config, err
	}
	cfg := pc.Config
	switch pc.Protocol {
	case "", "modern":
	case "report":
		cfg = cfg.ReportProtocol()
		if cfg.EvalEvery == 0 && cfg.Patience == 0 {
			cfg.EvalEvery = reportEvalEvery
		}
	default:
		return cfg, fmt.Errorf("protocol %q: want modern or report", pc.Protocol)
	}
	return cfg, CheckConfig(cfg)
}

// CheckConfig checks cfg by the engine's rules (engine.Config.Validate:
// the numbers, the model's shapes, the memory budget, an *engine.BudgetError
// over it) and that its subsets fit in MNIST, before any data is loaded.
func CheckConfig(cfg engine.Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	switch {
	case cfg.Subset > maxTrain:
		return fmt.Errorf("training examples %d must be in 0..%d (0 = all)", cfg.Subset, maxTrain)
	case cfg.EvalSubset > maxTest:
		return fmt.Errorf("validation examples %d must be in 0..%d (0 = all)", cfg.EvalSubset, maxTest)
	}
	return nil
}

// check validates a configuration as configure would, without making a run:
// the page asks as the user types. A wire.CheckEvent answers, its Message
// empty if the configuration is good, with the shape preview of its model.
func (s *Session) check(id int, raw json.RawMessage) {
	msg := ""
	cfg, err := ParseConfig(raw)
	if err != nil {
		msg = err.Error()
	}
	s.emit(wire.CheckEvent{ID: id, Message: msg, Preview: shapePreview(cfg.Model)})
}

// shapePreview is the line under the page's convolution table: the input
// and output size of each convolution and pooling, e.g. "conv1 28→24,
// pool 24→12, ...", up to an impossible one (the check's message says why).
// It is empty for an MLP.
func shapePreview(spec engine.Spec) string {
	if spec.Arch != engine.ArchCNN {
		return ""
	}
	ls, _ := spec.Layers()
	var parts []string
	for _, l := range ls {
		switch {
		case strings.HasPrefix(l.Name, "conv"):
			parts = append(parts, fmt.Sprintf("%s %d→%d", l.Name, l.In.H, l.Out.H))
		case strings.HasPrefix(l.Name, "pool"):
			parts = append(parts, fmt.Sprintf("pool %d→%d", l.In.H, l.Out.H))
		}
	}
	return strings.Join(parts, ", ")
}

func (s *Session) configure(raw json.RawMessage) {
	cfg, err := ParseConfig(raw)
	if err != nil {
		s.cfgErr = err
		s.emit(wire.ErrorEvent{Message: err.Error(), Kind: wire.KindConfig})
		return
	}
	s.cfgErr = nil
	s.cfg = &cfg
	s.newRun()
}

// newRun starts a run from s.cfg: arch, state idle, weights.
func (s *Session) newRun() {
	s.flushSteps()
	s.keepRecord(true) // the run being replaced
	s.tr, s.theta0 = nil, nil
	s.stepOff, s.epochOff, s.stepNow, s.epochNow = 0, 0, 0, 0
	s.extendAt, s.wantRun = false, false
	s.shuffleOn = s.cfg.ShuffleFraction > 0
	s.shuffleFrac = s.cfg.ShuffleFraction
	s.shuffleEcho = false
	s.rateEx, s.rateSec, s.stepSec = 0, 0, 0
	s.lastEp = nil
	s.sinceEval, s.lastEval = 0, time.Time{}
	s.quick = nil
	s.stopJob("a new run")
	s.snaps = nil
	s.loadedW = nil
	var m *engine.Model
	if s.ready() {
		if !s.newTrainer() {
			return
		}
		m = s.tr.Model()
	} else {
		var err error
		if m, err = engine.Build(s.cfg.Model, s.cfg.Seed); err != nil {
			s.emit(wire.ErrorEvent{Message: err.Error(), Kind: wire.KindConfig})
			return
		}
		s.theta0 = m.Weights(nil)
	}
	s.emit(archEvent(m))
	s.setState(wire.StateIdle)
	s.emitWeights(m)
}

// newTrainer builds the trainer of s.cfg on the data so far.
func (s *Session) newTrainer() bool {
	tr, err := engine.NewTrainer(s.runConfig(), dataset(s.train), dataset(s.test))
	if err != nil {
		s.emit(wire.ErrorEvent{Message: err.Error(), Kind: wire.KindConfig})
		return false
	}
	s.tr = tr
	s.theta0 = tr.InitialWeights()
	if s.loadedW != nil {
		if err := tr.Model().SetWeights(s.loadedW); err != nil {
			panic("playground: loaded weights of another spec: " + err.Error())
		}
		s.loadedW = nil
		s.emitWeights(tr.Model())
	}
	if s.shuffleOn != (s.cfg.ShuffleFraction > 0) || s.shuffleFrac != s.cfg.ShuffleFraction {
		tr.SetShuffle(s.shuffleOn, s.shuffleFrac)
	}
	return true
}

func archEvent(m *engine.Model) wire.ArchEvent {
	info := m.Info()
	ev := wire.ArchEvent{Layers: make([]wire.LayerRow, len(info)), Params: m.NumWeights(), Spec: m.Spec}
	for i, l := range info {
		ev.Layers[i] = wire.LayerRow{Name: l.Name, Shape: [3]int{l.Out.C, l.Out.H, l.Out.W}, Params: l.Params}
	}
	return ev
}

func (s *Session) setState(st string) {
	s.state = st
	s.emit(wire.StateEvent{State: st, Step: s.stepNow, Epoch: s.epochNow})
}

// refuseBadConfig reports (as an error event) whether the last configure
// failed: the page sends configure and start together, and start must not
// then train an older or default model.
func (s *Session) refuseBadConfig() bool {
	if s.cfgErr == nil {
		return false
	}
	s.emit(wire.ErrorEvent{Message: s.cfgErr.Error(), Kind: wire.KindConfig})
	return true
}

func (s *Session) start() {
	if s.refuseBadConfig() {
		return
	}
	if s.cfg == nil {
		d := DefaultConfig()
		s.cfg = &d
		s.newRun()
	}
	switch s.state {
	case wire.StateRunning:
		return
	case wire.StateDone:
		s.emit(wire.ErrorEvent{Message: "this run is finished; press Reset (or change the settings) for a new run", Kind: wire.KindConfig})
		return
	case wire.StateDiverged:
		s.emit(wire.ErrorEvent{Message: "this run diverged; lower the learning rate and press Reset for a new run", Kind: wire.KindDiverged})
		return
	}
	if s.needsMissingData() {
		msg := fmt.Sprintf("Cannot train on all the images: only %s training images arrived (%v). Press Retry, or set Training examples to at most %s.", thousands(s.train.N), s.dataErr, thousands(s.train.N))
		if !s.ready() {
			msg = "cannot train: " + s.dataErr.Error()
		}
		s.emit(wire.ErrorEvent{Message: msg, Kind: wire.KindData, Retry: true})
		return
	}
	s.wantRun = !s.ready()
	s.lastSteps = s.opt.Now()
	s.setState(wire.StateRunning)
}

func (s *Session) pause() {
	if s.state != wire.StateRunning {
		return
	}
	s.wantRun = false
	s.flushSteps()
	s.setState(wire.StatePaused)
	if s.tr != nil {
		s.emitWeights(s.tr.Model())
	}
}

// stepOnce trains one batch (the step command); not while running.
func (s *Session) stepOnce() {
	if s.state == wire.StateRunning || s.refuseBadConfig() {
		return
	}
	if s.cfg == nil {
		d := DefaultConfig()
		s.cfg = &d
		s.newRun()
	}
	if s.tr == nil {
		s.emit(wire.ErrorEvent{Message: "the data is still loading; step again when it is ready", Kind: wire.KindData})
		return
	}
	if s.state == wire.StateDone || s.state == wire.StateDiverged {
		return
	}
	for s.quick != nil { // of the weights before this step
		s.quickEvalChunk()
	}
	s.trainStep(true)
	s.flushSteps()
	if s.state == wire.StateIdle {
		s.setState(wire.StatePaused)
	} else {
		s.emit(wire.StateEvent{State: s.state, Step: s.stepNow, Epoch: s.epochNow})
	}
	s.emitWeights(s.tr.Model())
}

func (s *Session) setShuffle(on bool, fraction float64) {
	if !(fraction >= 0 && fraction <= 1) {
		s.emit(wire.ErrorEvent{Message: fmt.Sprintf("shuffle fraction %v must be in [0, 1]", fraction), Kind: wire.KindConfig})
		return
	}
	f := float32(fraction)
	if !on {
		f = 0
	}
	s.shuffleOn, s.shuffleFrac = on && f > 0, f
	if s.cfg != nil {
		s.cfg.ShuffleFraction = f // a Reset keeps it
	}
	if s.tr == nil || s.stepNow == 0 {
		if s.tr != nil {
			s.tr.SetShuffle(s.shuffleOn, f)
		}
		s.emit(wire.ShuffleEvent{On: s.shuffleOn, Fraction: f, Epoch: s.epochNow, Step: s.stepNow})
		return
	}
	s.tr.SetShuffle(s.shuffleOn, f)
	s.shuffleEcho = true
}

// ---- training ----

// RunFor trains (and advances a flatness or confusion job) until budget is
// spent, then sends the throttled events and returns whether there is more
// work (Busy). A job gets one slice per call, training the rest.
func (s *Session) RunFor(budget time.Duration) (busy bool) {
	defer s.recover()
	start := s.opt.Now()
	if s.job != nil && s.ready() {
		if s.job.advance(s) {
			s.job = nil
		}
	}
	for s.state == wire.StateRunning && s.tr != nil {
		if s.quick != nil {
			s.quickEvalChunk()
		} else {
			s.trainStep(false)
		}
		if s.opt.Now().Sub(start) >= budget {
			break
		}
	}
	now := s.opt.Now()
	if len(s.pending) > 0 && now.Sub(s.lastSteps) >= s.opt.StepEvery {
		s.flushSteps()
	}
	if s.state == wire.StateRunning && s.tr != nil && now.Sub(s.lastWeights) >= s.opt.WeightsEvery {
		s.emitWeights(s.tr.Model())
	}
	s.keepRecord(false)
	return s.Busy()
}

// trainStep runs one chunk of a training step (Trainer.StepChunk), or the
// rest of the step if whole, and records what a completed step returns. A
// chunk is at most 256 examples, so a full-batch step does not keep the
// worker from answering Pause for its whole duration.
func (s *Session) trainStep(whole bool) {
	t0 := s.opt.Now()
	var (
		st       engine.StepStats
		ep       *engine.EpochStats
		err      error
		complete = true
	)
	if whole {
		st, ep, err = s.tr.Step()
	} else {
		st, ep, complete, err = s.tr.StepChunk()
	}
	d := s.opt.Now().Sub(t0)
	s.stepSec += d.Seconds()
	if !whole {
		s.fitChunk(d)
	}
	if err == nil && !complete {
		return
	}
	dt := s.stepSec
	s.stepSec = 0
	if err != nil {
		if errors.Is(err, engine.ErrDone) {
			s.finish()
			return
		}
		s.diverged(err)
		return
	}
	if s.shuffleEcho {
		s.shuffleEcho = false
		s.flushSteps()
		s.emit(wire.ShuffleEvent{On: s.shuffleOn, Fraction: s.shuffleFrac, Epoch: s.epochNow, Step: s.stepNow})
	}
	s.stepNow = s.stepOff + st.Step
	s.epochNow = float64(s.epochOff) + st.Epoch
	n := s.tr.TrainSet().N
	if bs := s.cfg.BatchSize; bs > 0 && bs < n {
		n = bs
	}
	if ep == nil && dt > 0 { // epoch ends include an evaluation: not training throughput
		d := math.Exp(-dt / throughputTC)
		s.rateEx = s.rateEx*d + float64(n)
		s.rateSec = s.rateSec*d + dt
	}
	rate := 0.0
	if s.rateSec > 0 {
		rate = s.rateEx / s.rateSec
	}
	s.pending = append(s.pending, wire.StepPoint{Step: s.stepNow, Epoch: s.epochNow, Loss: st.Loss, Acc: st.Acc, LR: st.LR, ExamplesPerSec: rate})
	if ep == nil {
		s.sinceEval++
		s.quickEval()
	} else {
		s.sinceEval, s.lastEval = 0, s.opt.Now()
	}
	if ep != nil {
		e := *ep
		s.lastEp = &e
		s.flushSteps()
		valLoss, valAcc := ep.ValLoss, ep.ValAcc
		if ep.Unevaluated { // not a zero loss: no point on the curves
			valLoss, valAcc = math.NaN(), math.NaN()
		}
		s.emit(wire.EpochEvent{Epoch: s.epochOff + ep.Epoch, TrainLoss: ep.TrainLoss, TrainAcc: ep.TrainAcc,
			ValLoss: valLoss, ValAcc: valAcc, Best: ep.Best, Step: s.stepNow, TrainN: s.tr.TrainSet().N,
			TrainEvalLoss: ep.TrainEvalLoss, TrainEvalAcc: ep.TrainEvalAcc})
		s.keepWeights()
		if s.tr.Done() {
			s.finish()
			return
		}
		s.emitWeights(s.tr.Model())
		if s.extendAt {
			s.extend()
		}
	}
}

// evalEvery is the number of steps between quick evaluations, or 0 for none.
func (s *Session) evalEvery() int {
	if s.opt.EvalEvery < 0 {
		return 0
	}
	if s.opt.EvalEvery > 0 {
		return s.opt.EvalEvery
	}
	spe := s.tr.StepsPerEpoch()
	if spe < 8 { // epochs are short: their own evaluation is often enough
		return 0
	}
	return min(200, (spe+3)/4)
}

// chunkTime is how long one StepChunk call should take: the worker answers
// Pause (and the pad's classifications) between calls.
const chunkTime = 50 * time.Millisecond

// fitChunk sizes the trainer's chunks so that one takes about chunkTime,
// from how long the last one (of the current size) took: a model whose
// examples are slow goes a few examples at a time. It grows at most
// twofold per call, and changes nothing within a factor 1.5 of the aim.
func (s *Session) fitChunk(took time.Duration) {
	if took <= 0 {
		return
	}
	c := s.tr.Chunk()
	want := int(float64(c) * float64(chunkTime) / float64(took))
	if want < c*2/3 || want > c*3/2 {
		s.tr.SetChunk(min(want, 2*c))
	}
}

// quickEvalState is a quick evaluation of the first n test images: one
// Forward of at most the model's EvalBatch per call, so that a large model
// does not keep the worker from answering; training waits meanwhile.
type quickEvalState struct {
	n, done int
	lossSum float64 // sum of loss·k over the chunks done
	correct int
}

// quickEval starts a quick evaluation of the current weights on the first
// test images when one is due; the wire.EvalEvent comes after the pending steps,
// once its last chunk is done (quickEvalChunk).
func (s *Session) quickEval() {
	every := s.evalEvery()
	if every == 0 || s.test.N == 0 {
		return
	}
	now := s.opt.Now()
	if s.lastEval.IsZero() { // the run's first step: the clock starts
		s.lastEval = now
	}
	since := now.Sub(s.lastEval)
	if since < s.opt.EvalGap || (s.sinceEval < every && since < s.opt.EvalTime) {
		return
	}
	n := min(s.opt.EvalImages, s.test.N)
	if s.cfg.EvalSubset > 0 {
		n = min(n, s.cfg.EvalSubset)
	}
	s.flushSteps()
	s.quick = &quickEvalState{n: n}
	s.quickEvalChunk()
}

// quickEvalChunk evaluates the next chunk of a quick evaluation and emits
// its wire.EvalEvent after the last.
func (s *Session) quickEvalChunk() {
	q := s.quick
	m := s.tr.Model()
	k := min(evalBatch, m.EvalBatch(), s.tr.Chunk(), q.n-q.done) // no longer than a training chunk
	part := engine.Dataset{Images: s.test.Images[q.done*mnist.ImageSize:], Labels: s.test.Labels[q.done:], N: k}
	loss, acc := engine.EvaluateInput(m, part, s.cfg.Input, k)
	q.lossSum += loss * float64(k)
	q.correct += int(math.Round(acc * float64(k)))
	q.done += k
	if q.done < q.n {
		return
	}
	s.quick = nil
	s.keepWeights()
	s.sinceEval, s.lastEval = 0, s.opt.Now()
	s.emit(wire.EvalEvent{Epoch: s.epochNow, Step: s.stepNow, ValLoss: q.lossSum / float64(q.n), ValAcc: float64(q.correct) / float64(q.n), N: q.n})
}

func (s *Session) finish() {
	s.flushSteps()
	s.setState(wire.StateDone)
	s.emitWeights(s.tr.Model())
	if s.lastEp != nil && !s.shuffleOn {
		if err := engine.CheckLearned(*s.lastEp, s.tr.ValSet().N > 0); err != nil {
			s.emit(wire.ErrorEvent{Message: err.Error(), Kind: wire.KindNotLearned})
		}
	}
}

func (s *Session) diverged(err error) {
	s.flushSteps()
	why := err.Error()
	var de *engine.DivergedError
	if errors.As(err, &de) {
		why = de.Why
	}
	s.setState(wire.StateDiverged)
	s.emit(wire.ErrorEvent{Message: fmt.Sprintf("training diverged at step %d: %s; lower the learning rate", s.stepNow+1, why), Kind: wire.KindDiverged})
	s.emitWeights(s.tr.Model())
}

func (s *Session) flushSteps() {
	s.lastSteps = s.opt.Now()
	if len(s.pending) == 0 {
		return
	}
	steps := s.pending
	s.pending = nil // the event owns steps
	s.emit(wire.StepsEvent{Steps: steps})
}

func (s *Session) emitWeights(m *engine.Model) {
	s.lastWeights = s.opt.Now()
	// A fresh slice each time: the worker transfers it to the page.
	s.emit(wire.WeightsEvent{Spec: m.Spec, Step: s.stepNow, Data: m.Weights(nil)})
}

// ---- sample, weights ----

func (s *Session) sample() {
	if s.test.N == 0 {
		s.emit(wire.ErrorEvent{Message: "no test images yet: the data is still loading", Kind: wire.KindData})
		return
	}
	i := s.rng.IntN(s.test.N)
	img := append([]uint8(nil), s.test.Image(i)...)
	s.emit(wire.SampleEvent{Image: img, Label: int(s.test.Labels[i]), Index: i})
}

func (s *Session) currentModel() *engine.Model {
	if s.tr != nil {
		return s.tr.Model()
	}
	if s.cfg == nil {
		return nil
	}
	m, err := engine.Build(s.cfg.Model, s.cfg.Seed)
	if err != nil {
		return nil
	}
	return m
}

// getWeights answers request id with the model's bytes, or an error
// event carrying the same id.
func (s *Session) getWeights(id int) {
	m := s.currentModel()
	if m == nil {
		s.emit(wire.ErrorEvent{Message: "no model yet: configure a run first", Kind: wire.KindConfig, ID: id})
		return
	}
	b, err := m.MarshalBinary()
	if err != nil {
		s.emit(wire.ErrorEvent{Message: "saving weights: " + err.Error(), Kind: wire.KindInternal, ID: id})
		return
	}
	s.emit(wire.ModelBytesEvent{ID: id, Bytes: b})
}

// loadWeights makes a new run with the file's architecture and weights; it
// stays paused so Start trains on from them.
func (s *Session) loadWeights(b []byte) {
	m, err := engine.UnmarshalModel(b)
	if err != nil {
		s.emit(wire.ErrorEvent{Message: "weights file: " + err.Error(), Kind: wire.KindWeights})
		return
	}
	cfg := DefaultConfig()
	if s.cfg != nil {
		cfg = *s.cfg
	}
	cfg.Model = m.Spec
	if err := cfg.CheckMemory(); err != nil { // the file's model at this batch size
		s.emit(wire.ErrorEvent{Message: "weights file: " + err.Error(), Kind: wire.KindWeights})
		return
	}
	s.cfg = &cfg
	s.newRun()
	if s.tr == nil {
		// No data yet: the trainer is made when it comes, with these weights.
		s.loadedW = m.Weights(nil)
		s.emitWeights(m)
		return
	}
	if err := s.tr.Model().SetWeights(m.Weights(nil)); err != nil {
		s.emit(wire.ErrorEvent{Message: "weights file: " + err.Error(), Kind: wire.KindWeights})
		return
	}
	s.emitWeights(s.tr.Model())
}

// internalMessage is all the page says of a panic; Options.Log gets the rest.
const internalMessage = "internal error in the trainer; please reload the page (the details are in the browser's console)"

// recover turns a panic into an internal error event and pauses training,
// so one bug does not kill the worker. The panic's text and stack go to
// Options.Log, never to the page.
func (s *Session) recover() {
	r := recover()
	if r == nil {
		return
	}
	stack := string(debug.Stack())
	if len(stack) > 2000 {
		stack = stack[:2000]
	}
	if s.state == wire.StateRunning {
		s.state = wire.StatePaused
		s.emit(wire.StateEvent{State: wire.StatePaused, Step: s.stepNow, Epoch: s.epochNow})
	}
	s.stopJob("internal error")
	s.opt.Log(fmt.Sprintf("playground: internal error: %v\n%s", r, stack))
	s.emit(wire.ErrorEvent{Message: internalMessage, Kind: wire.KindInternal})
}
