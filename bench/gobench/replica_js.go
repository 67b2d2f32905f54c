//go:build js && wasm

package main

import (
	"syscall/js"

	"mnistplay/engine"
	"mnistplay/wasm/gradsum"
)

type reducer interface {
	engine.GradReducer
	Abort()
}

// newReducer attaches to the SharedArrayBuffer the page put in the
// worker's global gradSAB (bench/js/chromium.js -workers).
func newReducer(rank, size int) (reducer, error) {
	return gradsum.New(js.Global().Get("gradSAB"), rank, size, 0)
}
