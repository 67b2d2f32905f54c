// Package playground provides the logic of the browser playground's training
// worker, independent of syscall/js so that it builds and tests natively.
//
// A Session owns the MNIST data as it arrives, an engine.Trainer and the
// run's state and bounded history. It carries out the commands of package
// wire (Handle) and produces wire events through a callback; the thin
// js/wasm main (wasm/trainer) posts them with wire.Encode and wire/jsconv.
// A view that connects late asks for a snapshot (wire.SnapshotCmd) instead
// of being replayed every event, and the page keeps the snapshots the
// session sends it unasked as the run's record (keepRecord: when the run
// rests, at most every Options.SaveEvery while it trains). SweepGrid reads
// a sweep's fields and makes its runs. Training is time-sliced: RunFor trains
// until a time budget is spent and returns, so the worker's event loop can
// deliver messages.
// Jobs (flatness, confusion, robustness, landscape: jobs.go, landscape.go)
// get one slice of each RunFor; the landscape runs package engine/landscape
// as a coroutine that yields after every batch.
package playground
