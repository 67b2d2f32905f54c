//go:build js && wasm

package gradsum

import (
	"errors"
	"fmt"
	"syscall/js"
	"time"
	"unsafe"
)

// Header layout, in int32 words.
const (
	hGen        = iota // barrier generation: the number of completed barriers
	hArrived           // replicas waiting at the current barrier
	hAbort             // non-zero: the run was cancelled
	hGone              // replicas that stopped for good
	hShuffle           // label shuffling of the run: 0 never set, -1 off, else the fraction in millionths
	headerWords = 16
	headerBytes = 4 * headerWords
)

// ErrAborted is returned by Reduce once Abort was called on any replica's
// Exchange of the same buffer (or the page set the abort word).
var ErrAborted = errors.New("gradsum: the data-parallel run was cancelled")

// ErrGone is returned by Reduce when another replica has stopped.
var ErrGone = errors.New("gradsum: another worker of the data-parallel run stopped")

// Bytes is the size of the SharedArrayBuffer that size replicas exchanging
// n float32 each need.
func Bytes(size, n int) int { return headerBytes + 2*size*n*4 }

// Exchange is one replica's side of the buffer. It is an engine.GradReducer.
type Exchange struct {
	rank, size int
	atomics    js.Value
	hdr        js.Value      // Int32Array over the header
	data       js.Value      // Uint8Array over the slots
	timeout    time.Duration // 0: wait as long as it takes
	step       int
	all        []float32 // (size·n) every replica's slot of the current set
}

// New attaches replica rank of size to sab. A non-zero timeout makes
// Reduce give up when the others have not arrived within it (the replica
// that reports to the page uses it, so a worker that never came does not
// freeze it).
func New(sab js.Value, rank, size int, timeout time.Duration) (*Exchange, error) {
	if size < 1 || rank < 0 || rank >= size {
		return nil, fmt.Errorf("gradsum: replica %d of %d", rank, size)
	}
	if sab.Type() != js.TypeObject || !sab.InstanceOf(js.Global().Get("SharedArrayBuffer")) {
		return nil, errors.New("gradsum: not a SharedArrayBuffer (the page is not cross-origin isolated)")
	}
	if sab.Get("byteLength").Int() < headerBytes {
		return nil, errors.New("gradsum: buffer too small for its header")
	}
	return &Exchange{
		rank:    rank,
		size:    size,
		atomics: js.Global().Get("Atomics"),
		hdr:     js.Global().Get("Int32Array").New(sab, 0, headerWords),
		data:    js.Global().Get("Uint8Array").New(sab, headerBytes),
		timeout: timeout,
	}, nil
}

// Reduce implements engine.GradReducer.
func (e *Exchange) Reduce(buf []float32) error {
	n := len(buf)
	if need := Bytes(e.size, n) - headerBytes; e.data.Get("length").Int() < need {
		return fmt.Errorf("gradsum: buffer of %d bytes, %d floats per replica need %d", e.data.Get("length").Int(), n, need)
	}
	set := e.step & 1
	e.step++
	setOff := set * e.size * n * 4
	if n > 0 {
		js.CopyBytesToJS(e.data.Call("subarray", setOff+e.rank*n*4, setOff+(e.rank+1)*n*4), bytesOf(buf))
	}
	if err := e.barrier(); err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	if cap(e.all) < e.size*n {
		e.all = make([]float32, e.size*n)
	}
	all := e.all[:e.size*n]
	js.CopyBytesToGo(bytesOf(all), e.data.Call("subarray", setOff, setOff+e.size*n*4))
	copy(buf, all[:n])
	for r := 1; r < e.size; r++ {
		s := all[r*n : (r+1)*n]
		for i := range buf {
			buf[i] += s[i]
		}
	}
	return nil
}

// barrier returns once every replica has arrived.
func (e *Exchange) barrier() error {
	gen := e.atomics.Call("load", e.hdr, hGen).Int()
	if e.atomics.Call("add", e.hdr, hArrived, 1).Int() == e.size-1 {
		e.atomics.Call("store", e.hdr, hArrived, 0)
		e.atomics.Call("add", e.hdr, hGen, 1)
		e.atomics.Call("notify", e.hdr, hGen)
		return nil
	}
	start := time.Now()
	for e.atomics.Call("load", e.hdr, hGen).Int() == gen {
		if e.atomics.Call("load", e.hdr, hAbort).Int() != 0 {
			return ErrAborted
		}
		if e.atomics.Call("load", e.hdr, hGone).Int() != 0 {
			return ErrGone
		}
		if e.timeout > 0 && time.Since(start) > e.timeout {
			return fmt.Errorf("gradsum: the other workers of the data-parallel run did not answer within %v", e.timeout)
		}
		e.atomics.Call("wait", e.hdr, hGen, gen, 100)
	}
	return nil
}

// Abort cancels the run for every replica: those waiting wake with
// ErrAborted.
func (e *Exchange) Abort() {
	e.atomics.Call("store", e.hdr, hAbort, 1)
	e.atomics.Call("notify", e.hdr, hGen)
}

// Leave tells the other replicas that this one stopped (its run ended or
// failed), so they do not wait for it.
func (e *Exchange) Leave() {
	e.atomics.Call("add", e.hdr, hGone, 1)
	e.atomics.Call("notify", e.hdr, hGen)
}

// SetShuffle publishes the run's label shuffling (Trainer.SetShuffle) to
// the other replicas.
func (e *Exchange) SetShuffle(on bool, fraction float32) {
	v := -1
	if on && fraction > 0 {
		v = max(1, int(fraction*1e6+0.5))
	}
	e.atomics.Call("store", e.hdr, hShuffle, v)
}

// Shuffle reads what SetShuffle published; ok is false before any call.
func (e *Exchange) Shuffle() (on bool, fraction float32, ok bool) {
	v := e.atomics.Call("load", e.hdr, hShuffle).Int()
	if v == 0 {
		return false, 0, false
	}
	return v > 0, float32(v) / 1e6, true
}

func bytesOf(v []float32) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v))
}
