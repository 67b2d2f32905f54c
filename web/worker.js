// Web Worker: runs trainer.wasm (wasm/trainer), or trainer-relaxed.wasm, the
// same program with relaxed SIMD kernels, where the browser has relaxed
// SIMD. Messages from the page that arrive before the Go program has
// registered its handler are queued.
'use strict';

const queue = [];
let handler = null;

// relaxedSIMD reports whether this browser's WebAssembly validates a tiny
// module using f32x4.relaxed_madd: (func (result v128) three i32x4.splat of
// 0, then f32x4.relaxed_madd).
function relaxedSIMD() {
  try {
    return WebAssembly.validate(new Uint8Array([
      0, 97, 115, 109, 1, 0, 0, 0, // magic, version
      1, 5, 1, 96, 0, 1, 123, // types: () -> v128
      3, 2, 1, 0, // one function of type 0
      10, 19, 1, 17, 0, // code: one body of 17 bytes, no locals
      65, 0, 253, 17, 65, 0, 253, 17, 65, 0, 253, 17, // 3 x (i32.const 0, i32x4.splat)
      253, 133, 2, 11, // f32x4.relaxed_madd, end
    ]));
  } catch (e) {
    return false;
  }
}

// The trainer first, before wasm_exec.js is even loaded: its download and
// streaming compilation are the longest part of the way to a first step.
// Only one of the two builds is fetched; trainer.wasm is the fallback.
const PLAIN_WASM = 'trainer.wasm';
const trainerWasm = typeof WebAssembly === 'object' && relaxedSIMD() ? 'trainer-relaxed.wasm' : PLAIN_WASM;
const trainerResp = fetch(trainerWasm);
trainerResp.catch(() => {});

// Start downloading the MNIST pack now, while trainer.wasm downloads and
// compiles, instead of after the Go program starts: that saves the whole
// wasm start-up time on a first visit. The pieces are the .pack files that
// assets/SHA256SUMS lists (cmd/mkpack writes it from mnist.PackFiles), so
// no file name is written here. The Go program takes these responses by
// URL and fetches any other name itself. Each piece is fetched under its
// content-hashed name (NAME.HASH.pack), which the server marks immutable,
// so a later visit takes it from the browser's cache without asking; the
// plain name is the fallback. The empty catch only marks a failed prefetch
// as handled; the Go program still sees the failure when it awaits it.
// A pool worker made after the page's worker shared the decoded images
// (web/pool.js names it so) gets them in a message instead: no prefetch.
self.packPrefetch = {};
const packSums = self.name === 'shared-data' ? Promise.resolve('') : fetch('assets/SHA256SUMS', { cache: 'no-cache' })
  .then((r) => (r.ok ? r.text() : ''))
  .catch(() => '');
// The Go program may look for a response before the sums arrive: it awaits
// this promise first (see wasm/trainer).
self.packPrefetchReady = packSums.then((sums) => {
  for (const line of sums.split('\n')) {
    const m = /^([0-9a-f]{16})[0-9a-f]*  (\S+\.pack)$/.exec(line.trim());
    if (!m) {
      continue;
    }
    const [, hash, name] = m;
    const url = 'assets/' + name;
    self.packPrefetch[url] = fetch('assets/' + name.replace(/\.pack$/, '.' + hash + '.pack'))
      .then((r) => (r.ok ? r : fetch(url)), () => fetch(url));
    self.packPrefetch[url].catch(() => {});
  }
});

// The message names (generated from the Go package wire), for the errors
// this script itself reports before the Go program runs.
try {
  importScripts('protocol.js');
} catch (e) {
  // postError falls back to the names it knows.
}
function postError(message) {
  const p = self.mnistplay && self.mnistplay.protocol;
  self.postMessage({ type: p ? p.type.error : 'error', kind: p ? p.kind.internal : 'internal', message: String(message) });
}

self.onmessage = (ev) => {
  if (handler) {
    handler(ev.data);
  } else {
    queue.push(ev.data);
  }
};

// Called by the Go program once its command handler exists.
self.trainerAttach = (fn) => {
  handler = fn;
  while (queue.length > 0) {
    fn(queue.shift());
  }
};

self.onerror = (ev) => {
  postError('trainer worker: ' + (ev && ev.message ? ev.message : ev));
};
self.onunhandledrejection = (ev) => {
  postError('trainer worker: ' + (ev && ev.reason ? ev.reason : 'unhandled rejection'));
};

if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
  postError('This browser does not support WebAssembly, which the trainer needs.');
} else {
  try {
    importScripts('wasm_exec.js');
  } catch (e) {
    postError('could not load wasm_exec.js: ' + e);
  }
  if (typeof Go === 'function') {
    run();
  }
}

async function run() {
  const go = new Go();
  let result;
  try {
    const resp = trainerResp;
    if (WebAssembly.instantiateStreaming) {
      try {
        result = await WebAssembly.instantiateStreaming(resp, go.importObject);
      } catch (e) {
        // A server with a wrong Content-Type, a failed fetch, or a relaxed
        // build that does not compile: retry the plain build without
        // streaming so the error says what went wrong.
        const r = await fetch(PLAIN_WASM);
        if (!r.ok) {
          throw new Error('HTTP ' + r.status + ' for ' + PLAIN_WASM);
        }
        result = await WebAssembly.instantiate(await r.arrayBuffer(), go.importObject);
      }
    } else {
      let r = await resp;
      if (!r.ok && trainerWasm !== PLAIN_WASM) {
        r = await fetch(PLAIN_WASM);
      }
      if (!r.ok) {
        throw new Error('HTTP ' + r.status + ' for ' + PLAIN_WASM);
      }
      result = await WebAssembly.instantiate(await r.arrayBuffer(), go.importObject);
    }
  } catch (e) {
    postError('could not start the trainer (' + trainerWasm + '): ' + (e && e.message ? e.message : e));
    return;
  }
  // The Go program's linear memory, for tools that watch its size (the
  // memory browser test reads its byteLength).
  self.trainerMemory = result.instance.exports.mem;
  try {
    await go.run(result.instance);
    postError('the trainer stopped unexpectedly; reload the page');
  } catch (e) {
    postError('the trainer crashed: ' + (e && e.message ? e.message : e) + '; reload the page');
  }
}
