// Browser tests of the playground's experiments (issue 5): digits drawn on
// the pad with the mouse are classified by a model trained in the browser,
// label shuffling separates train and validation accuracy, the flatness
// curve has its points in order and its minimum near alpha = 1, and the
// canvas exports its panels as PNG. Run by `make e2e` against the server
// binary; E2E_URL=http://127.0.0.1:PORT/ uses a running server instead.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  openPage, pageState, percent, saveLog, screenshot,
  REPORT_CNN_SUBSET_RUN, setControls, sleep, text, useServerAndBrowser, waitDataLoaded, waitFor,
} from './lib.mjs';

// A small MLP on 500 examples: it learns the true labels in a few epochs,
// then memorises shuffled ones. The test pauses it, shuffles, and lets it
// run to its last epoch, so what it sees does not depend on the speed of
// the machine (only on where the pause lands, a few epochs at most).
const SHUFFLE_RUN = {
  arch: 'mlp', hidden: '256', optimizer: 'adam', lr: '0.002', momentum: '0.9', schedule: 'constant',
  l2: '0', batch: '50', epochs: '150', subset: '500', 'eval-subset': '1000', patience: '0', seed: '5',
};


// Strokes of each digit in pad units (0..1, y down): lists of polylines.
function arc(cx, cy, rx, ry, a0, a1, n = 24) {
  const pts = [];
  for (let i = 0; i <= n; i++) {
    const t = ((a0 + (a1 - a0) * i / n) * Math.PI) / 180;
    pts.push([cx + rx * Math.cos(t), cy + ry * Math.sin(t)]);
  }
  return pts;
}
const DIGITS = [
  { digit: 1, strokes: [[[0.52, 0.14], [0.5, 0.5], [0.48, 0.86]]] },
  { digit: 0, strokes: [arc(0.5, 0.5, 0.22, 0.34, -90, 275, 40)] },
  { digit: 7, strokes: [[[0.27, 0.2], [0.5, 0.2], [0.73, 0.2], [0.6, 0.45], [0.47, 0.86]]] },
  { digit: 4, strokes: [[[0.33, 0.14], [0.3, 0.56], [0.74, 0.56]], [[0.63, 0.16], [0.63, 0.5], [0.63, 0.88]]] },
  { digit: 3, strokes: [[...arc(0.48, 0.32, 0.2, 0.17, -160, 90, 20), ...arc(0.48, 0.67, 0.22, 0.18, -90, 155, 20)]] },
  { digit: 2, strokes: [[...arc(0.5, 0.35, 0.2, 0.18, -165, 25, 20), [0.3, 0.83], [0.5, 0.83], [0.74, 0.83]]] },
];

const env = useServerAndBrowser({ url: process.env.E2E_URL });

// record makes the page keep the UI's messages ({type:'ui'}, posted to the
// parent window) and the worker events the canvas receives on its channel
// to the trainer (ui.js re-dispatches them as 'trainermessage' events).
async function record(page) {
  await page.evaluate(() => {
    window.__ui = [];
    addEventListener('message', (e) => {
      if (e.data && e.data.type === 'ui') window.__ui.push(e.data);
    });
  });
  const frame = await (await page.$('#ui-frame')).contentFrame();
  await frame.waitForSelector('#ui-canvas', { timeout: 30000 });
  await frame.evaluate(() => {
    window.__ev = [];
    addEventListener('trainermessage', (e) => {
      const d = e.detail;
      if (d && ['epoch', 'eval', 'shuffle', 'flatness', 'robustness', 'state'].includes(d.type)) window.__ev.push(d);
    });
  });
  return frame;
}

const uiEvents = (page, event) => page.evaluate((ev) => window.__ui.filter((m) => m.event === ev), event);
const workerEvents = (frame, type) => frame.evaluate((t) => window.__ev.filter((m) => m.type === t), type);

// geometry maps pad units (0..1) to page coordinates, from where the
// canvas program says its pad and clear button are (data-pad, data-clear:
// CSS pixels in the canvas).
async function geometry(frame) {
  const c = await frame.$('#ui-canvas');
  const box = await c.boundingBox();
  const [px, py, size] = (await c.getAttribute('data-pad')).split(' ').map(Number);
  const [cx, cy] = (await c.getAttribute('data-clear')).split(' ').map(Number);
  return { clear: [box.x + cx, box.y + cy], padAt: (u, v) => [box.x + px + u * size, box.y + py + v * size] };
}

// drawStroke drags the mouse along a polyline in pad units, in small steps.
async function drawStroke(page, g, pts) {
  const [x0, y0] = g.padAt(...pts[0]);
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  for (let i = 1; i < pts.length; i++) {
    const [x, y] = g.padAt(...pts[i]);
    const [px, py] = g.padAt(...pts[i - 1]);
    const steps = Math.max(2, Math.round(Math.hypot(x - px, y - py) / 6));
    await page.mouse.move(x, y, { steps });
    await sleep(16);
  }
  await page.mouse.up();
}

async function clearPad(page, g) {
  await page.mouse.click(...g.clear);
  await sleep(100);
}

// The pad and export tests run on both presenters of the canvas (the 2D
// canvas and ebiten on WebGL, here software-rendered); the experiments'
// own tests once.
for (const ui of ['canvas', 'ebiten']) {
describe(`playground experiments (?ui=${ui})`, { timeout: 600000 }, () => {
  let page;
  let frame;
  let errors;
  let log;
  const more = ui === 'canvas' ? test : () => {};

  before(async () => {
    ({ page, errors, log } = await openPage(env.context, `${env.url}?ui=${ui}`));
    frame = await record(page);
    await waitDataLoaded(page, 60000);
  });

  after(async () => {
    await saveLog(`experiments-${ui}`, log ?? []);
    await page?.close();
  });

  test('a CNN trained on a subset passes 90% validation accuracy; the pad follows its new weights', async () => {
    await setControls(page, REPORT_CNN_SUBSET_RUN);
    await page.click('#reset');
    await page.click('#start');
    const t0 = Date.now();
    const acc = await waitFor(async () => {
      const a = percent(await text(page, 'val-acc'));
      return a > 0.9 ? a : 0;
    }, { timeout: 180000, interval: 250, what: () => pageState(page) });
    // Paused at a known point, each Step (one batch) sends new weights to
    // the canvas, which classifies the pad's digit again without a touch.
    await page.click('#pause');
    await waitFor(async () => (await text(page, 'state')) === 'paused', { timeout: 30000, what: () => pageState(page) });
    console.log(`# CNN: val acc ${(acc * 100).toFixed(1)}% after ${Date.now() - t0} ms (${await text(page, 'throughput')})`);
    const g = await geometry(frame);
    await clearPad(page, g);
    const nDrawn = (await uiEvents(page, 'prediction')).length;
    await drawStroke(page, g, DIGITS[0].strokes[0]);
    await waitFor(async () => (await uiEvents(page, 'prediction')).length > nDrawn, {
      timeout: 10000, what: () => 'no prediction for the drawn stroke',
    });
    for (let i = 1; i <= 2; i++) {
      const n0 = (await uiEvents(page, 'prediction')).length;
      const s0 = Number(await text(page, 'step-count'));
      await page.click('#step');
      await waitFor(async () => Number(await text(page, 'step-count')) === s0 + 1, {
        timeout: 30000, what: () => pageState(page),
      });
      await waitFor(async () => (await uiEvents(page, 'prediction')).length > n0, {
        timeout: 10000, what: () => `step ${i}: no prediction after the new weights`,
      });
    }
    assert.equal(await text(page, 'state'), 'paused', 'Step keeps the run paused');
    await sleep(500); // the last weight snapshot reaches the canvas
    await screenshot(page, `experiments-trained-${ui}`);
  });

  test('digits drawn with the mouse are classified right (at least 5 of 6)', async () => {
    const g = await geometry(frame);
    const results = [];
    for (const d of DIGITS) {
      await clearPad(page, g);
      const before = (await uiEvents(page, 'prediction')).length;
      for (const s of d.strokes) {
        await drawStroke(page, g, s);
        await sleep(50);
      }
      const preds = await waitFor(async () => {
        const p = await uiEvents(page, 'prediction');
        return p.length > before ? p : null;
      }, { timeout: 5000, what: () => `digit ${d.digit}: no prediction message` });
      const last = preds[preds.length - 1];
      assert.equal(last.probs.length, 10, 'ten probabilities');
      const sum = last.probs.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-3, `probabilities sum to ${sum}`);
      results.push({ want: d.digit, got: last.digit, p: last.probs[last.digit] });
      await screenshot(page, `experiments-digit-${d.digit}-${ui}`);
    }
    const right = results.filter((r) => r.want === r.got).length;
    console.log(`# drawn digits (${ui}): ` + results.map((r) => `${r.want}->${r.got} (${(100 * r.p).toFixed(0)}%)`).join(', '));
    assert.ok(right >= 5, `only ${right} of ${results.length} drawn digits classified right: ${JSON.stringify(results)}`);
  });

  more('flatness: points in alpha order, minimum of the loss near alpha = 1', async () => {
    const before = (await workerEvents(frame, 'flatness')).length;
    await page.click('#flatness');
    const pts = await waitFor(async () => {
      const f = (await workerEvents(frame, 'flatness')).slice(before);
      return f.length > 0 && f.length === f[0].count ? f : null;
    }, { timeout: 60000, interval: 250, what: async () => `${(await workerEvents(frame, 'flatness')).length - before} points` });
    const n = pts[0].count;
    assert.ok(n >= 21, `${n} flatness points`);
    pts.forEach((p, i) => {
      assert.equal(p.index, i, `point ${i} has index ${p.index}`);
      assert.equal(p.count, n);
      if (i > 0) assert.ok(p.alpha > pts[i - 1].alpha, `alpha not increasing at ${i}: ${pts[i - 1].alpha}, ${p.alpha}`);
    });
    assert.ok(Math.abs(pts[0].alpha + 0.5) < 1e-6 && Math.abs(pts[n - 1].alpha - 1.5) < 1e-6,
      `alpha from ${pts[0].alpha} to ${pts[n - 1].alpha}`);
    const best = pts.reduce((a, b) => (b.loss < a.loss ? b : a));
    console.log(`# flatness: ${n} points, loss minimum ${best.loss.toFixed(3)} at alpha ${best.alpha}; ` +
      `loss at 0: ${pts.find((p) => Math.abs(p.alpha) < 1e-9)?.loss.toFixed(3)}`);
    assert.ok(best.alpha >= 0.75 && best.alpha <= 1.25, `loss minimum at alpha ${best.alpha}`);
    await sleep(600);
    await screenshot(page, 'experiments-flatness');
  });

  more('robustness: accuracy against rotation and shift, lower for large moves, drawn in the canvas', async () => {
    const before = (await workerEvents(frame, 'robustness')).length;
    await page.click('#robustness');
    const pts = await waitFor(async () => {
      const r = (await workerEvents(frame, 'robustness')).slice(before);
      return r.length > 0 && r.length === r[0].count ? r : null;
    }, { timeout: 120000, interval: 250, what: async () => `${(await workerEvents(frame, 'robustness')).length - before} points` });
    pts.forEach((p, i) => assert.equal(p.index, i, `point ${i} has index ${p.index}`));
    const at = (angle, dx, dy) => pts.find((p) => p.angle === angle && p.dx === dx && p.dy === dy).acc;
    const still = at(0, 0, 0);
    console.log(`# robustness: unmoved ${(100 * still).toFixed(1)}%, rotated 45° ${(100 * at(45, 0, 0)).toFixed(1)}%, ` +
      `-45° ${(100 * at(-45, 0, 0)).toFixed(1)}%, 4 px right ${(100 * at(0, 4, 0)).toFixed(1)}%, 4 px down ${(100 * at(0, 0, 4)).toFixed(1)}%`);
    assert.ok(still > 0.85, `unmoved accuracy ${still}`);
    for (const [a, dx, dy] of [[45, 0, 0], [-45, 0, 0], [0, 4, 0], [0, 0, 4]]) {
      assert.ok(at(a, dx, dy) < still - 0.05, `moved by ${a}°, (${dx}, ${dy}): ${at(a, dx, dy)} not below ${still}`);
    }
    await sleep(600);
    await screenshot(page, 'experiments-robustness');
  });

  test('the canvas exports its panels as PNG', async () => {
    // The flatness panel has points only after the flatness test (run on
    // the first presenter only).
    for (const panel of ui === 'canvas' ? ['loss', 'accuracy', 'flatness', 'filters'] : ['loss', 'accuracy', 'filters']) {
      const before = (await uiEvents(page, 'png')).length;
      await frame.evaluate((p) => window.postMessage({ type: 'export', panel: p }, '*'), panel);
      const m = await waitFor(async () => {
        const l = await page.evaluate(() => window.__ui.filter((x) => x.event === 'png').map((x) => ({
          panel: x.panel, n: x.bytes ? x.bytes.length : 0, head: x.bytes ? Array.from(x.bytes.slice(0, 8)) : [],
          w: x.bytes && x.bytes.length > 24 ? new DataView(x.bytes.buffer, x.bytes.byteOffset).getUint32(16) : 0,
        })));
        return l.length > before ? l[l.length - 1] : null;
      }, { timeout: 5000, what: () => `no png message for ${panel}` });
      assert.equal(m.panel, panel);
      assert.deepEqual(m.head, [137, 80, 78, 71, 13, 10, 26, 10], `${panel}: PNG signature`);
      assert.ok(m.w >= 400, `${panel}: PNG width ${m.w}`);
    }
  });

  more('shuffling labels: train accuracy stays high by memorising, validation falls towards chance', async () => {
    await setControls(page, { ...SHUFFLE_RUN, shuffle: false });
    await page.click('#reset');
    const t0 = (await workerEvents(frame, 'epoch')).length;
    await page.click('#start');
    // True labels first: validation accuracy well above chance.
    await waitFor(async () => {
      const e = (await workerEvents(frame, 'epoch')).slice(t0);
      return e.length >= 3 && e[e.length - 1].valAcc > 0.7;
    }, { timeout: 30000, interval: 100, what: () => pageState(page) });
    // Pause, shuffle while paused, resume: the shuffle lands at the first
    // batch after the pause.
    await page.click('#pause');
    await waitFor(async () => (await text(page, 'state')) === 'paused', { timeout: 30000, what: () => pageState(page) });
    const s0 = (await workerEvents(frame, 'epoch')).length;
    await setControls(page, { 'shuffle-fraction': '1', shuffle: true });
    // It takes effect (and is echoed) at the first batch after Start.
    await page.click('#start');
    const marker = await waitFor(async () => {
      const s = await workerEvents(frame, 'shuffle');
      return s.find((m) => m.on);
    }, { timeout: 30000, what: () => 'no shuffle event from the worker' });
    assert.equal(marker.fraction, 1, 'shuffle fraction echoed');
    // Let it memorise to the run's last epoch.
    await waitFor(async () => (await text(page, 'state')) === 'done', {
      timeout: 240000, interval: 250, what: () => pageState(page),
    });
    const shuffled = (await workerEvents(frame, 'epoch')).slice(s0);
    assert.ok(shuffled.length >= 100, `only ${shuffled.length} epochs after the shuffle`);
    const before = (await workerEvents(frame, 'epoch')).slice(t0, s0);
    const lastTrue = before[before.length - 1];
    const last = shuffled[shuffled.length - 1];
    const minTrain = Math.min(...shuffled.map((e) => e.trainAcc));
    const fmt = (e) => `train ${(100 * e.trainAcc).toFixed(0)}% val ${(100 * e.valAcc).toFixed(0)}%`;
    console.log(`# shuffle: before (epoch ${lastTrue.epoch}) ${fmt(lastTrue)}; lowest train after ${(100 * minTrain).toFixed(0)}%; ` +
      `after ${shuffled.length} epochs (epoch ${last.epoch}) ${fmt(last)}`);
    assert.ok(last.valAcc < 0.3, `validation accuracy ${last.valAcc} did not fall towards chance`);
    assert.ok(last.valAcc < lastTrue.valAcc - 0.4, 'validation accuracy did not drop');
    assert.ok(last.trainAcc > last.valAcc + 0.3, `train ${last.trainAcc} and validation ${last.valAcc} did not separate`);
    assert.ok(last.trainAcc > minTrain + 0.1, `train accuracy did not climb back (lowest ${minTrain}, last ${last.trainAcc})`);
    await sleep(600);
    await screenshot(page, 'experiments-shuffle');
    assert.deepEqual(errors, [], 'console or page errors during the experiments');
  });

  more("a reloaded canvas draws the run again from the trainer's snapshot", async () => {
    const epochs = (await workerEvents(frame, 'epoch')).length;
    await page.addInitScript(() => {
      if (location.pathname.endsWith('/ui.html')) {
        window.__snap = [];
        addEventListener('trainermessage', (e) => {
          if (e.detail && e.detail.type === 'snapshot') window.__snap.push(e.detail);
        });
      }
    });
    await frame.evaluate(() => location.reload());
    await frame.waitForSelector('#ui-canvas', { timeout: 30000 });
    const snap = await waitFor(async () => {
      const l = await frame.evaluate(() => (window.__snap || []).map((m) => ({
        hasRun: m.hasRun, state: m.state.state, epochs: m.epochs.length, steps: m.steps.length,
        shuffles: m.shuffles.map((x) => x.on), flatness: m.flatness.length,
      })));
      return l.length > 0 ? l : null;
    }, { timeout: 20000, what: () => 'no snapshot event in the reloaded canvas' });
    console.log(`# reload: ${snap.length} snapshot(s); ${JSON.stringify(snap[0])}; ${epochs} epoch events seen before`);
    assert.equal(snap.length, 1, 'one snapshot for one reload');
    assert.ok(snap[0].hasRun && snap[0].state === 'done', 'the snapshot has the finished run');
    assert.ok(snap[0].epochs >= 100 && snap[0].steps > 0 && snap[0].steps < 2000, 'bounded history');
    assert.deepEqual(snap[0].shuffles, [true], 'the shuffle marker');
    // The canvas has the curves again: its loss plot exports.
    const before = (await uiEvents(page, 'png')).length;
    await frame.evaluate(() => window.postMessage({ type: 'export', panel: 'loss' }, '*'));
    const n = await waitFor(async () => {
      const l = await page.evaluate(() => window.__ui.filter((x) => x.event === 'png').map((x) => (x.bytes ? x.bytes.length : 0)));
      return l.length > before ? l[l.length - 1] : null;
    }, { timeout: 5000, what: () => 'no png message after the reload' });
    assert.ok(n > 0, 'the reloaded canvas has no loss curve to export');
    await sleep(600);
    await screenshot(page, 'experiments-reloaded-canvas');
    assert.deepEqual(errors, [], 'console or page errors after the reload');
  });
});
}
