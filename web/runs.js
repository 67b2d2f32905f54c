// Runs: every fresh Start makes a run record that keeps its config and
// history (epochs, quick evaluations, downsampled steps, shuffle markers,
// flatness points, final metrics and final weights). The history is the
// trainer's snapshot of the run (fromSnapshot), bounded and downsampled in
// Go (playground.Session); records saved before that hold the same fields. The runs panel lists
// them (overlay checkbox, colour, name, load config / weights, downloads,
// delete with undo); ticked runs go to the UI iframe as
// {type:'runs', runs:[...]}. Records are saved through a RunStore.
// Record format: docs/protocol.md, "Runs, overlays and exports".
'use strict';

(function (ns) {
  const COLORS = ns.PALETTE; // plot.Palette (colors.js)
  const SAVE_GAP = 3000; // ms between saves of a running run
  const OVERLAY_GAP = 1000; // ms between overlay updates for a live run

  function newID() {
    return 'r' + Date.now().toString(36) + Math.floor(Math.random() * 1e6).toString(36);
  }

  function pct(x) {
    return Number.isFinite(x) ? (100 * x).toFixed(1) + '%' : '–';
  }

  function fmtNum(x) {
    if (!Number.isFinite(x)) {
      return String(x);
    }
    return Math.abs(x) >= 0.001 ? String(Number(x.toPrecision(3))) : x.toExponential(0);
  }

  // describe is a short text of a config: "MLP 100 · SGD lr 0.001 · batch 100".
  function describe(cfg) {
    if (!cfg || !cfg.model) {
      return '';
    }
    const m = cfg.model;
    let arch = m.arch === 'cnn' ? 'CNN' : 'MLP';
    if (m.hidden && m.hidden.length) {
      arch += ' ' + m.hidden.join('-');
    }
    if (m.arch === 'cnn' && m.pool && m.pool !== 'max') {
      arch += ' ' + m.pool + 'pool';
    }
    const o = cfg.optim || {};
    const lr = cfg.schedule ? fmtNum(cfg.schedule.lr0) : '?';
    let s = arch + ' · ' + (o.kind || 'sgd') + ' lr ' + lr + ' · batch ' + (cfg.batchSize || 'full');
    if (o.l2) {
      s += ' · λ ' + fmtNum(o.l2);
    }
    if (cfg.shuffleFraction) {
      s += ' · shuffled ' + Math.round(cfg.shuffleFraction * 100) + '%';
    }
    return s;
  }

  function csvNum(x) {
    return Number.isFinite(x) ? String(x) : '';
  }

  class Runs {
    // opts: {store, list, undo, onOverlay(runs), onLoadConfig(run), onLoadWeights(run),
    //        onDownloadWeights(run), onDownload(blobParts, name, type)}
    constructor(opts) {
      this.opts = opts;
      this.store = opts.store;
      this.runs = [];      // oldest first
      this.current = null; // the run the worker is training (receives events)
      this.rows = new Map();
      this.saveTimers = new Map();
      this.writing = new Map(); // run id → whether to write again when the write in flight ends
      this.lastOverlay = 0;
      this.overlayTimer = 0;
      this.undo = null;    // {run, index, timer}
      this.mine = new Set(); // ids of the runs this tab trained: their history is written here only
      this.store.onChange((m) => this.remoteChange(m));
    }

    // remoteChange takes in another tab's write of record m.id: a new run,
    // a newer copy of one listed here, or a deletion. Of the runs this tab
    // trained, only the fields a person edits (name, overlay, colour) are
    // taken: its history is this tab's.
    async remoteChange(m) {
      const local = this.byID(m.id);
      if (m.deleted) {
        if (local && !this.mine.has(local.id)) {
          this.runs.splice(this.runs.indexOf(local), 1);
          this.render();
          this.sendOverlay(true);
        }
        return;
      }
      if (local && (local.rev || 0) >= m.rev) {
        return;
      }
      let rec = null;
      try {
        rec = await this.store.get(m.id);
      } catch (e) {
        return;
      }
      if (!rec) {
        return;
      }
      const now = this.byID(m.id);
      if (!now) {
        if (this.undo && this.undo.run.id === m.id) {
          return; // deleted here, waiting for Undo
        }
        this.runs.push(rec);
        this.runs.sort((a, b) => a.createdAt - b.createdAt);
        this.render();
      } else if (this.mine.has(now.id)) {
        this.takeEdits(now, rec);
        this.render();
      } else if ((now.rev || 0) < (rec.rev || 0)) {
        Object.assign(now, rec);
        this.render();
      }
      this.sendOverlay(true);
    }

    // takeEdits copies the fields a person edits from a stored record.
    takeEdits(run, rec) {
      run.name = rec.name;
      run.overlay = rec.overlay;
      run.color = rec.color;
      run.rev = Math.max(run.rev || 0, rec.rev || 0);
    }

    // edit sets fields a person edits (name, overlay) on run and in the
    // stored copy, without writing this tab's copy of the rest over a newer
    // one from another tab.
    edit(run, fields) {
      Object.assign(run, fields);
      this.store.edit(run.id, (r) => Object.assign(r, fields)).then((rec) => {
        if (!rec) {
          this.save(run, true); // not stored yet
        } else if (this.mine.has(run.id)) {
          run.rev = Math.max(run.rev || 0, rec.rev);
        } else {
          Object.assign(run, rec);
          this.update(run);
        }
      }).catch((e) => {
        this.opts.onError('Could not save run “' + run.name + '” in the browser: ' + (e && e.message ? e.message : e));
      });
    }

    async restore() {
      let runs = [];
      try {
        runs = await this.store.all();
      } catch (e) {
        this.opts.onError('Saved runs could not be read: ' + (e && e.message ? e.message : e));
      }
      for (const r of runs) {
        if (r.state === 'running') {
          r.state = 'stopped'; // the page was closed while it trained
        }
        if (!this.runs.some((x) => x.id === r.id)) {
          this.runs.push(r);
        }
      }
      this.runs.sort((a, b) => a.createdAt - b.createdAt);
      this.render();
      this.sendOverlay(true);
      return this.runs;
    }

    nextColor() {
      const used = new Set(this.runs.map((r) => r.color));
      for (const c of COLORS) {
        if (!used.has(c)) {
          return c;
        }
      }
      return COLORS[this.runs.length % COLORS.length];
    }

    // begin makes the record of a fresh run and makes it current, unless
    // it trains in a pool worker (background): then the caller records its
    // events with eventFor.
    begin(config, extra, background) {
      const n = this.runs.length + 1;
      const run = Object.assign({
        id: newID(),
        name: 'run ' + n,
        config: config,
        createdAt: Date.now(),
        color: this.nextColor(),
        overlay: false,
        state: 'running',
        epochs: [],
        evals: [],
        steps: [],
        shuffles: [],
        markers: [],
        flatness: [],
        final: null,
        weights: null,
      }, extra || {});
      if (config && config.shuffleFraction > 0) {
        run.markers.push({ epoch: 0, label: 'shuffle ' + Math.round(config.shuffleFraction * 100) + '%' });
      }
      // Unique names among the runs every tab knows (each tab hears of the
      // others' new runs: remoteChange).
      const m = /^run (\d+)$/.exec(run.name);
      let k = m ? Number(m[1]) : 0;
      while (this.runs.some((r) => r.name === run.name)) {
        run.name = m ? 'run ' + (++k) : run.name + '′';
      }
      this.runs.push(run);
      const was = this.current;
      if (!background) {
        this.current = run;
      }
      this.mine.add(run.id);
      this.addRow(run);
      if (was) {
        this.update(was);
      }
      this.store.add(run).then(() => this.update(run)).catch((e) => {
        this.opts.onError('Could not save run “' + run.name + '” in the browser: ' + (e && e.message ? e.message : e));
      });
      return run;
    }

    // detach stops recording worker events into the current run.
    detach() {
      this.current = null;
    }

    byID(id) {
      return this.runs.find((r) => r.id === id) || null;
    }

    // event records a worker event into the current run.
    event(ev) {
      this.eventFor(this.current, ev);
    }

    // eventFor records a worker event into run.
    eventFor(run, ev) {
      if (!run) {
        return;
      }
      switch (ev.type) {
        case ns.protocol.type.sharpness:
          // The landscape job's last sharpness: the run's, saved with it.
          if (!ev.done) {
            return;
          }
          run.sharpness = { values: ev.values, trace: ev.trace, traceErr: ev.traceErr, n: ev.n };
          this.save(run, true);
          this.sendOverlay(true);
          break;
        case ns.protocol.type.state:
          if (ev.state !== ns.protocol.state.idle) {
            run.state = ev.state;
          }
          run.lastStep = ev.step;
          this.save(run, ev.state !== ns.protocol.state.running);
          break;
        default:
          return;
      }
      this.update(run);
      if (run.overlay) {
        this.sendOverlay(false);
      }
    }

    // fromSnapshot makes run's history the trainer's snapshot of it (a
    // snapshot event): what Go keeps, bounded and downsampled.
    fromSnapshot(run, snap) {
      if (!this.runs.includes(run) || !snap.hasRun) {
        return;
      }
      run.epochs = snap.epochs;
      run.evals = snap.evals;
      run.steps = snap.steps.map((s) => [s.epoch, s.loss, s.acc]);
      run.shuffles = snap.shuffles;
      run.flatness = snap.flatness;
      const last = snap.epochs[snap.epochs.length - 1];
      if (last) {
        run.final = { trainLoss: last.trainLoss, trainAcc: last.trainAcc, valLoss: last.valLoss, valAcc: last.valAcc };
      }
      run.lastStep = snap.state.step;
      this.save(run, snap.state.state !== ns.protocol.state.running);
      this.update(run);
      if (run.overlay) {
        this.sendOverlay(true);
      }
    }

    setWeights(run, bytes) {
      run.weights = bytes;
      this.save(run, true);
      this.update(run);
    }

    // save writes run to the store now (force) or within SAVE_GAP. One
    // write of a run is in flight at a time: the saves asked for meanwhile
    // (a run's end brings its state, record and weights in a few
    // messages) become one more write of the newest copy when it ends.
    save(run, force) {
      if (!this.runs.includes(run)) {
        return;
      }
      if (!force) {
        if (!this.saveTimers.has(run.id)) {
          this.saveTimers.set(run.id, setTimeout(() => this.save(run, true), SAVE_GAP));
        }
        return;
      }
      clearTimeout(this.saveTimers.get(run.id));
      this.saveTimers.delete(run.id);
      if (this.writing.has(run.id)) {
        this.writing.set(run.id, true);
        return;
      }
      this.writing.set(run.id, false);
      this.store.put(run).then((newer) => {
        if (!newer) {
          return;
        }
        // Another tab wrote this record since this tab read it.
        if (this.mine.has(run.id)) {
          this.takeEdits(run, newer);
          this.writing.set(run.id, true);
        } else {
          Object.assign(run, newer);
          this.update(run);
        }
      }).catch((e) => {
        this.opts.onError('Could not save run “' + run.name + '” in the browser: ' + (e && e.message ? e.message : e));
      }).finally(() => {
        const again = this.writing.get(run.id);
        this.writing.delete(run.id);
        if (again) {
          this.save(run, true);
        }
      });
    }

    // overlayRuns is the {type:'runs'} payload: the ticked runs.
    overlayRuns() {
      return this.runs.filter((r) => r.overlay).map((r) => ({
        id: r.id, name: r.name, color: r.color,
        epochs: r.epochs, steps: r.steps, markers: r.markers, shuffles: r.shuffles || [], flatness: r.flatness, evals: r.evals,
        sharpness: r.sharpness || {},
      }));
    }

    sendOverlay(now) {
      const go = () => {
        this.overlayTimer = 0;
        this.lastOverlay = Date.now();
        this.opts.onOverlay(this.overlayRuns());
      };
      if (now) {
        clearTimeout(this.overlayTimer);
        go();
        return;
      }
      if (!this.overlayTimer) {
        this.overlayTimer = setTimeout(go, Math.max(0, OVERLAY_GAP - (Date.now() - this.lastOverlay)));
      }
    }

    rename(run, name) {
      name = name.trim();
      if (name === '' || name === run.name) {
        return;
      }
      this.edit(run, { name: name });
      if (run.overlay) {
        this.sendOverlay(true);
      }
    }

    remove(run) {
      const i = this.runs.indexOf(run);
      if (i < 0) {
        return;
      }
      this.runs.splice(i, 1);
      if (this.current === run) {
        this.current = null;
      }
      this.store.delete(run.id).catch(() => {});
      this.finishUndo();
      this.undo = { run: run, index: i, timer: setTimeout(() => this.finishUndo(), 15000) };
      this.render();
      this.showUndo();
      if (run.overlay) {
        this.sendOverlay(true);
      }
    }

    restoreDeleted() {
      const u = this.undo;
      if (!u) {
        return;
      }
      this.finishUndo();
      this.runs.splice(Math.min(u.index, this.runs.length), 0, u.run);
      this.save(u.run, true);
      this.render();
      if (u.run.overlay) {
        this.sendOverlay(true);
      }
      const row = this.rows.get(u.run.id);
      if (row) {
        row.name.focus();
      }
    }

    finishUndo() {
      if (this.undo) {
        clearTimeout(this.undo.timer);
        this.undo = null;
      }
      this.showUndo();
    }

    showUndo() {
      const box = this.opts.undo;
      box.replaceChildren();
      if (!this.undo) {
        box.hidden = true;
        return;
      }
      box.hidden = false;
      const msg = document.createElement('span');
      msg.textContent = 'Deleted “' + this.undo.run.name + '”. ';
      const b = document.createElement('button');
      b.type = 'button';
      b.id = 'runs-undo-button';
      b.textContent = 'Undo';
      b.addEventListener('click', () => this.restoreDeleted());
      box.append(msg, b);
      b.focus();
    }

    // ---- CSV ----
    epochsCSV(run) {
      const lines = ['epoch,train_loss,train_acc,val_loss,val_acc,train_images'];
      for (const e of run.epochs) {
        lines.push([e.epoch, csvNum(e.trainLoss), csvNum(e.trainAcc), csvNum(e.valLoss), csvNum(e.valAcc), e.trainN || ''].join(','));
      }
      return lines.join('\n') + '\n';
    }

    stepsCSV(run) {
      const lines = ['epoch,loss,batch_acc'];
      for (const s of run.steps) {
        lines.push([csvNum(s[0]), csvNum(s[1]), csvNum(s[2])].join(','));
      }
      return lines.join('\n') + '\n';
    }

    // ---- the list ----
    summary(run) {
      const parts = [];
      const last = run.epochs[run.epochs.length - 1];
      if (last) {
        parts.push(last.epoch + ' ep', 'loss ' + fmtNum(last.trainLoss), 'train ' + pct(last.trainAcc), 'val ' + pct(last.valAcc));
        if (last.trainN) {
          parts.push(last.trainN.toLocaleString('en-US') + ' images');
        }
      } else if (run.evals.length) {
        parts.push('val ' + pct(run.evals[run.evals.length - 1].valAcc));
      } else {
        parts.push((run.lastStep || 0) + ' steps');
      }
      if (run.sharpness && run.sharpness.values && run.sharpness.values.length) {
        parts.push('sharpness ' + fmtNum(run.sharpness.values[0]));
      }
      const state = run.state === 'running' && this.mine.has(run.id) ? 'training' : run.state;
      parts.push(state + (run.weights ? '' : ', no weights yet'));
      return parts.join(' · ');
    }

    update(run) {
      const row = this.rows.get(run.id);
      if (!row) {
        return;
      }
      // Only what changed is written: each write makes the page lay out
      // and paint the row again, and a sweep's runs update rows often.
      const summary = this.summary(run);
      if (row.summary.textContent !== summary) {
        row.summary.textContent = summary;
      }
      if (document.activeElement !== row.name && row.name.value !== run.name) {
        row.name.value = run.name;
      }
      for (const b of [row.useWeights, row.dlWeights]) {
        if (b.disabled !== !run.weights) {
          b.disabled = !run.weights;
        }
      }
      row.li.classList.toggle('current', run === this.current);
    }

    render() {
      const list = this.opts.list;
      const focused = document.activeElement;
      const keep = focused && list.contains(focused) ? focused.dataset.role + ':' + focused.closest('li')?.dataset.id : '';
      list.replaceChildren();
      this.rows.clear();
      if (this.runs.length === 0) {
        const li = document.createElement('li');
        li.className = 'empty';
        li.textContent = 'No runs yet: each Start of a new run adds one here.';
        list.appendChild(li);
      }
      // Newest first.
      for (let i = this.runs.length - 1; i >= 0; i--) {
        list.appendChild(this.row(this.runs[i]));
      }
      if (keep) {
        const [role, id] = keep.split(':');
        const el = list.querySelector('li[data-id="' + id + '"] [data-role="' + role + '"]');
        if (el) {
          el.focus();
        }
      }
    }

    // addRow lists a new run at the top, leaving the other rows (and the
    // focus) as they are: a sweep adds runs while a person edits names.
    addRow(run) {
      const list = this.opts.list;
      const empty = list.querySelector('li.empty');
      if (empty) {
        empty.remove();
      }
      list.prepend(this.row(run));
    }

    row(run) {
      const li = document.createElement('li');
      li.className = 'run';
      li.dataset.id = run.id;

      const ov = document.createElement('input');
      ov.type = 'checkbox';
      ov.checked = !!run.overlay;
      ov.dataset.role = 'overlay';
      ov.className = 'run-overlay';
      ov.title = 'Overlay this run on the curves';
      ov.setAttribute('aria-label', 'Overlay ' + run.name + ' on the curves');
      ov.addEventListener('change', () => {
        this.edit(run, { overlay: ov.checked });
        this.sendOverlay(true);
      });

      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.backgroundColor = run.color;
      sw.setAttribute('aria-hidden', 'true');

      const name = document.createElement('input');
      name.type = 'text';
      name.value = run.name;
      name.className = 'run-name';
      name.dataset.role = 'name';
      name.setAttribute('aria-label', 'Name of the run');
      name.addEventListener('change', () => {
        this.rename(run, name.value);
        name.value = run.name;
        ov.setAttribute('aria-label', 'Overlay ' + run.name + ' on the curves');
      });
      name.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          name.blur();
        } else if (e.key === 'Escape') {
          name.value = run.name;
          name.blur();
        }
      });

      const head = document.createElement('div');
      head.className = 'run-head';
      head.append(ov, sw, name);

      const desc = document.createElement('div');
      desc.className = 'run-desc';
      desc.textContent = describe(run.config);

      const summary = document.createElement('div');
      summary.className = 'run-summary';

      const actions = document.createElement('div');
      actions.className = 'run-actions';
      const btn = (label, role, title, fn) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = label;
        b.dataset.role = role;
        b.title = title;
        b.setAttribute('aria-label', title + ' (' + run.name + ')');
        b.addEventListener('click', () => fn(b));
        actions.appendChild(b);
        return b;
      };
      btn('Load config', 'config', 'Put this run’s settings into the controls', () => this.opts.onLoadConfig(run));
      const useWeights = btn('Use weights', 'use', 'Load this run’s final weights into the trainer (to classify drawings)', () => this.opts.onLoadWeights(run));
      const dlWeights = btn('.mnistw', 'weights', 'Download this run’s final weights', () => this.opts.onDownloadWeights(run));
      btn('Epochs CSV', 'csv-epochs', 'Download the per-epoch history as CSV', () =>
        this.opts.onDownload([this.epochsCSV(run)], run.name + '-epochs.csv', 'text/csv'));
      btn('Steps CSV', 'csv-steps', 'Download the per-step losses as CSV', () =>
        this.opts.onDownload([this.stepsCSV(run)], run.name + '-steps.csv', 'text/csv'));
      const del = btn('Delete', 'delete', 'Delete this run', () => this.remove(run));
      del.classList.add('danger');

      li.append(head, desc, summary, actions);
      this.rows.set(run.id, { li, summary, name, useWeights, dlWeights });
      this.update(run);
      return li;
    }
  }

  ns.Runs = Runs;
  ns.describeConfig = describe;
})(window.mnistplay = window.mnistplay || {});
