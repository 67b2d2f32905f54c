// The playground page: reads the controls into an engine.Config, drives the
// trainer Web Worker (worker.js + trainer.wasm) and shows its numbers. The
// canvas iframe (ui.html; ?ui=ebiten picks the ebiten presenter there) and
// the worker talk over a MessageChannel this script gives them: the
// trainer's curves and weights never pass through here; the page sends the
// canvas only what it alone knows (runs to overlay, PNG exports).
// Messages: see docs/protocol.md.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);

  const el = {
    start: $('start'), pause: $('pause'), step: $('step'), reset: $('reset'),
    startBackground: $('start-background'), workers: $('workers'), workersNote: $('workers-note'),
    status: $('status'), progress: $('progress'), error: $('error'), pending: $('pending'),
    frame: $('ui-frame'),
    presenter: $('presenter'),
    arch: $('arch'), hidden: $('hidden'), pool: $('pool'), cnnOnly: $('cnn-only'), shapePreview: $('shape-preview'),
    optimizer: $('optimizer'), lr: $('lr'), momentum: $('momentum'), schedule: $('schedule'), l2: $('l2'),
    protocol: $('protocol'), batch: $('batch'), epochs: $('epochs'), subset: $('subset'), evalSubset: $('eval-subset'),
    patience: $('patience'), seed: $('seed'),
    shuffle: $('shuffle'), shuffleFraction: $('shuffle-fraction'), shuffleFractionOut: $('shuffle-fraction-out'),
    stepCount: $('step-count'), epoch: $('epoch'), loss: $('loss'), trainAcc: $('train-acc'), valAcc: $('val-acc'),
    throughput: $('throughput'), curLR: $('cur-lr'), state: $('state'),
    archBody: document.querySelector('#arch-table tbody'), paramCount: $('param-count'),
    epochsBody: document.querySelector('#epochs-table tbody'),
    flatness: $('flatness'), confusion: $('confusion'), robustness: $('robustness'), sample: $('sample'),
    landscape: $('landscape'), landscapeGrid: $('landscape-grid'), landscapeNote: $('landscape-note'),
    saveWeights: $('save-weights'), loadWeights: $('load-weights'),
    runsList: $('runs-list'), runsUndo: $('runs-undo'), runsNote: $('runs-note'), pngNote: $('png-note'),
    retryData: $('retry-data'),
    confusionView: $('confusion-view'), confusionPanel: $('confusion-panel'),
  };
  const mp = window.mnistplay || {};
  // Message names come from web/protocol.js, generated from the Go package wire.
  const P = mp.protocol;
  const C = P.cmd, T = P.type, K = P.kind, S = P.state;


  // ---- page state ----
  let worker = null;
  let state = S.idle;        // the worker's run state
  let hasRun = false;        // a configure has been accepted (an 'arch' event came back)
  let sentConfig = null;     // JSON of the config the current run was made from
  let trainN = 0;            // training examples available so far
  let dataReady = false;
  let dataFailed = false;
  // Runs (web/runs.js): a record is made when a fresh run first trains.
  let runs = null;
  let sweep = null;
  // The pool of training workers (web/pool.js) and the data-parallel run
  // of the page's worker: dp {sab, slots} while it trains; dpWant the config
  // of a run to make data-parallel when its arch event comes back, with the
  // start or step commands held until then.
  let pool = null;
  const poolRuns = new Set(); // the pool slots training a run of runInPool
  let dp = null;
  let dpWant = null;
  const held = [];
  let allData = false;
  let recordPending = false; // the worker's run has no record yet
  let fromWeights = null;    // the arch of a run made by loadWeights: its spec
  // What each getWeights request is for, by its id: {kind:'save', run} | {kind:'download', name}.
  const bytesWanted = new Map();
  let lastRequestID = 0;
  // The current run's record holds the trainer's snapshot of its history:
  // the trainer sends one on its own when the run pauses or ends and at
  // most every few seconds while it trains (playground keepRecord); the
  // page asks for one when it is hidden or left.
  const pngTimers = {};

  // ---- errors ----
  function showError(msg) {
    el.error.textContent = msg;
    el.error.hidden = false;
  }
  // The worker checks the settings as they are typed (the engine's rules,
  // its memory budget included); its answer shows, and goes when fixed.
  let checkMsg = '';
  let checkID = 0;   // the newest check of the fields: older answers are stale
  let linkCheck = 0; // the check of a link's settings, before the first run is made
  const gridWanted = new Map(); // sweep requests by id: their answer callbacks
  function showCheck(msg) {
    if (msg) {
      showError(msg);
    } else if (checkMsg && el.error.textContent === checkMsg) {
      clearError();
    }
    checkMsg = msg;
  }
  function checkConfig() {
    let cfg;
    try {
      cfg = readConfig();
    } catch (e) {
      showCheck(e.message);
      return;
    }
    checkID = ++lastRequestID;
    send({ cmd: C.check, id: checkID, config: cfg });
  }

  function clearError() {
    el.error.textContent = '';
    el.error.hidden = true;
  }
  function setStatus(msg) {
    el.status.textContent = msg;
  }

  // ---- WebAssembly / Worker support ----
  function supported() {
    if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
      return 'This browser does not support WebAssembly, so it cannot run the trainer. Use a current Chrome, Firefox, Safari or Edge.';
    }
    if (typeof Worker !== 'function') {
      return 'This browser does not support Web Workers, which the trainer runs in.';
    }
    return '';
  }

  // ---- controls -> config ----
  // num reads a number field. Only whether it is a number is checked here:
  // its range is the engine's rule, which the worker's check answer gives.
  function num(input, name, opts) {
    const s = input.value.trim();
    const v = Number(s);
    if (input.validity && input.validity.badInput) { // the browser hides what was typed: value is ""
      throw new Error(name + ': what is typed is not a number');
    }
    if (s === '') {
      throw new Error(name + ': empty; type a number');
    }
    if (!Number.isFinite(v)) {
      throw new Error(name + ': "' + input.value + '" is not a number');
    }
    if (opts && opts.int && !Number.isInteger(v)) {
      throw new Error(name + ': ' + s + ' is not a whole number');
    }
    return v;
  }

  function hiddenWidths() {
    const s = el.hidden.value.trim();
    if (s === '') {
      return [];
    }
    return s.split(/[\s,]+/).filter((p) => p !== '').map((p) => {
      if (!/^\d+$/.test(p) || Number(p) < 1) {
        throw new Error('Hidden widths: "' + p + '" is not a positive whole number (write e.g. 128,64)');
      }
      return Number(p);
    });
  }

  function conv(prefix) {
    return {
      kernel: num($(prefix + '-kernel'), prefix + ' kernel', { int: true }),
      stride: num($(prefix + '-stride'), prefix + ' stride', { int: true }),
      pad: num($(prefix + '-pad'), prefix + ' padding', { int: true }),
    };
  }

  // readConfig returns the engine.Config the controls describe. It throws an
  // Error with a message for the user when a field is not a number.
  function readConfig() {
    const arch = el.arch.value;
    const model = { arch: arch };
    const hidden = hiddenWidths();
    if (hidden.length > 0) {
      model.hidden = hidden;
    }
    if (arch === 'cnn') {
      model.conv1 = conv('conv1');
      model.conv2 = conv('conv2');
      model.pool = el.pool.value;
    }
    const kind = el.optimizer.value;
    const lr = num(el.lr, 'Learning rate');
    const mom = num(el.momentum, 'Momentum');
    const optim = { kind: kind, l2: num(el.l2, 'L2 lambda') };
    if (kind === 'momentum' || kind === 'nesterov') {
      optim.momentum = mom;
    } else if (kind === 'adam') {
      optim.beta1 = mom;
    }
    // The page's schedules count epochs (the worker turns them into steps):
    // 1/t halves the rate after one epoch, step decay every two.
    const schedule = { kind: el.schedule.value, lr0: lr };
    if (schedule.kind === 'invt') {
      schedule.tau = 1;
      schedule.perEpoch = true;
    } else if (schedule.kind === 'step') {
      schedule.gamma = 0.5;
      schedule.every = 2;
      schedule.perEpoch = true;
    }
    const cfg = {
      model: model,
      optim: optim,
      schedule: schedule,
      batchSize: num(el.batch, 'Batch size', { int: true }),
      epochs: num(el.epochs, 'Epochs', { int: true }),
      subset: num(el.subset, 'Training examples', { int: true }),
      patience: num(el.patience, 'Patience', { int: true }),
      seed: num(el.seed, 'Seed', { int: true }),
      shuffleFraction: el.shuffle.checked ? Number(el.shuffleFraction.value) : 0,
      evalSubset: num(el.evalSubset, 'Validation examples', { int: true }),
    };
    if (el.protocol.value === 'report') {
      // The course report's framework (README, "The report's protocol"):
      // the worker sets its options (playground.pageConfig).
      cfg.protocol = 'report';
    }
    return cfg;
  }

  // The convolution rows show for a CNN only. The output sizes under them
  // come with the worker's check answer (the engine's shapes).
  function updateShapePreview() {
    el.cnnOnly.hidden = el.arch.value !== 'cnn';
    if (el.arch.value !== 'cnn') {
      el.shapePreview.textContent = '';
    }
    checkConfig();
  }

  // ---- worker ----
  function send(msg, transfer) {
    if (!worker) {
      return;
    }
    if (msg.cmd === C.configure || msg.cmd === C.loadWeights) {
      endDataParallel();
    }
    if (dpWant && (msg.cmd === C.start || msg.cmd === C.step)) {
      held.push(msg);
      return;
    }
    worker.postMessage(msg, transfer || []);
  }

  function configure() {
    let cfg;
    try {
      cfg = readConfig();
    } catch (e) {
      showError(e.message);
      return false;
    }
    sendConfig(cfg);
    return true;
  }

  // sendConfig makes a new run in the worker from cfg. A run being trained
  // has its weights saved into its record first (the worker answers in order).
  function sendConfig(cfg) {
    saveCurrentWeights(); // the trainer sends the replaced run's last record itself
    sentConfig = JSON.stringify(cfg);
    el.pending.hidden = true;
    send({ cmd: C.configure, config: cfg });
    wantDataParallel(cfg);
  }

  // ---- the worker pool and data-parallel runs ----
  function workersNote(extra) {
    if (!pool) {
      return;
    }
    const n = pool.size;
    let t = n === 1 ? 'A sweep or background runs train one at a time in a worker of their own, beside the run shown.' :
      'A sweep or background runs train up to ' + n + ' runs at once, beside the run shown';
    if (n > 1) {
      t += mp.crossOriginIsolated() ? '; a new run trains on ' + n + ' workers (data-parallel).' :
        '. Data-parallel training needs a cross-origin isolated page (the server\'s COOP/COEP headers), which this one is not: each run trains on one worker.';
    }
    el.workersNote.textContent = t + (extra ? ' ' + extra : '');
  }

  // wantDataParallel marks the run just configured to train on the pool's
  // size of workers, once the whole data is in (the workers must train on
  // the same images).
  function wantDataParallel(cfg) {
    if (!pool || pool.size < 2 || !mp.crossOriginIsolated()) {
      return;
    }
    if (!allData) {
      workersNote('This run trains on one worker: the data was still loading.');
      return;
    }
    dpWant = cfg;
  }

  // startDataParallel takes up to size-1 pool workers to follow the page's
  // worker in the run whose model has params weights, then lets the held
  // start or step go.
  function startDataParallel(params) {
    const cfg = dpWant;
    dpWant = null;
    const slots = [];
    while (slots.length < pool.size - 1) {
      const s = pool.take();
      if (!s) {
        break;
      }
      slots.push(s);
    }
    if (slots.length === 0) {
      workersNote('This run trains on one worker: every pool worker is busy.');
    } else {
      const size = slots.length + 1;
      const sab = mp.exchangeBuffer(size, params);
      const run = { sab: sab, slots: slots };
      dp = run;
      slots.forEach((slot, i) => {
        slot.handler = (ev) => {
          if (ev.type === T.replicaEnd) {
            run.slots.splice(run.slots.indexOf(slot), 1);
            pool.release(slot);
          }
        };
        slot.worker.postMessage({ cmd: 'replica', config: cfg, sab: sab, rank: i + 1, size: size });
      });
      worker.postMessage({ cmd: 'dataParallel', sab: sab, size: size });
    }
    for (const m of held.splice(0)) {
      worker.postMessage(m);
    }
  }

  function endDataParallel() {
    if (dp) {
      mp.abortExchange(dp.sab); // the followers end and free their workers
      dp = null;
    }
  }

  // poolEvent sees the page worker's events first; it reports whether one
  // is the pool's alone.
  function poolEvent(ev) {
    switch (ev.type) {
      case T.dataComplete:
        allData = true;
        break;
      case T.arch:
        if (dpWant) {
          startDataParallel(ev.params);
        }
        break;
      case T.error:
        if (dpWant && ev.kind === K.config) { // the configure was refused: no arch comes
          dpWant = null;
          for (const m of held.splice(0)) {
            worker.postMessage(m);
          }
        }
        break;
      case 'sharedData': // not a wire event: it carries a SharedArrayBuffer (web/pool.js)
        if (pool) {
          pool.setSharedData(ev);
        }
        return true;
      case T.dataParallel:
        workersNote(ev.replicas > 1 ? 'This run trains on ' + ev.replicas + ' workers.' : 'This run ' + ev.message + '.');
        return true;
      default:
        break;
    }
    return false;
  }

  // runInPool trains cfg as a new run in a free pool worker, recorded in
  // the runs list (extra: its name and sweep fields), and calls
  // ended(state, lastEpochEvent, message) when it is done, diverged or
  // refused ('error'). It returns {stop()}, or null when no worker is free.
  function runInPool(cfg, extra, ended) {
    const slot = pool && pool.take();
    if (!slot) {
      return null;
    }
    let run = null;
    let ours = false; // events before the configure's arch are an earlier run's
    let lastEpoch = null;
    let endState = '';
    let over = false;
    const finish = (st, message) => {
      if (!over) {
        over = true;
        poolRuns.delete(slot);
        pool.release(slot);
        ended(st, lastEpoch, message);
      }
    };
    slot.handler = (ev) => {
      if (ev.type === T.arch) {
        ours = true;
      }
      if (ev.type === T.error && (ev.kind === K.internal || (ev.kind === K.config && !run))) {
        if (run) {
          run.state = 'stopped';
          runs.save(run, true);
          runs.update(run);
        }
        finish('error', ev.message);
        return;
      }
      if (!ours) {
        return;
      }
      if (ev.type === T.state && !run && (ev.state === S.running || ev.state === S.paused) && runs) {
        run = runs.begin(cfg, extra, true);
      }
      if (ev.type === T.epoch) {
        lastEpoch = ev;
      }
      if (run) {
        runs.eventFor(run, ev);
        // The run's history is its worker's record of it, as for the run shown.
        if (ev.type === T.snapshot) {
          runs.fromSnapshot(run, ev);
        }
      }
      if (ev.type === T.state && (ev.state === S.done || ev.state === S.diverged)) {
        endState = ev.state;
        slot.worker.postMessage({ cmd: C.getWeights, id: ++lastRequestID });
      } else if (ev.type === T.modelBytes && endState) {
        if (run) {
          runs.setWeights(run, ev.bytes);
        }
        finish(endState);
      }
    };
    slot.worker.postMessage({ cmd: C.configure, config: cfg });
    slot.worker.postMessage({ cmd: C.start });
    poolRuns.add(slot);
    return {
      stop: () => {
        slot.worker.postMessage({ cmd: C.pause });
        if (run && run.state === S.running) {
          run.state = 'stopped';
          runs.save(run, true);
          runs.update(run);
        }
        over = true;
        poolRuns.delete(slot);
        pool.release(slot);
      },
    };
  }

  function initPool() {
    if (!mp.Pool) {
      return;
    }
    pool = new mp.Pool({ onFree: () => sweep && sweep.pump() });
    el.workers.max = String(mp.poolMax);
    el.workers.value = String(pool.size);
    el.workers.addEventListener('change', () => {
      pool.setSize(el.workers.value);
      el.workers.value = String(pool.size);
      workersNote();
    });
    workersNote();
    el.startBackground.addEventListener('click', () => {
      clearError();
      let cfg;
      try {
        cfg = readConfig();
      } catch (e) {
        showError(e.message);
        return;
      }
      const h = runInPool(cfg, null, (st, lastEpoch, message) => {
        if (st === 'error') {
          showError(message);
        }
      });
      if (!h) {
        showError('All ' + pool.size + ' workers are busy: raise Workers or wait for a run to end.');
      }
    });
  }

  function saveCurrentWeights() {
    const run = runs && runs.current;
    if (run && (state === S.running || state === S.paused)) {
      askWeights({ kind: 'save', run: run });
    }
  }

  // askSnapshot asks the trainer for the current run's record now (the
  // page is being hidden or left); it comes back as a snapshot event.
  // askSnapshot brings the records of the run shown and of the pool's runs
  // up to date (their workers' snapshots answer).
  function askSnapshot() {
    if (runs && runs.current) {
      send({ cmd: C.snapshot, id: ++lastRequestID });
    }
    for (const slot of poolRuns) {
      slot.worker.postMessage({ cmd: C.snapshot, id: ++lastRequestID });
    }
  }

  function askWeights(want) {
    const id = ++lastRequestID;
    bytesWanted.set(id, want);
    send({ cmd: C.getWeights, id: id });
  }

  function configChanged() {
    try {
      return JSON.stringify(readConfig()) !== sentConfig;
    } catch (e) {
      return true;
    }
  }

  function onStart() {
    clearError();
    // A paused run resumes (nothing lost; changed settings wait for Reset).
    // An idle run made from the same settings starts as it is.
    if (hasRun && (state === S.paused || (state === S.idle && !configChanged()))) {
      send({ cmd: C.start });
      return;
    }
    if (configure()) {
      send({ cmd: C.start });
    }
  }

  function onPause() {
    send({ cmd: C.pause });
  }

  function onStep() {
    clearError();
    if (!hasRun || state === S.done || state === S.diverged || (state === S.idle && configChanged())) {
      if (!configure()) {
        return;
      }
    }
    send({ cmd: C.step });
  }

  function onReset() {
    clearError();
    configure();
  }

  function onShuffle() {
    el.shuffleFractionOut.value = Math.round(Number(el.shuffleFraction.value) * 100) + '%';
    updateURL();
    send({ cmd: C.shuffle, on: el.shuffle.checked, fraction: Number(el.shuffleFraction.value) });
  }

  // ---- formatting ----
  function pct(x) {
    return (100 * x).toFixed(1) + '%';
  }
  function fmtLoss(x) {
    if (!Number.isFinite(x)) {
      return String(x);
    }
    return x < 0.01 || x >= 1000 ? x.toExponential(2) : x.toFixed(4);
  }
  function fmtLR(x) {
    return x >= 0.001 ? String(Number(x.toPrecision(3))) : x.toExponential(2);
  }

  function setButtons() {
    const running = state === S.running;
    el.start.disabled = running;
    el.pause.disabled = !running;
    el.step.disabled = running;
    el.state.textContent = state;
  }

  function statusFor(st, ev) {
    switch (st) {
      case S.running: return 'Training… epoch ' + (ev.epoch || 0).toFixed(2);
      case S.paused: return 'Paused at step ' + ev.step + '. Start resumes the same run.';
      case S.done: return 'Done: ' + ev.step + ' steps, ' + (ev.epoch || 0).toFixed(2) + ' epochs.';
      case S.diverged: return 'Diverged after step ' + ev.step + ': training paused. Lower the learning rate and press Start for a new run.';
      default:
        if (idleNote) {
          return idleNote;
        }
        if (dataFailed && !dataReady) {
          return 'The MNIST data could not be loaded (see the message below).';
        }
        if (dataFailed) {
          return 'Part of the MNIST data is missing: ' + trainN.toLocaleString('en-US') + ' training images loaded (see the message below).';
        }
        return dataReady ? 'Ready. Press Start to train.' : 'Loading MNIST…';
    }
  }

  function fillArch(ev) {
    el.archBody.replaceChildren();
    for (const l of ev.layers) {
      const tr = document.createElement('tr');
      for (const text of [l.name, l.shape.join('×'), l.params.toLocaleString('en-US')]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.appendChild(td);
      }
      el.archBody.appendChild(tr);
    }
    el.paramCount.textContent = '(' + ev.params.toLocaleString('en-US') + ' parameters)';
  }

  function addEpochRow(ev) {
    const tr = document.createElement('tr');
    if (ev.best) {
      tr.className = 'best';
    }
    for (const text of [String(ev.epoch), fmtLoss(ev.trainLoss), pct(ev.trainAcc), fmtLoss(ev.valLoss), pct(ev.valAcc)]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.appendChild(td);
    }
    el.epochsBody.prepend(tr); // newest first
    while (el.epochsBody.rows.length > 12) {
      el.epochsBody.deleteRow(-1);
    }
  }

  function newRun() {
    accAvg = NaN;
    el.epochsBody.replaceChildren();
    el.stepCount.textContent = '0';
    el.epoch.textContent = '0.00';
    el.loss.textContent = '–';
    el.trainAcc.textContent = '–';
    el.valAcc.textContent = '–';
    el.throughput.textContent = '–';
    el.curLR.textContent = '–';
  }

  // Running training accuracy: a moving average of the batch accuracies
  // (each epoch's exact value is in the epochs table).
  let accAvg = NaN;
  function averageAcc(s) {
    if (typeof s.acc === 'number') {
      accAvg = Number.isNaN(accAvg) ? s.acc : 0.95 * accAvg + 0.05 * s.acc;
    }
  }
  function showStep(s) {
    if (typeof s.acc === 'number') {
      averageAcc(s);
      el.trainAcc.textContent = pct(accAvg);
    }
    el.stepCount.textContent = String(s.step);
    el.epoch.textContent = s.epoch.toFixed(2);
    el.loss.textContent = fmtLoss(s.loss);
    el.curLR.textContent = fmtLR(s.lr);
    if (s.examplesPerSec > 0) {
      el.throughput.textContent = Math.round(s.examplesPerSec) + ' ex/s';
    }
  }

  function download(bytes, name, type) {
    downloadParts([bytes], name, type || 'application/octet-stream');
  }
  function safeName(s) {
    return String(s).replace(/[^a-z0-9._-]+/gi, '-').replace(/^-+|-+$/g, '') || 'run';
  }
  function downloadParts(parts, name, type) {
    const url = URL.createObjectURL(new Blob(parts, { type: type }));
    const a = document.createElement('a');
    a.href = url;
    a.download = safeName(name.replace(/\.[a-z]+$/i, '')) + (/\.[a-z]+$/i.exec(name) || [''])[0];
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  // ---- events from the worker ----
  function onWorkerEvent(ev) {
    if (poolEvent(ev)) {
      return;
    }
    switch (ev.type) {
      case T.progress: {
        el.progress.max = ev.total > 0 ? ev.total : 1;
        el.progress.value = Math.min(ev.loaded, el.progress.max);
        if (!dataReady) {
          setStatus('Loading MNIST… ' + (ev.loaded / 1e6).toFixed(1) + ' of ' + (ev.total / 1e6).toFixed(1) + ' MB');
        }
        break;
      }
      case T.ready:
        dataReady = true;
        trainN = ev.train;
        if (state === S.idle && !idleNote) {
          setStatus('Ready: ' + ev.train.toLocaleString('en-US') + ' training and ' + ev.test.toLocaleString('en-US') + ' test images loaded. Press Start to train.');
        }
        break;
      case T.dataComplete:
        trainN = ev.train;
        dataFailed = false;
        el.retryData.hidden = true;
        el.progress.value = el.progress.max;
        if (state === S.idle && !idleNote) {
          setStatus('Ready: all ' + ev.train.toLocaleString('en-US') + ' training images loaded. Press Start to train.');
        }
        break;
      case T.arch:
        hasRun = true;
        fromWeights = loadingFrom !== null || loadingFile ? ev.spec : null;
        idleNote = '';
        if (loadingFrom) {
          idleNote = 'Loaded the weights of “' + loadingFrom.name + '”: draw a digit to classify it; Start trains on from them as a new run.';
        } else if (loadingFile) {
          idleNote = 'Loaded the weights file: draw a digit to classify it; Start trains on from them as a new run.';
        }
        loadingFrom = null;
        loadingFile = false;
        newRun();
        fillArch(ev);
        if (runs) {
          const cur = runs.current;
          if (cur && cur.state === 'running') {
            cur.state = 'stopped';
            runs.save(cur, true);
            runs.update(cur);
          }
          runs.detach();
        }
        recordPending = true;
        break;
      case T.state:
        state = ev.state;
        if (recordPending && (ev.state === S.running || ev.state === S.paused)) {
          beginRecord();
        }
        if (runs && runs.current && (ev.state === S.paused || ev.state === S.done || ev.state === S.diverged)) {
          askWeights({ kind: 'save', run: runs.current });
        }
        setButtons();
        setStatus(statusFor(ev.state, ev));
        el.stepCount.textContent = String(ev.step);
        el.epoch.textContent = (ev.epoch || 0).toFixed(2);
        break;
      case T.steps:
        if (ev.steps.length > 0) {
          // The moving average sees every step, the display the last one.
          for (let i = 0; i < ev.steps.length - 1; i++) {
            averageAcc(ev.steps[i]);
          }
          showStep(ev.steps[ev.steps.length - 1]);
          if (state === S.running) {
            setStatus(statusFor(S.running, ev.steps[ev.steps.length - 1]));
          }
        }
        break;
      case T.epoch:
        el.valAcc.textContent = pct(ev.valAcc);
        addEpochRow(ev);
        // Keep the record's weights current: a closed tab still leaves the last epoch's.
        if (runs && runs.current && state === S.running) {
          askWeights({ kind: 'save', run: runs.current });
        }
        break;
      case T.eval:
        el.valAcc.textContent = pct(ev.valAcc);
        break;
      case T.confusion:
        if (mp.renderConfusion) {
          mp.renderConfusion(el.confusionView, ev);
          el.confusionPanel.scrollIntoView({ block: 'nearest' });
        }
        break;
      case T.modelBytes: {
        const want = bytesWanted.get(ev.id);
        bytesWanted.delete(ev.id);
        if (!want) {
          break;
        }
        if (want.kind === 'download') {
          download(ev.bytes, want.name);
        } else if (want.kind === 'save' && runs) {
          runs.setWeights(want.run, ev.bytes);
        }
        break;
      }
      case T.check:
        if (ev.id === linkCheck) {
          linkChecked(ev.message);
        } else if (ev.id === checkID) {
          showCheck(ev.message);
          el.shapePreview.textContent = el.arch.value === 'cnn' ? ev.preview : '';
        }
        break;
      case T.sweep: {
        const answer = gridWanted.get(ev.id);
        gridWanted.delete(ev.id);
        if (answer) {
          answer(ev);
        }
        break;
      }
      case T.landscapeGrid:
      case T.landscapePoint:
      case T.sharpness:
      case T.landscapeDone:
        landscapeEvent(ev);
        break;
      case T.snapshot:
        // The record of the run the page shows: events come in order, so a
        // replaced run's last one arrives before the next run's arch.
        if (runs && runs.current) {
          runs.fromSnapshot(runs.current, ev);
        }
        break;
      case T.error:
        bytesWanted.delete(ev.id); // the answer to that getWeights: no bytes will come
        showError(ev.message);
        if (ev.kind === K.weights) {
          // The file or saved weights were refused: the next run is not "loaded".
          loadingFrom = null;
          loadingFile = false;
        }
        if (ev.kind === K.data) {
          dataFailed = true;
          el.retryData.hidden = !ev.retry;
          if (state === S.idle) {
            setStatus(statusFor(S.idle, ev));
          }
        }
        break;
      default:
        break;
    }
    if (runs) {
      runs.event(ev);
    }
  }

  // ---- the landscape job ----
  // Its events fill the canvas' panel as they come; the button starts and
  // cancels it, and the note says how far it is.
  let landscapeBusy = false;
  let landscapeText = '';
  let sharpText = '';

  function setLandscapeBusy(on) {
    landscapeBusy = on;
    el.landscape.textContent = on ? 'Cancel landscape' : 'Landscape';
  }

  function showLandscapeNote() {
    el.landscapeNote.textContent = landscapeText + (sharpText ? ' ' + sharpText : '');
  }

  function landscapeEvent(ev) {
    switch (ev.type) {
      case T.landscapeGrid: {
        setLandscapeBusy(true);
        sharpText = '';
        const plane = ev.plane === 'pca'
          ? 'PCA plane (' + Math.round(100 * ev.explained[0]) + '% and ' + Math.round(100 * ev.explained[1]) + '% of the path\'s variance)'
          : 'random filter-normalised directions';
        landscapeText = 'Landscape: 0/' + ev.count + ' points on ' + plane + ', ' + ev.n + ' validation images.' +
          (ev.note ? ' ' + ev.note + '.' : '');
        break;
      }
      case T.landscapePoint:
        landscapeText = landscapeText.replace(/\d+\/\d+ points/, (ev.index + 1) + '/' + ev.count + ' points');
        break;
      case T.sharpness:
        sharpText = 'Sharpness: top Hessian eigenvalue ' + ev.values[0].toPrecision(3) +
          (ev.done ? ', trace ≈ ' + ev.trace.toPrecision(3) + ' ± ' + ev.traceErr.toPrecision(2) + ' (' + ev.n + ' training images).' : ' (Lanczos step ' + ev.step + '/' + ev.steps + ')');
        break;
      case T.landscapeDone:
        setLandscapeBusy(false);
        landscapeText = ev.cancelled
          ? 'Landscape cancelled (' + ev.reason + ') after ' + ev.points + '/' + ev.count + ' points.'
          : 'Landscape: ' + ev.points + ' points' + (ev.nan ? ' (' + ev.nan + ' with a NaN loss)' : '') +
            ', ' + ev.seconds.toFixed(1) + ' s of computing in the worker.';
        break;
    }
    showLandscapeNote();
  }

  // toFrame sends the canvas what only the page knows (wire's page ->
  // canvas events: runs to overlay, a PNG export).
  function toFrame(ev) {
    const w = el.frame.contentWindow;
    if (w) {
      try {
        w.postMessage(ev, '*');
      } catch (e) {
        // The iframe is reloading; it says when it is ready again.
      }
    }
  }

  // ---- messages from the UI iframe ----
  function onFrameMessage(ev) {
    if (ev.source !== el.frame.contentWindow) {
      return;
    }
    const m = ev.data;
    if (!m || typeof m !== 'object') {
      return;
    }
    if (m.type === 'ui' && m.event === 'ready') {
      // A new channel for each (re)loaded canvas; it asks the trainer for
      // the run as the trainer holds it there.
      connectFrameToWorker();
      if (runs) {
        runs.sendOverlay(true);
      }
    }
    if (m.type === 'ui' && m.event === 'presenter') {
      el.presenter.textContent = 'Canvas drawn with ' + (m.name === 'ebiten' ? 'ebiten on the GPU (WebGL)' : 'a 2D canvas') +
        ': ' + m.reason + '. Add ?ui=' + (m.name === 'ebiten' ? 'canvas' : 'ebiten') + ' to the address for the other.';
    }
    if (m.type === 'ui' && m.event === 'size' && m.height > 0) {
      // The height the canvas' layout wants for the iframe's width, plus
      // the frame's border.
      el.frame.style.aspectRatio = 'auto';
      el.frame.style.height = (m.height + el.frame.offsetHeight - el.frame.clientHeight) + 'px';
    }
    if (m.type === 'ui' && m.event === 'png') {
      clearTimeout(pngTimers[m.panel]);
      delete pngTimers[m.panel];
      if (m.bytes && m.bytes.length > 0) {
        download(m.bytes, 'mnist-' + m.panel + '.png', 'image/png');
        el.pngNote.textContent = 'Saved the ' + m.panel + ' plot as PNG.';
      } else {
        el.pngNote.textContent = 'The ' + m.panel + ' plot has nothing to export yet.';
      }
    }
  }

  // connectFrameToWorker gives the canvas and the trainer a channel of
  // their own: the trainer's events for the canvas (wire.Readers) and the
  // canvas' requests (classify, sample, flatness, its snapshot) go there,
  // not through this thread.
  function connectFrameToWorker() {
    const w = el.frame.contentWindow;
    if (!w || !worker || typeof MessageChannel !== 'function') {
      return;
    }
    const ch = new MessageChannel();
    worker.postMessage({ cmd: 'connectView', port: ch.port1 }, [ch.port1]);
    w.postMessage({ type: 'connect' }, '*', [ch.port2]);
  }

  function exportPNG(panel) {
    clearTimeout(pngTimers[panel]);
    el.pngNote.textContent = 'Asking the canvas for the ' + panel + ' plot…';
    toFrame({ type: T.export, panel: panel });
    pngTimers[panel] = setTimeout(() => {
      delete pngTimers[panel];
      el.pngNote.textContent = 'PNG export of the ' + panel + ' plot is not available yet (the canvas did not answer).';
    }, 4000);
  }

  // ---- run records ----
  function beginRecord() {
    recordPending = false;
    if (!runs) {
      return;
    }
    let cfg;
    try {
      cfg = sentConfig ? JSON.parse(sentConfig) : readConfig();
    } catch (e) {
      cfg = null;
    }
    if (cfg && fromWeights) {
      cfg.model = fromWeights;
    }
    fromWeights = null;
    runs.begin(cfg, null);
  }

  function useRunWeights(run) {
    if (!run.weights) {
      return;
    }
    clearError();
    saveCurrentWeights();
    const copy = new Uint8Array(run.weights);
    loadingFrom = run;
    send({ cmd: C.loadWeights, bytes: copy }, [copy.buffer]);
  }
  let loadingFrom = null;
  let loadingFile = false;
  let idleNote = ''; // the idle status after weights were loaded

  // ---- config <-> URL ----
  function b64urlEncode(str) {
    const bytes = new TextEncoder().encode(str);
    let bin = '';
    for (const b of bytes) {
      bin += String.fromCharCode(b);
    }
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function b64urlDecode(s) {
    if (!/^[A-Za-z0-9_-]*$/.test(s)) {
      throw new Error('it is not base64url');
    }
    const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) {
      bytes[i] = bin.charCodeAt(i);
    }
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  }

  let urlTimer = 0;
  function updateURL() {
    clearTimeout(urlTimer);
    urlTimer = setTimeout(() => {
      let cfg;
      try {
        cfg = readConfig();
      } catch (e) {
        return; // a half-typed field: keep the last good link
      }
      const u = new URL(location.href);
      u.searchParams.set('c', b64urlEncode(JSON.stringify(cfg)));
      history.replaceState(history.state, '', u.pathname + u.search + u.hash);
    }, 150);
  }

  // setField puts v into input, checking its type; it throws naming the field.
  function setNumber(input, v, name) {
    if (v === undefined || v === null) {
      return;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(name + ' ' + JSON.stringify(v) + ' is not a number');
    }
    input.value = String(v);
  }
  function setChoice(select, v, name) {
    if (v === undefined || v === null) {
      return;
    }
    if (![...select.options].some((o) => o.value === v)) {
      throw new Error(name + ' ' + JSON.stringify(v) + ' is not one of ' + [...select.options].map((o) => o.value).join(', '));
    }
    select.value = v;
  }

  // applyConfig fills the controls from an engine.Config (as readConfig
  // makes it). It throws an Error naming the first bad field.
  function applyConfig(cfg) {
    if (!cfg || typeof cfg !== 'object' || Array.isArray(cfg)) {
      throw new Error('it is not a settings object');
    }
    const m = cfg.model;
    if (!m || typeof m !== 'object') {
      throw new Error('it has no model');
    }
    setChoice(el.arch, m.arch, 'architecture');
    if (m.hidden !== undefined) {
      if (!Array.isArray(m.hidden) || !m.hidden.every((h) => Number.isInteger(h) && h > 0)) {
        throw new Error('hidden widths ' + JSON.stringify(m.hidden) + ' are not positive whole numbers');
      }
      el.hidden.value = m.hidden.join(',');
    } else {
      el.hidden.value = '';
    }
    for (const name of ['conv1', 'conv2']) {
      const c = m[name];
      if (c && typeof c === 'object') {
        setNumber($(name + '-kernel'), c.kernel, name + ' kernel');
        setNumber($(name + '-stride'), c.stride, name + ' stride');
        setNumber($(name + '-pad'), c.pad, name + ' padding');
      }
    }
    if (m.pool !== undefined) {
      setChoice(el.pool, m.pool, 'pooling');
    }
    const o = cfg.optim || {};
    setChoice(el.optimizer, o.kind || 'sgd', 'optimizer');
    setNumber(el.l2, o.l2 || 0, 'L2 lambda');
    if (o.momentum !== undefined) {
      setNumber(el.momentum, o.momentum, 'momentum');
    } else if (o.beta1 !== undefined) {
      setNumber(el.momentum, o.beta1, 'beta1');
    }
    const sc = cfg.schedule || {};
    setChoice(el.schedule, sc.kind || 'constant', 'schedule');
    setNumber(el.lr, sc.lr0, 'learning rate');
    setNumber(el.batch, cfg.batchSize, 'batch size');
    setNumber(el.epochs, cfg.epochs, 'epochs');
    setNumber(el.subset, cfg.subset || 0, 'training examples');
    setNumber(el.patience, cfg.patience || 0, 'patience');
    setNumber(el.seed, cfg.seed, 'seed');
    setNumber(el.evalSubset, cfg.evalSubset || 0, 'validation examples');
    // Runs saved before the protocol was named say it by its options.
    el.protocol.value = cfg.protocol === 'report' || (cfg.input === 'raw' && cfg.stepsPerEpoch === 1) ? 'report' : 'modern';
    // Its range is the engine's rule: a link's settings are checked by the
    // worker as a whole (configFromURL).
    const f = cfg.shuffleFraction || 0;
    if (typeof f !== 'number') {
      throw new Error('shuffle fraction ' + JSON.stringify(f) + ' is not a number');
    }
    el.shuffle.checked = f > 0;
    if (f > 0) {
      el.shuffleFraction.value = String(f);
    }
    el.shuffleFractionOut.value = Math.round(Number(el.shuffleFraction.value) * 100) + '%';
    updateShapePreview();
    readConfig(); // throws for what the fields cannot hold
  }

  // Control values as the page loaded them: the defaults to fall back on.
  function snapshotControls() {
    const snap = [];
    for (const e of document.querySelectorAll('#controls input, #controls select')) {
      if (e.type === 'file') {
        continue;
      }
      snap.push([e, e.type === 'checkbox' ? e.checked : e.value]);
    }
    return () => {
      for (const [e, v] of snap) {
        if (e.type === 'checkbox') {
          e.checked = v;
        } else {
          e.value = v;
        }
      }
      el.shuffleFractionOut.value = Math.round(Number(el.shuffleFraction.value) * 100) + '%';
      updateShapePreview();
    };
  }

  // configFromURL fills the controls from the link's settings. When the
  // controls hold them exactly (a link the page wrote), the usual check of
  // the fields speaks. Otherwise (a slider clamps what it cannot hold, a
  // setting has no control) the worker checks them as sent, with the
  // engine's rules, and the first run is made when the answer comes
  // (linkChecked). It reports whether it asked.
  let linkRestore = null;
  function configFromURL() {
    const c = new URLSearchParams(location.search).get('c');
    if (c === null) {
      return false;
    }
    const restore = snapshotControls();
    let cfg;
    try {
      try {
        cfg = JSON.parse(b64urlDecode(c));
      } catch (e) {
        throw new Error('it is not base64url-encoded JSON');
      }
      applyConfig(cfg);
    } catch (e) {
      restore();
      badLink(e.message);
      return false;
    }
    setStatus('Settings taken from the link.');
    if (canonical(readConfig()) === canonical(cfg)) {
      return false;
    }
    linkRestore = restore;
    linkCheck = ++lastRequestID;
    send({ cmd: C.check, id: linkCheck, config: cfg });
    return true;
  }

  // canonical is v as JSON with object keys sorted.
  function canonical(v) {
    if (Array.isArray(v)) {
      return '[' + v.map(canonical).join(',') + ']';
    }
    if (v && typeof v === 'object') {
      return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonical(v[k])).join(',') + '}';
    }
    return JSON.stringify(v);
  }

  function badLink(why) {
    showError('The settings in this link could not be used (' + why + '); the default settings are used instead.');
  }

  // linkChecked takes the worker's answer about the link's settings:
  // refused, the defaults come back; either way the first run is made.
  function linkChecked(msg) {
    linkCheck = 0;
    if (msg) {
      linkRestore();
      updateURL();
      badLink(msg);
    }
    linkRestore = null;
    configure();
  }

  function loadRunConfig(run) {
    clearError();
    const restore = snapshotControls();
    try {
      applyConfig(run.config);
    } catch (e) {
      restore();
      showError('The settings of “' + run.name + '” could not be used: ' + e.message);
      return;
    }
    updateURL();
    if (hasRun && (state === S.running || state === S.paused)) {
      el.pending.hidden = !configChanged();
    }
    setStatus('Settings of “' + run.name + '” loaded into the controls. Reset (or Start) makes a new run from them.');
    el.start.focus();
  }

  // ---- wiring ----
  function init() {
    // The canvas: ui.html picks its presenter (ebiten on a GPU, else a 2D
    // canvas; ui.js); ?ui=ebiten or ?ui=canvas on this page overrides.
    const ui = new URLSearchParams(location.search).get('ui');
    el.frame.src = ui === 'ebiten' || ui === 'canvas' ? 'ui.html?ui=' + ui : 'ui.html';
    const why = supported();
    if (why) {
      showError(why);
      setStatus('This browser cannot run the playground.');
      for (const b of [el.start, el.pause, el.step, el.reset]) {
        b.disabled = true;
      }
      return;
    }
    const boot = mp.bootWorker;
    try {
      worker = boot ? boot.worker : new Worker('worker.js');
    } catch (e) {
      showError('Could not start the trainer worker: ' + e.message);
      return;
    }
    if (boot) {
      // Events the worker sent while the page loaded, in order, once the
      // page is wired; later ones go straight to onWorkerEvent.
      setTimeout(() => {
        for (const d of boot.early.splice(0)) {
          onWorkerEvent(d);
        }
        worker.onmessage = (e) => onWorkerEvent(e.data);
      }, 0);
    } else {
      worker.onmessage = (e) => onWorkerEvent(e.data);
    }
    worker.onerror = (e) => showError('Trainer worker failed: ' + (e.message || 'unknown error'));
    window.addEventListener('message', onFrameMessage);
    // Leaving the page, or hiding it (a phone may then end it unasked):
    // the run's record is brought up to date.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') {
        askSnapshot();
      }
    });
    window.addEventListener('pagehide', askSnapshot);

    el.start.addEventListener('click', onStart);
    el.pause.addEventListener('click', onPause);
    el.step.addEventListener('click', onStep);
    el.reset.addEventListener('click', onReset);
    el.shuffle.addEventListener('change', onShuffle);
    el.shuffleFraction.addEventListener('input', () => {
      el.shuffleFractionOut.value = Math.round(Number(el.shuffleFraction.value) * 100) + '%';
    });
    el.shuffleFraction.addEventListener('change', () => {
      if (el.shuffle.checked) {
        onShuffle();
      }
    });
    el.flatness.addEventListener('click', () => {
      clearError();
      send({ cmd: C.flatness, evalSubset: Number(el.evalSubset.value) }); // the worker's alpha grid
    });
    el.confusion.addEventListener('click', () => send({ cmd: C.confusion }));
    el.robustness.addEventListener('click', () => {
      clearError();
      send({ cmd: C.robustness, evalSubset: Number(el.evalSubset.value) || 1000 });
    });
    el.sample.addEventListener('click', () => send({ cmd: C.sample }));
    el.landscape.addEventListener('click', () => {
      if (landscapeBusy) {
        send({ cmd: C.cancelLandscape });
        return;
      }
      clearError();
      send({ cmd: C.landscape, grid: Number(el.landscapeGrid.value) || 0 });
    });
    el.retryData.addEventListener('click', () => {
      el.retryData.hidden = true;
      clearError();
      setStatus('Loading MNIST… (trying again)');
      send({ cmd: C.retryData });
    });
    el.saveWeights.addEventListener('click', () => {
      const run = runs && runs.current;
      askWeights({ kind: 'download', name: (run ? run.name : 'mnist-weights') + '.mnistw' });
    });
    el.loadWeights.addEventListener('change', async () => {
      const f = el.loadWeights.files && el.loadWeights.files[0];
      if (!f) {
        return;
      }
      clearError();
      const bytes = new Uint8Array(await f.arrayBuffer());
      saveCurrentWeights();
      loadingFile = true;
      send({ cmd: C.loadWeights, bytes: bytes }, [bytes.buffer]);
      el.loadWeights.value = '';
    });
    el.arch.addEventListener('change', () => {
      // Sensible hidden widths per architecture.
      if (el.arch.value === 'mlp' && el.hidden.value.trim() === '') {
        el.hidden.value = '100';
      }
      updateShapePreview();
    });
    for (const id of ['conv1-kernel', 'conv1-stride', 'conv1-pad', 'conv2-kernel', 'conv2-stride', 'conv2-pad']) {
      $(id).addEventListener('input', updateShapePreview);
    }
    document.getElementById('controls').addEventListener('change', updateURL);
    document.getElementById('controls').addEventListener('input', (e) => {
      updateURL();
      checkConfig();
      if (e.target === el.shuffle || e.target === el.shuffleFraction) {
        return;
      }
      if (hasRun && (state === S.running || state === S.paused)) {
        el.pending.hidden = !configChanged();
      }
    });
    document.getElementById('controls').addEventListener('submit', (e) => e.preventDefault());

    for (const b of document.querySelectorAll('#runs-panel button[data-panel]')) {
      b.addEventListener('click', () => exportPNG(b.dataset.panel));
    }

    updateShapePreview();
    setButtons();
    setStatus('Loading the trainer…');
    const linkAsked = configFromURL();
    updateURL();
    initPool();
    initRuns();
    // A first run from the settings, so the architecture and the untrained
    // model show at once; Start then trains it. A link's settings are
    // checked first.
    if (!linkAsked) {
      configure();
    }
  }

  function initRuns() {
    if (!mp.Runs || !mp.RunStore) {
      return;
    }
    const store = new mp.RunStore();
    runs = new mp.Runs({
      store: store,
      list: el.runsList,
      undo: el.runsUndo,
      onOverlay: (list) => toFrame({ type: T.runs, runs: list }),
      onLoadConfig: loadRunConfig,
      onLoadWeights: useRunWeights,
      onDownloadWeights: (run) => {
        if (run.weights) {
          download(run.weights, run.name + '.mnistw');
        }
      },
      onDownload: (parts, name, type) => downloadParts(parts, name, type),
      onError: showError,
    });
    runs.render();
    store.open().then(() => {
      if (!store.persistent) {
        el.runsNote.textContent = 'Runs are kept for this visit only: ' + store.why + '.';
      }
      return runs.restore();
    });
    if (mp.Sweep) {
      sweep = new mp.Sweep({
        batches: $('sweep-batches'), lrs: $('sweep-lrs'), epochs: $('sweep-epochs'), subset: $('sweep-subset'),
        hidden: $('sweep-hidden'), start: $('sweep-start'), cancel: $('sweep-cancel'), report: $('sweep-report'),
        progress: $('sweep-progress'), tables: $('sweep-tables'), status: $('sweep-status'),
      }, {
        baseConfig: readConfig,
        useReportProtocol: () => {
          el.protocol.value = 'report';
          el.evalSubset.value = '0';
          updateURL();
        },
        grid: (fields, answer) => {
          const id = ++lastRequestID;
          gridWanted.set(id, answer);
          send(Object.assign({ cmd: C.sweep, id: id }, fields));
        },
        run: (cfg, extra, ended) => runInPool(cfg, extra, ended),
        onError: showError,
      });
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
