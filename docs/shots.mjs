#!/usr/bin/env node
// shots.mjs re-creates the screenshots of README.md's "Using the playground" (docs/img/*.png)
// by doing each experiment on the page in headless Chromium at 1280x800.
//
// Usage, from the repo root after `make build` and `make e2e-deps`:
//   node docs/shots.mjs [--url http://127.0.0.1:8080/] [--only name,name]
// Without --url it starts bin/mnistplay on a free loopback port. Each
// section is independent: one that fails is reported and the others go on.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const lib = await import(path.join(here, '..', 'e2e', 'lib.mjs'));
const { launchBrowser, openPage, startServer, setControls, sleep, text, percent, waitFor, waitDataLoaded, pageState } = lib;

function arg(name, def) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}
const only = arg('only', '').split(',').filter(Boolean);
const IMG = path.join(here, 'img');
await mkdir(IMG, { recursive: true });

let url = arg('url', '');
let server = null;
if (!url) {
  server = await startServer();
  url = server.url;
}
const browser = await launchBrowser();
const { page, errors } = await openPage(browser.context, url);
const frame = await (await page.$('#ui-frame')).contentFrame();
await frame.waitForSelector('#ui-canvas', { timeout: 30000 });
await frame.evaluate(() => {
  window.__ev = [];
  addEventListener('trainermessage', (e) => { // the canvas' stream from the trainer (ui.js)
    const d = e.detail;
    if (d && ['epoch', 'shuffle', 'flatness', 'state'].includes(d.type)) window.__ev.push(d);
  });
});
const events = (type) => frame.evaluate((t) => window.__ev.filter((m) => m.type === t), type);
await waitDataLoaded(page, 60000);

// layout reads where the canvas program put its panels, pad and clear
// button (data-* attributes of the canvas, CSS pixels).
async function layout() {
  const c = await frame.$('#ui-canvas');
  const nums = async (a) => (await c.getAttribute(a)).split(' ').map(Number);
  const panels = {};
  for (const p of (await c.getAttribute('data-panels')).split(',')) {
    const [name, ...r] = p.split(' ');
    panels[name] = r.map(Number);
  }
  const [x, y, size] = await nums('data-pad');
  return { panels, pad: { x, y, size }, clear: await nums('data-clear') };
}

// canvasBox scrolls the page to the top (the canvas is there) and returns
// the canvas' box in viewport coordinates.
async function canvasBox() {
  await page.evaluate(() => window.scrollTo(0, 0));
  await sleep(100);
  return (await frame.$('#ui-canvas')).boundingBox();
}

// exportPNG asks the canvas for a panel's PNG (what the page's "Plot as
// PNG" buttons do) and writes it into docs/img.
async function exportPNG(name, panel) {
  await page.evaluate(() => { window.__png = null; addEventListener('message', (e) => { if (e.data && e.data.event === 'png') window.__png = e.data; }); });
  await frame.evaluate((p) => window.postMessage({ type: 'export', panel: p }, '*'), panel);
  const bytes = await waitFor(() => page.evaluate(() => window.__png && Array.from(window.__png.bytes)), { timeout: 10000 });
  const file = path.join(IMG, name + '.png');
  await writeFile(file, Buffer.from(bytes));
  console.log('wrote', path.relative(process.cwd(), file));
}

// shot saves a PNG of an element (selector on the page) or of view panels
// (a list of names, their union) into docs/img.
async function shot(name, what) {
  const file = path.join(IMG, name + '.png');
  if (Array.isArray(what)) {
    const b = await canvasBox();
    const s = 1;
    const { panels } = await layout();
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const p of what) {
      const [x, y, w, h] = panels[p];
      x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x + w); y1 = Math.max(y1, y + h);
    }
    await page.screenshot({ path: file, clip: { x: b.x + x0 * s, y: b.y + y0 * s, width: (x1 - x0) * s, height: (y1 - y0) * s } });
  } else {
    const el = await page.$(what);
    await el.scrollIntoViewIfNeeded();
    await el.screenshot({ path: file });
  }
  console.log('wrote', path.relative(process.cwd(), file));
}

async function runIds() {
  return page.$$eval('#runs-list li.run', (ls) => ls.map((l) => l.dataset.id));
}

// train resets to cfg, starts, and waits until the run is done (or until
// until() says so, then pauses). It returns the new run's id (or null).
async function train(cfg, name, { until, timeout = 120000 } = {}) {
  const before = new Set(await runIds());
  await setControls(page, cfg);
  await page.click('#reset');
  await sleep(200);
  await page.click('#start');
  await waitFor(async () => {
    const st = await text(page, 'state');
    if (until && st === 'running' && await until()) {
      await page.click('#pause');
      return true;
    }
    return st === 'done' || st === 'diverged';
  }, { timeout, interval: 200, what: () => pageState(page) });
  await waitFor(async () => (await text(page, 'state')) !== 'running', { timeout: 5000 });
  await sleep(800); // the run record and last snapshot settle
  const id = (await runIds()).find((i) => !before.has(i)) || null;
  if (id && name) {
    const input = await page.$(`#runs-list li[data-id="${id}"] .run-name`);
    if (input) {
      await input.fill(name);
      await input.press('Enter');
      await input.evaluate((e) => e.blur());
    }
  }
  return id;
}

async function overlay(ids) {
  for (const cb of await page.$$('#runs-list li.run .run-overlay')) {
    const id = await cb.evaluate((e) => e.closest('li').dataset.id);
    const want = ids.includes(id);
    if ((await cb.isChecked()) !== want) {
      await cb.click();
    }
  }
  await sleep(1500); // the page sends overlays at most once a second
}

async function flatness() {
  const n0 = (await events('flatness')).length;
  await page.click('#flatness');
  await waitFor(async () => {
    const f = (await events('flatness')).slice(n0);
    return f.length > 0 && f.length === f[0].count;
  }, { timeout: 90000, interval: 250 });
  await sleep(1200);
}

async function drawDigit3() {
  const b = await canvasBox();
  const { pad, clear } = await layout();
  const at = (u, v) => [b.x + pad.x + u * pad.size, b.y + pad.y + v * pad.size];
  await page.mouse.click(b.x + clear[0], b.y + clear[1]);
  const pts = [];
  for (let i = 0; i <= 20; i++) { const t = (-160 + 250 * i / 20) * Math.PI / 180; pts.push([0.48 + 0.2 * Math.cos(t), 0.32 + 0.17 * Math.sin(t)]); }
  for (let i = 0; i <= 20; i++) { const t = (-90 + 245 * i / 20) * Math.PI / 180; pts.push([0.48 + 0.22 * Math.cos(t), 0.67 + 0.18 * Math.sin(t)]); }
  await page.mouse.move(...at(...pts[0]));
  await page.mouse.down();
  for (const p of pts.slice(1)) { await page.mouse.move(...at(...p), { steps: 3 }); await sleep(10); }
  await page.mouse.up();
  await sleep(600);
}

const MLP = { arch: 'mlp', hidden: '100', schedule: 'constant', l2: '0', batch: '64', epochs: '4', subset: '4000',
  'eval-subset': '1000', patience: '0', seed: '1', shuffle: false };
const CNN = { arch: 'cnn', hidden: '100', 'conv1-kernel': '5', 'conv1-stride': '1', 'conv1-pad': '0',
  'conv2-kernel': '5', 'conv2-stride': '1', 'conv2-pad': '0', pool: 'max', optimizer: 'momentum', lr: '0.05',
  momentum: '0.9', schedule: 'constant', l2: '0', batch: '64', epochs: '1', subset: '8000', 'eval-subset': '1000',
  patience: '0', seed: '3', shuffle: false };
const ids = {};

const sections = {
  async cnn() {
    ids.cnn = await train(CNN, 'CNN true labels', { until: async () => percent(await text(page, 'val-acc')) > 0.93 });
    await flatness(); // along theta0 -> the CNN's current weights
    await drawDigit3();
    await shot('canvas-cnn', ['loss', 'accuracy', 'pad', 'filters', 'flatness']);
    await shot('cnn-arch', '#arch-table');
  },
  async shuffle() {
    const cfg = { arch: 'mlp', hidden: '256', optimizer: 'adam', lr: '0.002', momentum: '0.9', schedule: 'constant', l2: '0',
      batch: '50', epochs: '40', subset: '500', 'eval-subset': '1000', patience: '0', seed: '5', shuffle: false };
    const e0 = (await events('epoch')).length;
    let switched = false;
    ids.shuffled = await train(cfg, 'MLP shuffled at epoch 5', {
      until: async () => {
        const n = (await events('epoch')).length - e0;
        if (!switched && n >= 5) {
          switched = true;
          await setControls(page, { 'shuffle-fraction': '1', shuffle: true });
        }
        return n >= 30;
      },
    });
    await shot('shuffle', ['loss', 'accuracy']);
    await flatness();
    await setControls(page, { shuffle: false });
  },
  async flatness() {
    // A fresh run has no flatness curve of its own: only the overlays show.
    await setControls(page, { ...CNN, shuffle: false });
    await page.click('#reset');
    await overlay([ids.cnn, ids.shuffled].filter(Boolean));
    await exportPNG('flatness', 'flatness');
    await overlay([]);
  },
  async optimizers() {
    const list = [];
    for (const [opt, lr] of [['sgd', '0.05'], ['momentum', '0.05'], ['nesterov', '0.05'], ['adam', '0.001']]) {
      list.push(await train({ ...MLP, optimizer: opt, lr, momentum: '0.9' }, `${opt} lr ${lr}`));
    }
    await overlay(list.filter(Boolean));
    await shot('optimizers', ['loss', 'accuracy']);
    await overlay([]);
  },
  async l2() {
    const list = [];
    for (const l2 of ['1', '0.1', '0.01']) {
      list.push(await train({ ...MLP, optimizer: 'momentum', lr: '0.05', momentum: '0.9', l2 }, `L2 ${l2}`));
    }
    await overlay(list.filter(Boolean));
    await shot('l2', ['loss', 'accuracy']);
    await overlay([]);
  },
  async sweep() {
    await setControls(page, { 'sweep-batches': '100, 500, 3000, 5000', 'sweep-lrs': '1e-3, 1e-4, 1e-5',
      'sweep-epochs': '2', 'sweep-subset': '3000', 'sweep-hidden': '100' });
    await page.click('#sweep-start');
    await waitFor(async () => !(await page.$eval('#sweep-cancel', (b) => b.disabled)), { timeout: 10000 });
    await waitFor(async () => page.$eval('#sweep-cancel', (b) => b.disabled), { timeout: 300000, interval: 500 });
    await sleep(500);
    await shot('sweep', '#sweep-panel');
  },
  async shapes() {
    // The report's Task 3.2: both convolutions 3x3 stride 3 padding 1, then
    // both 14x14 stride 1 padding 3; without the padding conv2 cannot fit.
    const both = (k, st, p) => ({ 'conv1-kernel': k, 'conv1-stride': st, 'conv1-pad': p,
      'conv2-kernel': k, 'conv2-stride': st, 'conv2-pad': p });
    await setControls(page, { arch: 'cnn', ...both('3', '3', '1') });
    await sleep(300);
    await shot('conv-3x3', '#cnn-only');
    await setControls(page, both('14', '1', '3'));
    await sleep(300);
    await shot('conv-14x14', '#cnn-only');
    await setControls(page, both('14', '1', '0'));
    await sleep(300);
    await page.click('#reset');
    await page.click('#start');
    await waitFor(() => page.isVisible('#error'), { timeout: 10000 });
    await shot('conv-error', '#cnn-only');
    await shot('conv-error-message', '.statusbar');
    await setControls(page, CNN);
    await page.click('#reset');
  },
  async early() {
    // Q1.2 and Q1.4: a 1/t schedule, and early stopping with patience 3 on
    // a small subset that overfits; the run stops by itself.
    await train({ ...MLP, hidden: '256', optimizer: 'adam', lr: '0.003', schedule: 'invt', epochs: '40',
      subset: '1000', patience: '3' }, 'early stopping, 1/t');
    await shot('early-stopping', '.numbers');
    await shot('early-stopping-status', '.statusbar');
  },
  async controls() {
    await page.setViewportSize({ width: 1280, height: 1700 });
    await sleep(300);
    await shot('controls', '#controls');
    await page.setViewportSize(lib.VIEWPORT);
  },
};

const failed = [];
for (const [name, fn] of Object.entries(sections)) {
  if (only.length && !only.includes(name)) continue;
  const t0 = Date.now();
  try {
    await fn();
    console.log(`${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } catch (err) {
    failed.push(name);
    console.error(`${name} failed: ${err.message}`);
  }
}
if (errors.length) console.error('page errors:\n' + errors.join('\n'));
await page.close();
await browser.close();
await server?.stop();
process.exitCode = failed.length ? 1 : 0;
