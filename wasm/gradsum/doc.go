// Package gradsum sums the gradients of a data-parallel run across Web
// Workers through a SharedArrayBuffer: it implements engine.GradReducer
// for replicas that each run in their own worker, where Go's memory is
// private to the worker.
//
// The buffer, made by the page (web/pool.js exchangeBuffer, of
// Bytes(replicas, engine.ReduceFloats(weights)) bytes; layout.go defines the layout once and `go generate ./wire` copies
// it into web/protocol.js), holds a header of HeaderWords int32 words (the
// barrier's generation and arrivals, the abort word, the stopped replicas)
// and SlotSets sets of slots, one slot of n float32 per replica;
// consecutive steps alternate between the sets, so a replica writing the
// next step's gradient never overwrites one that another replica is still
// reading. Each Reduce copies the replica's buffer into its slot, waits
// at a barrier (Atomics.wait: allowed in workers, not on a page's main
// thread), and adds every slot in replica order, so that all replicas get
// the same bits.
package gradsum
