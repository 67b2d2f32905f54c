// Package playground provides the logic of the browser playground's training
// worker, independent of syscall/js so that it builds and tests natively.
//
// A Session owns the MNIST data as it arrives and an engine.Trainer. It
// handles the page's commands (see docs/protocol.md: configure,
// start, pause, step, reset, shuffle, flatness, sample, confusion,
// loadWeights, getWeights) and produces events as Go structs through a
// callback; the thin js/wasm main (wasm/trainer) converts them to JS objects
// with Event.Map. Training is time-sliced: RunFor trains until a time budget
// is spent and returns, so the worker's event loop can deliver messages.
// Jobs (flatness, confusion, robustness, landscape: jobs.go, landscape.go)
// get one slice of each RunFor; the landscape runs package engine/landscape
// as a coroutine that yields after every batch.
package playground
