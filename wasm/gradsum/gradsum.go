//go:build js && wasm

package gradsum

import (
	"errors"
	"fmt"
	"syscall/js"
	"time"
	"unsafe"

	"mnistplay/engine/kernels"
)

// Header words (layout.go).
const (
	hGen     = WordGen
	hArrived = WordArrived
	hAbort   = WordAbort
	hGone    = WordGone
)

// ErrAborted is returned by Reduce once Abort was called on any replica's
// Exchange of the same buffer (or the page set the abort word).
var ErrAborted = errors.New("gradsum: the data-parallel run was cancelled")

// ErrGone is returned by Reduce when another replica has stopped.
var ErrGone = errors.New("gradsum: another worker of the data-parallel run stopped")

// Exchange is one replica's side of the buffer. It is an engine.GradReducer.
type Exchange struct {
	rank, size int
	atomics    js.Value
	hdr        js.Value      // Int32Array over the header
	data       js.Value      // Uint8Array over the slots
	timeout    time.Duration // 0: wait as long as it takes
	slotFloats int           // capacity of one slot: the buffer's slots share its length
	step       int
	acc, tmp   []float32 // (n) the sum so far, another replica's slot
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
	if sab.Get("byteLength").Int() < HeaderBytes {
		return nil, errors.New("gradsum: buffer too small for its header")
	}
	return &Exchange{
		rank:       rank,
		size:       size,
		slotFloats: (sab.Get("byteLength").Int() - HeaderBytes) / (4 * SlotSets * size),
		atomics:    js.Global().Get("Atomics"),
		hdr:        js.Global().Get("Int32Array").New(sab, 0, HeaderWords),
		data:       js.Global().Get("Uint8Array").New(sab, HeaderBytes),
		timeout:    timeout,
	}, nil
}

// Reduce implements engine.GradReducer. Every slot has the same place
// whatever n is, so exchanges of different lengths (gradients, then an
// epoch end's sums) never write where the previous one may still be read.
func (e *Exchange) Reduce(buf []float32) error {
	n := len(buf)
	if n > e.slotFloats {
		return fmt.Errorf("gradsum: %d floats per replica, the buffer has room for %d", n, e.slotFloats)
	}
	set := e.step % SlotSets
	e.step++
	slot := func(r int) js.Value {
		off := (set*e.size + r) * e.slotFloats * 4
		return e.data.Call("subarray", off, off+n*4)
	}
	if n > 0 {
		js.CopyBytesToJS(slot(e.rank), bytesOf(buf))
	}
	if err := e.barrier(); err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	// Added in replica order, so every replica gets the same bits; this
	// replica's own share is buf, not read back.
	if cap(e.acc) < n {
		e.acc, e.tmp = make([]float32, n), make([]float32, n)
	}
	acc := buf
	if e.rank != 0 {
		acc = e.acc[:n]
		js.CopyBytesToGo(bytesOf(acc), slot(0))
	}
	for r := 1; r < e.size; r++ {
		s := buf
		if r != e.rank {
			s = e.tmp[:n]
			js.CopyBytesToGo(bytesOf(s), slot(r))
		}
		kernels.Axpy(1, s, acc) // 1·s is exact: the same bits as an add
	}
	if e.rank != 0 {
		copy(buf, acc)
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

func bytesOf(v []float32) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v))
}
