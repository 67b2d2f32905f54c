// Package wire is the contract between the three programs of the page: the
// trainer (wasm/trainer, a Web Worker), the canvas (wasm/ui, an iframe) and
// the page's script (web/app.js). Every message they exchange is one Go type
// here, its keys given by `wire` struct tags: commands (a "cmd" key, sent to
// the trainer) and events (a "type" key, sent by the trainer, or by the page
// to the canvas).
//
// Readers says which of the trainer's events go to the page, which to the
// canvas over the channel the page gives the two, which to both;
// ViewCommand which commands the canvas may send over it.
//
// Encode turns a message into the plain object that postMessage carries
// (numbers as float64, nested objects as map[string]any, typed arrays as
// []float32 and []uint8 to be transferred), and Decode turns such an object
// back into the typed message or says which field was wrong (*FieldError).
// Both are pure Go and tested natively; the wasm programs only convert
// between js.Value and map[string]any (package wire/jsconv).
//
// web/protocol.js (the names the page's script uses) and the message
// reference in docs/protocol.md are generated from this package by
// `go generate ./wire`; a test fails when they are stale.
package wire

//go:generate go run ./gen -root ..
