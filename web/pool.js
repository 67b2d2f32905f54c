// Pool of training workers beside the page's own: each a worker.js with
// its own trainer.wasm, MNIST data and playground session. A sweep's runs
// and background runs each take a worker; a data-parallel run takes
// workers to follow the page's worker (wasm/gradsum). Workers are made
// when first needed and kept for the next run. The pool's size (the
// Workers control) is kept in localStorage. Where the page is cross-origin
// isolated, the page's worker shares the MNIST images it decoded (a
// read-only SharedArrayBuffer, wasm/trainer shareData) and workers made
// after that copy them instead of fetching and decoding the pack.
'use strict';

(function (ns) {
  const KEY = 'mnistplay.workers';
  const MAX = 16;
  // Pool workers are named (the page's own worker is not, and only it
  // shares its decoded data); SHARED_DATA_NAME tells worker.js the decoded
  // data comes from the page, so it prefetches no pack.
  const POOL_NAME = 'pool';
  const SHARED_DATA_NAME = 'shared-data';

  // defaultSize leaves one core to the page: cores - 1, at least 1.
  function defaultSize() {
    const cores = Number(navigator.hardwareConcurrency) || 2;
    return Math.max(1, cores - 1);
  }

  function storedSize() {
    try {
      const v = Number(localStorage.getItem(KEY));
      return Number.isInteger(v) && v >= 1 && v <= MAX ? v : 0;
    } catch (e) {
      return 0; // storage blocked
    }
  }

  class Pool {
    // opts: {onFree()}: called when a worker becomes free.
    constructor(opts) {
      this.opts = opts || {};
      this.slots = [];
      this.size = storedSize() || defaultSize();
      this.shared = null; // the page worker's {type: "sharedData", sab, train, test}
    }

    // setSharedData keeps the decoded data the page's worker shared, for
    // the workers made from now on.
    setSharedData(msg) {
      this.shared = msg;
      ns.poolSharedData = true; // for the browser tests
    }

    setSize(n) {
      n = Math.min(MAX, Math.max(1, Math.round(Number(n)) || 1));
      this.size = n;
      try {
        localStorage.setItem(KEY, String(n));
      } catch (e) {
        // not persisted: storage blocked
      }
      this.opts.onFree && this.opts.onFree();
    }

    busy() {
      return this.slots.filter((s) => s.busy).length;
    }

    free() {
      return Math.max(0, this.size - this.busy());
    }

    // take returns a free worker slot {worker, busy, handler}, making a
    // worker when fewer than size exist, or null when size are busy.
    take() {
      if (this.busy() >= this.size) {
        return null;
      }
      let slot = this.slots.find((s) => !s.busy);
      if (!slot) {
        const shared = this.shared;
        const worker = new Worker('worker.js', { name: shared ? SHARED_DATA_NAME : POOL_NAME });
        if (shared) {
          worker.postMessage({ cmd: 'sharedData', sab: shared.sab, train: shared.train, test: shared.test });
        }
        slot = { id: this.slots.length + 1, worker: worker, busy: false, handler: null };
        worker.onmessage = (e) => {
          if (slot.handler) {
            slot.handler(e.data);
          }
        };
        worker.onerror = (e) => {
          if (slot.handler) {
            slot.handler({ type: ns.protocol.type.error, kind: ns.protocol.kind.internal, message: 'worker ' + slot.id + ' failed: ' + (e.message || 'unknown error') });
          }
        };
        this.slots.push(slot);
      }
      slot.busy = true;
      return slot;
    }

    release(slot) {
      slot.busy = false;
      slot.handler = null;
      this.opts.onFree && this.opts.onFree();
    }
  }

  // isolated reports whether this page may share memory between workers
  // (cross-origin isolated: the server's COOP and COEP headers).
  function isolated() {
    return typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object' && self.crossOriginIsolated === true;
  }

  // exchangeBuffer makes the SharedArrayBuffer of a data-parallel run of
  // replicas workers training a model of params weights, in the layout
  // wasm/gradsum defines (mnistplay.protocol.exchange, generated from Go).
  function exchangeBuffer(replicas, params) {
    const x = ns.protocol.exchange;
    return new SharedArrayBuffer(x.headerBytes + x.slotSets * replicas * (params + x.extraFloats) * 4);
  }
  // abortExchange wakes every replica of sab with "cancelled".
  function abortExchange(sab) {
    const x = ns.protocol.exchange;
    const h = new Int32Array(sab, 0, x.headerBytes / 4);
    Atomics.store(h, x.abortWord, 1);
    Atomics.notify(h, x.genWord);
  }

  ns.Pool = Pool;
  ns.poolMax = MAX;
  ns.crossOriginIsolated = isolated;
  ns.exchangeBuffer = exchangeBuffer;
  ns.abortExchange = abortExchange;
})(window.mnistplay = window.mnistplay || {});
