//go:build js && wasm

// Command trainer is the playground's Web Worker (web/worker.js runs it). It
// fetches the MNIST pack with progress, decodes it piece by piece, and drives
// a playground.Session: commands from the page arrive through the handler
// it gives worker.js (self.trainerAttach), the canvas' requests over the
// MessageChannel the page gives the two (connectView), training runs in
// slices of sliceBudget scheduled through another MessageChannel so
// messages are handled in between, and each event is posted to its
// readers, the page or the canvas or both (wire.Readers), with typed arrays
// transferred.
// A worker of the page's pool may also lead or follow a data-parallel run
// (commands dataParallel and replica; wasm/gradsum sums the gradients).
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"syscall/js"
	"time"

	"mnistplay/engine"
	"mnistplay/engine/mnist"
	"mnistplay/playground"
	"mnistplay/wasm/gradsum"
	"mnistplay/wire"
	"mnistplay/wire/jsconv"
)

// sliceBudget is how long one RunFor may train before the worker returns to
// its event loop.
const sliceBudget = 40 * time.Millisecond

var (
	mu      sync.Mutex // guards sess: JS callbacks and the data goroutine both use it
	sess    *playground.Session
	self    = js.Global()
	u8Array = js.Global().Get("Uint8Array")

	port      js.Value // MessageChannel port2: posting to it schedules a tick
	scheduled bool

	// background is set in a worker of the page's pool (web/pool.js names
	// them; the page's own worker has no name): the runs it trains are not
	// shown live, so it sends the page their record and no live curves.
	background = isPoolWorker()
)

func isPoolWorker() bool {
	name := self.Get("name")
	return name.Type() == js.TypeString && name.String() != ""
}

func main() {
	// A model may use up to the engine's memory budget; past a quarter more
	// the collector works harder rather than let garbage grow the heap
	// (WebAssembly memory never shrinks) to twice the live data.
	debug.SetMemoryLimit(engine.MemoryLimit() / 4 * 5)
	// Training allocates little: the event objects posted to the page would
	// stay pinned in the worker's JS heap until a collection (wire/jsconv).
	jsconv.CollectEvery = 1 << 14
	sess = playground.NewSession(post, playground.Options{Seed: uint64(time.Now().UnixNano())})

	ch := js.Global().Get("MessageChannel").New()
	port = ch.Get("port2")
	ch.Get("port1").Set("onmessage", js.FuncOf(func(js.Value, []js.Value) any {
		scheduled = false
		mu.Lock()
		busy := sess.RunFor(sliceBudget)
		mu.Unlock()
		if busy {
			schedule()
		}
		return nil
	}))

	handler := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) == 0 {
			return nil
		}
		handle(args[0])
		return nil
	})
	self.Call("trainerAttach", handler)

	go loadData()
	select {} // the worker lives as long as the page
}

// schedule makes sure a tick will run soon.
func schedule() {
	if scheduled {
		return
	}
	scheduled = true
	port.Call("postMessage", 0)
}

// handle passes one message from the page to the session.
func handle(data js.Value) {
	mu.Lock()
	defer func() {
		mu.Unlock()
		schedule()
	}()
	// connectView carries a MessagePort, which is no part of the Go contract.
	if data.Type() == js.TypeObject && data.Get(wire.KeyCmd).String() == "connectView" {
		connectView(data.Get("port"))
		return
	}
	// dataParallel and replica carry a SharedArrayBuffer, no part of the Go
	// contract either.
	switch data.Get(wire.KeyCmd).String() {
	case "sharedData":
		sharedData = data
		return
	case "dataParallel":
		leadReplicas(data)
		return
	case "replica":
		followRun(data)
		return
	}
	obj, _ := jsconv.FromJS(data)
	c, err := wire.DecodeCommand(obj)
	if err != nil {
		sess.HandleObject(obj) // says what is wrong with it
		return
	}
	switch c.(type) {
	case wire.ConfigureCmd, wire.LoadWeightsCmd:
		endReplicas() // the run they train is over
	case wire.RetryDataCmd:
		select {
		case retryData <- struct{}{}:
		default:
		}
	}
	sess.Handle(c)
}

// post sends an event to its readers (wire.Readers): the page, the canvas
// over its channel, or both, each with its own copy of the typed arrays,
// transferred. Before the canvas connects its events are dropped: it asks
// for a snapshot when it does.
func post(e wire.Event) {
	page, view := wire.Readers(e, fromView)
	view = view && viewPort.Type() == js.TypeObject
	if background && !view && wire.LiveOnly(e) {
		return
	}
	if !page && !view {
		return
	}
	obj := wire.Encode(e)
	if view {
		v, transfer := jsconv.ToJS(obj)
		viewPort.Call("postMessage", v, transfer)
	}
	if page {
		v, transfer := jsconv.ToJS(obj)
		self.Call("postMessage", v, transfer)
	}
}

// ---- the canvas' channel ----

var (
	viewPort    js.Value // the MessageChannel port to the canvas (wasm/ui)
	viewHandler js.Func
	// fromView is set while the session handles a command that came over
	// the canvas' channel: a snapshot then answers the canvas (guarded by mu).
	fromView bool
)

// connectView takes the port the page made for the canvas and this worker
// (wire package): the canvas' events go there, and its requests come from
// there; a reloaded canvas gets a new one.
func connectView(port js.Value) {
	if port.Type() != js.TypeObject {
		return
	}
	if viewHandler.Truthy() {
		viewPort.Set("onmessage", js.Null())
		viewHandler.Release()
	}
	viewPort = port
	viewHandler = js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) > 0 {
			answerView(args[0].Get("data"))
		}
		return nil
	})
	port.Set("onmessage", viewHandler)
}

// answerView handles a request of the canvas: the pad's classification,
// answered here on the channel, or a command the session answers
// (wire.ViewCommand: a snapshot, a test sample, a flatness curve), whose
// events reach their readers through post.
func answerView(d js.Value) {
	obj, _ := jsconv.FromJS(d)
	c, err := wire.DecodeCommand(obj)
	if err == nil && !wire.ViewCommand(c) {
		err = fmt.Errorf("%q is not the canvas' to ask", c.Cmd())
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "trainer: a request on the canvas' channel refused: %v\n", err)
		return
	}
	mu.Lock()
	defer func() {
		mu.Unlock()
		schedule()
	}()
	req, ok := c.(wire.ClassifyCmd)
	if !ok {
		fromView = true
		sess.Handle(c)
		fromView = false
		return
	}
	p, err := sess.Classify(req)
	var ev wire.Event = p
	if err != nil {
		ev = wire.PredictionError{ID: req.ID, Message: err.Error()}
	}
	v, transfer := jsconv.ToJS(wire.Encode(ev))
	viewPort.Call("postMessage", v, transfer)
}

// ---- data-parallel training (wasm/gradsum) ----

// leaderWait is how long the worker that reports a data-parallel run
// waits for the others at a step before giving up: long enough for a new
// worker to download and decode the data.
const leaderWait = 120 * time.Second

// intOf is v as an int, or -1 when it is not a number.
func intOf(v js.Value) int {
	if v.Type() != js.TypeNumber {
		return -1
	}
	return v.Int()
}

var (
	lead     *gradsum.Exchange // this worker's exchange when it leads a data-parallel run
	dataDone bool              // every piece of the data is in (guarded by mu)
)

// leadReplicas makes the session's new run replica 0 of a data-parallel
// run ({cmd: "dataParallel", sab, size}); the page has sent the same config
// to the other workers as "replica" commands. It answers with a
// {type: "dataParallel", replicas, message} event: replicas 1 and a message
// when the run trains alone. The caller holds mu.
func leadReplicas(d js.Value) {
	size := intOf(d.Get("size"))
	ex, err := gradsum.New(d.Get("sab"), 0, max(size, 1), leaderWait)
	tr := sess.Trainer()
	switch {
	case err != nil:
	case tr == nil || tr.Steps() > 0 || tr.InStep():
		err = errors.New("the run has begun training")
	case !dataDone:
		err = errors.New("the data is still loading")
	}
	if err != nil {
		if ex != nil {
			ex.Abort()
		}
		post(wire.DataParallelEvent{Replicas: 1, Message: "trained by one worker: " + err.Error()})
		return
	}
	endReplicas()
	tr.SetReplica(0, size, ex) // its label shuffling is every replica's (engine)
	lead = ex
	post(wire.DataParallelEvent{Replicas: size})
}

// endReplicas cancels the data-parallel run this worker leads, if any.
func endReplicas() {
	if lead != nil {
		lead.Abort()
		lead = nil
	}
}

// followRun trains replica rank of a data-parallel run ({cmd: "replica",
// config, sab, rank, size}) once the data is in. The worker does nothing
// else until the run ends (done, failed, or cancelled by the leader or the
// page), then posts {type: "replicaEnd", rank, message}.
func followRun(d js.Value) {
	rank, size := intOf(d.Get("rank")), intOf(d.Get("size"))
	cfgJSON := js.Global().Get("JSON").Call("stringify", d.Get("config")).String()
	ex, err := gradsum.New(d.Get("sab"), max(rank, 0), max(size, 1), 0)
	end := func(err error) {
		ev := wire.ReplicaEndEvent{Rank: rank}
		if err != nil {
			ev.Message = err.Error()
		}
		post(ev)
	}
	if err != nil {
		end(err)
		return
	}
	go func() {
		for {
			mu.Lock()
			ok := dataDone
			mu.Unlock()
			if ok {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		defer ex.Leave()
		_, err := playground.ParseConfig([]byte(cfgJSON))
		if err == nil {
			sess.Handle(wire.ConfigureCmd{Config: json.RawMessage(cfgJSON)})
		}
		tr := sess.Trainer()
		if err != nil || tr == nil {
			ex.Abort()
			end(fmt.Errorf("replica %d: %v", rank, err))
			return
		}
		tr.SetReplica(rank, size, ex)
		for {
			// The leader's shuffling and epoch-end evaluation reach this
			// replica through the exchange (engine.Trainer.SetReplica).
			if _, _, err := tr.Step(); err != nil {
				if errors.Is(err, engine.ErrDone) {
					err = nil
				}
				end(err)
				return
			}
		}
	}()
}

// ---- data ----

type file struct {
	name  string
	data  []byte
	err   error
	ready chan struct{}
}

// retryData wakes loadData after a failed piece, when the page's Retry
// button sends the retryData command.
var retryData = make(chan struct{}, 1)

// fetchTries and fetchBackoff: a piece whose download fails is fetched
// again this many times, waiting twice as long each time, before the page
// is told (and offers Retry).
const (
	fetchTries   = 3
	fetchBackoff = 500 * time.Millisecond
)

// loadData fetches every pack file at once (so the total size is known for
// the progress bar), then decodes them in order, handing each piece to the
// session as soon as it and those before it are decoded. A piece that
// cannot be fetched or decoded stops the loading with a data error until
// the page asks to retry; the pieces before it stay.
func loadData() {
	// A panic here would end the program; the page gets a sentence, the
	// console the details (never Go's panic text on the page).
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "trainer: internal error while loading the data: %v\n%s\n", r, debug.Stack())
			// Not dataError: the panic may have come while mu was held.
			post(wire.ErrorEvent{Message: "internal error while loading the data; please reload the page", Kind: wire.KindData})
		}
	}()
	if sharedData.Truthy() {
		train, test, err := takeSharedData(sharedData)
		sharedData = js.Undefined()
		if err == nil {
			mu.Lock()
			sess.AddPiece(train, test)
			sess.Progress(1, 1)
			sess.DataComplete()
			dataDone = true
			mu.Unlock()
			schedule()
			return
		}
		fmt.Fprintf(os.Stderr, "trainer: %v; fetching the data instead\n", err)
	}
	names := mnist.PackFiles()
	files := make([]*file, len(names))
	var loaded, total int64
	var sizeMu sync.Mutex
	known := 0
	sizes := make(chan int64, len(names))
	for i, n := range names {
		f := &file{name: n, ready: make(chan struct{})}
		files[i] = f
		go func() {
			defer close(f.ready)
			f.data, f.err = fetchBytes("assets/"+f.name, func(size int64) { sizes <- size }, func(n int64) {
				sizeMu.Lock()
				loaded += n
				l, t, all := loaded, total, known == len(names)
				sizeMu.Unlock()
				if all && t > 0 { // a total of some files only would fill the bar too early
					mu.Lock()
					sess.Progress(l, max(t, l))
					mu.Unlock()
				}
			})
		}()
	}
	// The total is known once every response has its headers (or failed).
	go func() {
		for known < len(names) {
			s := <-sizes
			sizeMu.Lock()
			total += s
			known++
			sizeMu.Unlock()
		}
	}()
	for i, f := range files {
		<-f.ready
		if i > 0 {
			awaitFirstStep()
		}
		for {
			p, err := decodeFile(f, i, len(files))
			if err == nil {
				mu.Lock()
				sess.AddPiece(p.Train, p.Test)
				mu.Unlock()
				schedule()
				break
			}
			dataError(err)
			<-retryData
			f.data, f.err = fetchBytes("assets/"+f.name, func(int64) {}, func(int64) {})
		}
		// Decoding blocks the worker for a while: let commands and a few
		// training slices through before the next piece.
		time.Sleep(3 * sliceBudget)
	}
	sizeMu.Lock()
	l := loaded
	sizeMu.Unlock()
	mu.Lock()
	sess.Progress(l, l)
	sess.DataComplete()
	dataDone = true
	train, test := sess.Data()
	mu.Unlock()
	schedule()
	shareData(train, test)
}

// ---- decoded data shared with the pool's workers ----

// sharedData is the {cmd: "sharedData", sab, train, test} message of the
// page's pool (web/pool.js) when it made this worker: the decoded images of
// another worker, so this one neither fetches nor decodes the pack. It is
// set before loadData starts: worker.js queues the message until
// trainerAttach.
var sharedData js.Value

// shareData copies the decoded data into a SharedArrayBuffer, images then
// labels of the training set, then of the test set, and posts it to
// the page ({type: "sharedData", sab, train, test}: the counts) for the
// pool's next workers. Only the page's own worker shares (not a
// background one), and only where the page may share memory
// (cross-origin isolated).
func shareData(train, test mnist.Set) {
	g := js.Global()
	if background || !g.Get("crossOriginIsolated").Truthy() || !g.Get("SharedArrayBuffer").Truthy() {
		return
	}
	sab := g.Get("SharedArrayBuffer").New(sharedBytes(train.N, test.N))
	off := 0
	put := func(b []byte) {
		if len(b) > 0 {
			js.CopyBytesToJS(u8Array.New(sab, off, len(b)), b)
		}
		off += len(b)
	}
	for _, s := range []mnist.Set{train, test} {
		put(s.Images[:s.N*mnist.ImageSize])
		put(s.Labels[:s.N])
	}
	msg := g.Get("Object").New()
	msg.Set(wire.KeyType, "sharedData")
	msg.Set("sab", sab)
	msg.Set("train", train.N)
	msg.Set("test", test.N)
	self.Call("postMessage", msg)
}

// sharedBytes is the size of shared data of nTrain and nTest images.
func sharedBytes(nTrain, nTest int) int { return (nTrain + nTest) * (mnist.ImageSize + 1) }

// takeSharedData copies the shared data of d into Go's memory, checking
// its counts, sizes and labels.
func takeSharedData(d js.Value) (train, test mnist.Set, err error) {
	sab := d.Get("sab")
	nTrain, nTest := intOf(d.Get("train")), intOf(d.Get("test"))
	if !sab.InstanceOf(js.Global().Get("SharedArrayBuffer")) || nTrain <= 0 || nTest < 0 ||
		sab.Get("byteLength").Int() != sharedBytes(nTrain, nTest) {
		return train, test, errors.New("the shared data is malformed")
	}
	off := 0
	take := func(n int) []byte {
		b := make([]byte, n)
		js.CopyBytesToGo(b, u8Array.New(sab, off, n))
		off += n
		return b
	}
	train = mnist.Set{Images: take(nTrain * mnist.ImageSize), Labels: take(nTrain), N: nTrain}
	test = mnist.Set{Images: take(nTest * mnist.ImageSize), Labels: take(nTest), N: nTest}
	for _, l := range [][]byte{train.Labels, test.Labels} {
		for _, c := range l {
			if c >= 10 {
				return train, test, fmt.Errorf("the shared data has a label %d", c)
			}
		}
	}
	return train, test, nil
}

// firstStepGrace is how long the pieces after the first wait for a run
// started at once to take its first step: decoding a piece blocks the
// worker, and the first step should not wait for images it does not need.
const firstStepGrace = 1500 * time.Millisecond

func awaitFirstStep() {
	for deadline := time.Now().Add(firstStepGrace); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		stepped := sess.Step() > 0
		mu.Unlock()
		if stepped {
			return
		}
	}
}

// decodeFile decodes piece i of n from f, or says which piece failed and how.
func decodeFile(f *file, i, n int) (*mnist.Piece, error) {
	if f.err != nil {
		return nil, fmt.Errorf("part %d of %d of the MNIST data did not arrive: %w", i+1, n, f.err)
	}
	p, err := mnist.DecodePiece(f.data)
	f.data = nil
	if err != nil {
		return p, fmt.Errorf("data file %s (part %d of %d) is corrupt: %w", f.name, i+1, n, err)
	}
	if p.Index != i {
		return p, fmt.Errorf("data file %s is corrupt: it says it is piece %d", f.name, p.Index)
	}
	return p, nil
}

func dataError(err error) {
	mu.Lock()
	sess.DataError(err)
	mu.Unlock()
	schedule()
}

// fetchBytes GETs url, reporting the Content-Length (or 0) once through
// size and each chunk's length through progress. A failed download is
// tried again, after fetchBackoff, 2·fetchBackoff, ...
func fetchBytes(url string, size func(int64), progress func(int64)) ([]byte, error) {
	wait := fetchBackoff
	for try := 1; ; try++ {
		b, err := fetchOnce(url, size, progress)
		if err == nil || try == fetchTries {
			return b, err
		}
		time.Sleep(wait)
		wait *= 2
		size, progress = func(int64) {}, func(int64) {} // counted once
	}
}

func fetchOnce(url string, size func(int64), progress func(int64)) ([]byte, error) {
	sent := false
	sendSize := func(n int64) {
		if !sent {
			sent = true
			size(n)
		}
	}
	defer sendSize(0)
	resp, err := await(prefetched(url))
	if err != nil {
		return nil, fmt.Errorf("could not load the MNIST data (%s): %v", url, err)
	}
	if !resp.Get("ok").Bool() {
		return nil, fmt.Errorf("could not load the MNIST data: HTTP %d %s for %s", resp.Get("status").Int(), resp.Get("statusText").String(), url)
	}
	var n int64
	if cl := resp.Get("headers").Call("get", "Content-Length"); cl.Type() == js.TypeString {
		fmt.Sscan(cl.String(), &n)
	}
	sendSize(n)
	buf := make([]byte, 0, n)
	body := resp.Get("body")
	if body.IsNull() || body.IsUndefined() {
		ab, err := await(resp.Call("arrayBuffer"))
		if err != nil {
			return nil, fmt.Errorf("could not load the MNIST data (%s): %v", url, err)
		}
		u := u8Array.New(ab)
		buf = make([]byte, u.Get("length").Int())
		js.CopyBytesToGo(buf, u)
		progress(int64(len(buf)))
		return buf, nil
	}
	reader := body.Call("getReader")
	for {
		r, err := await(reader.Call("read"))
		if err != nil {
			return nil, fmt.Errorf("could not load the MNIST data (%s): %v", url, err)
		}
		if r.Get("done").Bool() {
			break
		}
		chunk := r.Get("value")
		k := chunk.Get("length").Int()
		start := len(buf)
		buf = append(buf, make([]byte, k)...)
		js.CopyBytesToGo(buf[start:], chunk)
		progress(int64(k))
	}
	return buf, nil
}

// prefetched returns the fetch promise worker.js started for url before
// this program ran (each is taken once), or a new fetch. It blocks until
// worker.js has read the pieces' names, so it must run in a goroutine.
func prefetched(url string) js.Value {
	if ready := js.Global().Get("packPrefetchReady"); ready.Type() == js.TypeObject {
		await(ready) // never rejects: a failed SHA256SUMS lists no piece
	}
	if pre := js.Global().Get("packPrefetch"); pre.Type() == js.TypeObject {
		if p := pre.Get(url); p.Type() == js.TypeObject {
			pre.Delete(url)
			return p
		}
	}
	return js.Global().Call("fetch", url)
}

// await blocks the calling goroutine (never a JS callback) until promise p
// settles.
func await(p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	then := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{v: args[0]}
		return nil
	})
	catch := js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "unknown error"
		if len(args) > 0 {
			msg = args[0].Call("toString").String()
		}
		ch <- result{err: errors.New(msg)}
		return nil
	})
	p.Call("then", then, catch)
	r := <-ch
	then.Release()
	catch.Release()
	return r.v, r.err
}
