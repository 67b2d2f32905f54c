//go:build !(js && wasm)

package main

import (
	"errors"

	"mnistplay/engine"
)

type reducer interface {
	engine.GradReducer
	Abort()
}

func newReducer(rank, size int) (reducer, error) {
	return nil, errors.New("-replicas needs the wasm build in Web Workers (bench/js/chromium.js -workers)")
}
