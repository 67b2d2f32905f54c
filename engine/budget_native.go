//go:build !wasm

package engine

// DefaultMemoryLimit is the budget of native programs: enough for every
// configuration of the report, well below a full-batch step of an absurd
// kernel (cmd/hw3 -mem changes it).
const DefaultMemoryLimit int64 = 8 << 30
