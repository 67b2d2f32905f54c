// Starts the trainer worker while the page itself is still loading, so the
// download and compilation of trainer.wasm and the MNIST pack overlap the
// page's own scripts; app.js takes the worker over with the events it has
// sent so far.
'use strict';

(function (ns) {
  if (typeof Worker !== 'function' || typeof WebAssembly !== 'object') {
    return; // app.js says what is missing
  }
  try {
    const worker = new Worker('worker.js');
    const early = [];
    worker.onmessage = (e) => early.push(e.data);
    ns.bootWorker = { worker: worker, early: early };
  } catch (e) {
    // app.js tries again and reports the error.
  }
})(window.mnistplay = window.mnistplay || {});
