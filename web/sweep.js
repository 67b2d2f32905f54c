// Sweep mode: a grid of batch sizes x learning rates (the report's Task 1a:
// 100/500/3000/5000 x 1e-3/1e-4/1e-5, plain SGD on the MLP) run in the
// pool's workers, as many at once as the pool has free workers (web/pool.js),
// each a run in the runs list, with three tables
// (final loss, train accuracy, test accuracy; rows batch size, columns
// learning rate) coloured by a sequential colour map with a legend.
'use strict';

(function (ns) {
  // The heat maps' colours are plot.Viridis and its ink rule, sampled in
  // colors.js: level returns the index of t in [0, 1] there.
  function level(t) {
    t = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
    return Math.round(t * (ns.VIRIDIS.length - 1));
  }

  const METRICS = [
    { key: 'loss', title: 'Final loss', field: 'trainLoss', fmt: (v) => v.toFixed(3) },
    // With the report's protocol, the accuracy on the whole training set
    // after the last update (trainEvalAcc), as the report printed it;
    // otherwise the mean over the last epoch's batches.
    { key: 'train', title: 'Training accuracy', field: 'trainAcc', whole: 'trainEvalAcc', fmt: (v) => (100 * v).toFixed(1) + '%' },
    { key: 'test', title: 'Test accuracy', field: 'valAcc', fmt: (v) => (100 * v).toFixed(1) + '%' },
  ];

  function fmtLR(x) {
    return x >= 0.01 ? String(x) : x.toExponential(0);
  }

  class Sweep {
    // els: {batches, lrs, epochs, subset, hidden, start, cancel, progress, tables, status}
    // host: {baseConfig(), useReportProtocol(), onError(msg),
    //        grid(fields, answer(sweepEvent)): the trainer reads the lists
    //          and makes the grid's runs (playground.SweepGrid),
    //        run(cfg, extra, ended(state, lastEpoch, message)): a handle {stop()}
    //          of a run started in a pool worker, or null when none is free}
    constructor(els, host) {
      this.els = els;
      this.host = host;
      this.queue = [];
      this.results = new Map(); // "b|lr" -> {final, state}
      this.grid = null;
      this.next = 0;            // queue index of the next run to start
      this.finished = 0;        // runs ended
      this.inflight = new Map(); // queue item -> run handle
      this.phase = 'off'; // off | on
      this.cells = new Map(); // "metric|b|lr" -> td
      this.legends = new Map(); // metric key -> {lo, bar, hi}: its colour scale's spans
      els.start.addEventListener('click', () => this.start());
      if (els.report) {
        els.report.addEventListener('click', () => this.reportPreset());
      }
      els.cancel.addEventListener('click', () => this.cancel('Sweep cancelled.'));
      this.setButtons();
    }

    active() {
      return this.phase !== 'off';
    }

    setButtons() {
      this.els.start.disabled = this.active();
      this.els.cancel.disabled = !this.active();
    }

    // reportPreset fills in the course report's Task 1a grid and protocol
    // (Tables 1-3): the host switches the run settings to the report's
    // protocol, with validation on all the test images.
    reportPreset() {
      this.els.batches.value = '100, 500, 3000, 5000';
      this.els.lrs.value = '1e-3, 1e-4, 1e-5';
      this.els.epochs.value = '100';
      this.els.subset.value = '0';
      this.els.hidden.value = '300, 100';
      this.host.useReportProtocol();
    }

    // start asks the trainer for the grid the fields describe (it reads
    // the lists and checks every run), then runs it.
    start() {
      let base;
      try {
        base = this.host.baseConfig();
      } catch (e) {
        this.host.onError(e.message);
        return;
      }
      const f = this.els;
      this.els.start.disabled = true;
      this.host.grid({
        base: base, batches: f.batches.value, lrs: f.lrs.value, epochs: f.epochs.value,
        subset: f.subset.value, hidden: f.hidden.value,
      }, (ev) => {
        this.setButtons();
        if (ev.message) {
          this.host.onError(ev.message);
        } else if (!this.active()) {
          this.begin(ev);
        }
      });
    }

    // begin runs the grid of a sweep event.
    begin(ev) {
      this.grid = { batches: ev.batches, lrs: ev.lrs };
      this.queue = ev.runs.map((r) => ({ b: r.batch, lr: r.lr, cfg: r.config }));
      this.results.clear();
      this.buildTables();
      this.next = 0;
      this.finished = 0;
      this.inflight.clear();
      this.phase = 'on';
      this.setButtons();
      this.progress();
      this.pump();
    }

    // pump starts queued runs while the pool has free workers; the host
    // calls it again when a worker becomes free.
    pump() {
      while (this.active() && this.next < this.queue.length) {
        const it = this.queue[this.next];
        const h = this.host.run(it.cfg, { name: 'sweep b' + it.b + ' lr ' + fmtLR(it.lr), sweep: { batch: it.b, lr: it.lr } },
          (state, lastEpoch, message) => this.ended(it, state, lastEpoch, message));
        if (!h) {
          break;
        }
        this.next++;
        this.inflight.set(it, h);
        this.mark(it, 'running');
        this.progress();
      }
    }

    ended(it, state, lastEpoch, message) {
      if (!this.inflight.delete(it) || !this.active()) {
        return;
      }
      this.finished++;
      if (state === 'error') {
        this.results.set(it.b + '|' + it.lr, { final: null, state: 'error', message: message });
        this.mark(it, 'error');
      } else {
        this.results.set(it.b + '|' + it.lr, { final: lastEpoch, state: state });
        this.fill(it);
      }
      if (this.finished >= this.queue.length) {
        this.phase = 'off';
        this.setButtons();
        this.progress('Sweep done: ' + this.queue.length + ' runs.');
        return;
      }
      this.progress();
      this.pump();
    }

    progress(text) {
      this.els.progress.value = this.queue.length ? this.finished + '/' + this.queue.length : '';
      this.els.status.textContent = text || 'Sweep: ' + this.finished + ' of ' + this.queue.length + ' runs done, ' +
        this.inflight.size + ' training at once.';
    }

    cancel(why) {
      if (!this.active()) {
        return;
      }
      this.phase = 'off';
      for (const [it, h] of this.inflight) {
        h.stop();
        if (!this.results.has(it.b + '|' + it.lr)) {
          this.mark(it, 'cancelled');
        }
      }
      this.inflight.clear();
      this.setButtons();
      this.els.status.textContent = why + ' ' + this.finished + '/' + this.queue.length + ' runs finished.';
    }

    buildTables() {
      const box = this.els.tables;
      box.replaceChildren();
      this.cells.clear();
      this.legends.clear();
      const { batches, lrs } = this.grid;
      for (const m of METRICS) {
        const fig = document.createElement('figure');
        fig.className = 'sweep-figure';
        const t = document.createElement('table');
        t.className = 'data heat';
        t.id = 'sweep-' + m.key;
        const cap = document.createElement('caption');
        cap.textContent = m.title;
        t.appendChild(cap);
        const thead = t.createTHead();
        const hr = thead.insertRow();
        const corner = document.createElement('th');
        corner.scope = 'col';
        corner.textContent = 'batch \\ lr';
        hr.appendChild(corner);
        for (const lr of lrs) {
          const th = document.createElement('th');
          th.scope = 'col';
          th.textContent = fmtLR(lr);
          hr.appendChild(th);
        }
        const tb = t.createTBody();
        for (const b of batches) {
          const tr = tb.insertRow();
          const th = document.createElement('th');
          th.scope = 'row';
          th.textContent = b === 0 ? 'full' : String(b);
          tr.appendChild(th);
          for (const lr of lrs) {
            const td = tr.insertCell();
            td.textContent = '';
            this.cells.set(m.key + '|' + b + '|' + lr, td);
          }
        }
        const legend = document.createElement('div');
        legend.className = 'legend';
        legend.id = 'sweep-' + m.key + '-legend';
        const lo = document.createElement('span');
        const bar = document.createElement('span');
        bar.className = 'legend-bar';
        bar.style.backgroundImage = 'linear-gradient(to right, ' + ns.VIRIDIS.filter((_, i) => i % 15 === 0).join(', ') + ')';
        bar.setAttribute('role', 'img');
        const hi = document.createElement('span');
        legend.append(lo, bar, hi);
        this.legends.set(m.key, { lo, bar, hi });
        fig.append(t, legend);
        box.appendChild(fig);
      }
      this.recolor();
    }

    mark(it, what) {
      for (const m of METRICS) {
        const td = this.cells.get(m.key + '|' + it.b + '|' + it.lr);
        if (td) {
          td.textContent = what === 'running' ? '…' : what;
          td.className = 'pending';
          td.style.backgroundColor = '';
          td.style.color = '';
          delete td.dataset.level;
        }
      }
    }

    fill(it) {
      const r = this.results.get(it.b + '|' + it.lr);
      for (const m of METRICS) {
        const td = this.cells.get(m.key + '|' + it.b + '|' + it.lr);
        if (!td) {
          continue;
        }
        td.className = '';
        if (!r.final) {
          td.textContent = r.state;
          continue;
        }
        const v = m.whole && r.final[m.whole] > 0 ? r.final[m.whole] : r.final[m.field];
        td.textContent = m.fmt(v) + (r.state === 'diverged' ? ' (diverged)' : '');
        td.dataset.value = String(v);
      }
      this.recolor();
    }

    // recolor maps each table's values onto the colour map, min..max.
    recolor() {
      for (const m of METRICS) {
        const vals = [];
        for (const [k, td] of this.cells) {
          if (k.startsWith(m.key + '|') && td.dataset.value !== undefined) {
            const v = Number(td.dataset.value);
            if (Number.isFinite(v)) {
              vals.push(v);
            }
          }
        }
        const lo = vals.length ? Math.min(...vals) : 0;
        const hi = vals.length ? Math.max(...vals) : 1;
        for (const [k, td] of this.cells) {
          if (!k.startsWith(m.key + '|') || td.dataset.value === undefined) {
            continue;
          }
          const v = Number(td.dataset.value);
          const i = level(hi > lo ? (v - lo) / (hi - lo) : 1);
          // Unchanged cells are left alone: a write repaints the cell.
          if (td.dataset.level !== String(i)) {
            td.dataset.level = String(i);
            td.style.backgroundColor = ns.VIRIDIS[i];
            td.style.color = ns.VIRIDIS_INK[i];
          }
        }
        const legend = this.legends.get(m.key);
        if (legend) {
          const loText = vals.length ? m.fmt(lo) : '–';
          const hiText = vals.length ? m.fmt(hi) : '–';
          if (legend.lo.textContent !== loText || legend.hi.textContent !== hiText) {
            legend.lo.textContent = loText;
            legend.hi.textContent = hiText;
            legend.bar.setAttribute('aria-label', 'colour scale from ' + loText + ' (dark purple) to ' + hiText + ' (yellow)');
          }
        }
      }
    }
  }

  ns.Sweep = Sweep;
})(window.mnistplay = window.mnistplay || {});
