//go:build wasm

package engine

// DefaultMemoryLimit is the budget in WebAssembly: what a browser tab can
// give one worker without the page running out of memory.
const DefaultMemoryLimit int64 = 1 << 30
