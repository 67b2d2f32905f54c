//go:build js && wasm

// Package jsconv converts between the plain objects of package wire
// (map[string]any) and JavaScript values, the one place where the trainer
// and the canvas touch message objects: everything else is wire.Encode and
// wire.Decode, pure Go.
package jsconv

import (
	"runtime"
	"slices"
	"syscall/js"
	"unsafe"
)

var (
	object  = js.Global().Get("Object")
	array   = js.Global().Get("Array")
	u8Array = js.Global().Get("Uint8Array")
	f32Arr  = js.Global().Get("Float32Array")
)

// Float32s returns a slice of n floats for FromJS to fill from a
// Float32Array; by default a new one. The canvas sets it to reuse the
// buffers of weight snapshots it has drawn.
var Float32s = func(n int) []float32 { return make([]float32, n) }

// ToJS converts a wire.Encode object (or any of its values) to a JS value.
// []float32 and []uint8 become new typed arrays, whose buffers are
// returned in transfer for postMessage to move rather than copy.
func ToJS(v any) (val js.Value, transfer []any) {
	val = toJS(v, &transfer)
	collectRefs()
	return val, transfer
}

// Every js.Value of an object or a string that Go makes or reads pins its
// JS value (wasm_exec.js's table) until Go's collector finalizes it. A
// program that allocates little between collections, as the trainer does
// while it trains, would let the message objects it made pile up in its JS
// heap. CollectEvery > 0 makes jsconv collect after that many; 0 leaves it
// to Go's pacing (the canvas, which allocates as it draws).
var CollectEvery = 0

var refs int // js.Values of objects and strings made since the last collection

func collectRefs() {
	if CollectEvery > 0 {
		CollectIfPinned(CollectEvery)
	}
}

// CollectIfPinned runs Go's collector when at least n js.Values of objects
// and strings were made or read since the last collection it ran.
func CollectIfPinned(n int) {
	if refs < n {
		return
	}
	refs = 0
	runtime.GC()
}

// shortStrings keeps the JS strings of short values (event types, state
// names), made once instead of pinned anew in every object.
var shortStrings = map[string]js.Value{}

const (
	maxShortString  = 32 // bytes
	maxShortStrings = 256
)

func toJS(v any, transfer *[]any) js.Value {
	switch x := v.(type) {
	case map[string]any:
		refs++
		// Keys are set in sorted order, not Go's random map order: V8
		// gives an object one hidden class per order its properties were
		// added in, so random orders would make new classes (kept alive
		// by every stored event) for as long as a run lasts.
		var buf [16]string
		keys := buf[:0]
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		o := object.New()
		for _, k := range keys {
			o.Set(k, toJS(x[k], transfer))
		}
		return o
	case []any:
		refs++
		a := array.New(len(x))
		for i, e := range x {
			a.SetIndex(i, toJS(e, transfer))
		}
		return a
	case []uint8:
		refs += 2
		a := u8Array.New(len(x))
		js.CopyBytesToJS(a, x)
		*transfer = append(*transfer, a.Get("buffer"))
		return a
	case []float32:
		refs += 3
		u := u8Array.New(4 * len(x))
		if len(x) > 0 {
			// wasm is little-endian, as Float32Array is on every browser.
			js.CopyBytesToJS(u, unsafe.Slice((*byte)(unsafe.Pointer(&x[0])), 4*len(x)))
		}
		buf := u.Get("buffer")
		*transfer = append(*transfer, buf)
		return f32Arr.New(buf)
	}
	if x, ok := v.(string); ok {
		if s, ok := shortStrings[x]; ok {
			return s
		}
		s := js.ValueOf(x)
		if len(x) <= maxShortString && len(shortStrings) < maxShortStrings {
			shortStrings[x] = s
		} else {
			refs++
		}
		return s
	}
	return js.ValueOf(v) // nil, bool, float64
}

// FromJS converts a received JS object to the form wire.Decode takes:
// numbers become float64, arrays []any, typed arrays []float32 and []uint8
// (copies), objects map[string]any, null and undefined nil. ok is false
// when v is not an object.
func FromJS(v js.Value) (m map[string]any, ok bool) {
	if v.Type() != js.TypeObject {
		return nil, false
	}
	m, ok = fromJS(v).(map[string]any)
	collectRefs()
	return m, ok
}

func fromJS(v js.Value) any {
	switch v.Type() {
	case js.TypeBoolean:
		return v.Bool()
	case js.TypeNumber:
		return v.Float()
	case js.TypeString:
		refs++
		return v.String()
	case js.TypeObject:
		refs++
	default:
		return nil
	}
	switch {
	case v.InstanceOf(f32Arr):
		n := v.Length()
		out := Float32s(n)
		if n > 0 {
			refs += 2
			raw := u8Array.New(v.Get("buffer"), v.Get("byteOffset"), 4*n)
			js.CopyBytesToGo(unsafe.Slice((*byte)(unsafe.Pointer(&out[0])), 4*n), raw)
		}
		return out
	case v.InstanceOf(u8Array):
		out := make([]uint8, v.Length())
		js.CopyBytesToGo(out, v)
		return out
	case array.Call("isArray", v).Bool():
		out := make([]any, v.Length())
		for i := range out {
			out[i] = fromJS(v.Index(i))
		}
		return out
	}
	keys := object.Call("keys", v)
	out := make(map[string]any, keys.Length())
	refs += 1 + keys.Length()
	for i := range keys.Length() {
		k := keys.Index(i).String()
		out[k] = fromJS(v.Get(k))
	}
	return out
}
