// Package wire holds the messages that the canvas (wasm/ui) and the trainer
// (wasm/trainer) exchange directly, over the MessageChannel the page gives
// them, without the page relaying them: the canvas asks the trainer to
// classify the drawing pad, and the trainer answers. Both programs encode
// and decode these types with the key names defined here, so the contract
// is written once. It imports nothing, so the canvas links no trainer code.
package wire
