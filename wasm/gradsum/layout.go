package gradsum

import "mnistplay/engine"

// The buffer's layout, defined here once: the page (web/pool.js) makes and
// aborts the buffer with these values, which `go generate ./wire` writes
// into web/protocol.js (mnistplay.protocol.exchange).
const (
	// HeaderWords is the number of int32 words before the slots.
	HeaderWords = 16
	// HeaderBytes is the header's size in bytes.
	HeaderBytes = 4 * HeaderWords
	// SlotSets is the number of sets of slots, one slot per replica each;
	// consecutive exchanges alternate between them.
	SlotSets = 2
	// ExtraFloats is how many floats a replica's slot holds besides the
	// model's weights (engine.ReduceFloats).
	ExtraFloats = engine.ReduceExtra
)

// The header's words.
const (
	WordGen     = iota // barrier generation: the number of completed barriers
	WordArrived        // replicas waiting at the current barrier
	WordAbort          // non-zero: the run was cancelled
	WordGone           // replicas that stopped for good
)

// Bytes is the size of the SharedArrayBuffer that size replicas exchanging
// n float32 each need.
func Bytes(size, n int) int { return HeaderBytes + SlotSets*size*n*4 }
