#!/usr/bin/env node
// measure-page.mjs measures the playground in headless Chromium at 1280x800,
// for each presenter of the canvas (?ui=canvas: 2D canvas, ?ui=ebiten:
// WebGL) at devicePixelRatio 1 and 2, each in a fresh browser profile:
//   - bytes a first visit transfers (compressed, as on the wire)
//   - time from navigation to the first training step (localhost)
//   - frames per second idle and while training (rAF callbacks in the UI iframe)
//   - training examples/s shown by the page for the report's CNN
// It also names the presenter the page picks by itself here.
//
// Usage (from the repo root, after `make build` and `make e2e-deps`):
//   node scripts/measure-page.mjs [--url http://127.0.0.1:8080/] [--seconds 5] [--json out.json]
//        [--ui canvas,ebiten] [--dpr 1,2]
// Without --url it starts bin/mnistplay on a free loopback port.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// playwright-core lives in e2e/node_modules; reuse the e2e harness.
const lib = await import(path.join(here, '..', 'e2e', 'lib.mjs'));
const { launchBrowser, startServer, sleep, text, waitFor, percent, pageState, VIEWPORT } = lib;

function arg(name, def) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}
const seconds = Number(arg('seconds', '5'));
const jsonOut = arg('json', '');
const presenters = arg('ui', 'canvas,ebiten').split(',');
const ratios = arg('dpr', '1,2').split(',').map(Number);
let url = arg('url', '');

let server = null;
if (!url) {
  server = await startServer();
  url = server.url;
}
// measure loads the page with ?ui=ui at devicePixelRatio dpr in a fresh
// browser and returns its figures.
async function measure(ui, dpr) {
const browser = await launchBrowser({ deviceScaleFactor: dpr });
const result = { ui, dpr };
try {
  const page = await browser.context.newPage();
  const requests = [];
  browser.context.on('requestfinished', async (req) => {
    const s = await req.sizes().catch(() => null);
    const res = await req.response().catch(() => null);
    requests.push({
      url: req.url(), status: res?.status(), encoding: (await res?.headerValue('content-encoding').catch(() => null)) || '',
      body: s ? s.responseBodySize : 0, headers: s ? s.responseHeadersSize : 0,
    });
  });

  // Record when #step-count first shows a step, on the page's clock.
  await page.addInitScript(() => {
    window.__firstStep = 0;
    document.addEventListener('DOMContentLoaded', () => {
      const el = document.getElementById('step-count');
      if (!el) return;
      new MutationObserver(() => {
        if (!window.__firstStep && Number(el.textContent) > 0) window.__firstStep = performance.now();
      }).observe(el, { childList: true, characterData: true, subtree: true });
    });
  });

  await page.goto(ui ? `${url}?ui=${ui}` : url, { waitUntil: 'domcontentloaded', timeout: 30000 });
  // Press Start as soon as the page accepts it (data usable), unless the
  // page starts by itself.
  let clicked = false;
  await waitFor(async () => {
    if (await page.evaluate(() => window.__firstStep > 0)) return true;
    if (!clicked && await page.$eval('#start', (b) => !b.disabled).catch(() => false)) {
      // The worker says 'ready' once the first piece of the pack is usable
      // (the page's status then starts with "Ready"); a full bar also counts.
      const ready = await page.evaluate(() => {
        const p = document.getElementById('progress');
        return /^Ready/.test(document.getElementById('status').textContent) || (p.max > 0 && p.value >= p.max);
      });
      if (ready) {
        clicked = true;
        result.startClickedMs = Math.round(await page.evaluate(() => performance.now()));
        await page.click('#start');
      }
    }
    return false;
  }, { timeout: 60000, interval: 20, what: () => pageState(page) });
  result.firstStepMs = Math.round(await page.evaluate(() => window.__firstStep));
  result.dataLoadedMs = result.startClickedMs ?? null;

  // Frames per second while training: rAF callbacks in the UI iframe.
  const frame = await (await page.$('#ui-frame')).contentFrame();
  result.presenter = await frame.evaluate(() => window.uiPresenter);
  result.canvas = await frame.evaluate(() => {
    const c = document.getElementById('ui-canvas') || document.querySelector('canvas');
    return c ? `${c.width}x${c.height}` : '';
  });
  const fps = (secs) => frame.evaluate((ms) => new Promise((resolve) => {
    let n = 0;
    const t0 = performance.now();
    const tick = (t) => {
      if (t - t0 >= ms) { resolve((n * 1000) / (t - t0)); return; }
      n++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }), secs * 1000);
  await sleep(1000);
  result.fpsTraining = Number((await fps(seconds)).toFixed(1));

  // Throughput shown by the page (the default model is the report's CNN).
  const seen = [];
  for (let i = 0; i < seconds * 2; i++) {
    const m = /(\d+)\s*ex\/s/.exec(await text(page, 'throughput'));
    if (m) seen.push(Number(m[1]));
    await sleep(500);
  }
  seen.sort((a, b) => a - b);
  result.examplesPerSec = seen.length ? seen[Math.floor(seen.length / 2)] : null;
  result.model = await page.$eval('#arch', (s) => s.value);
  result.valAcc = percent(await text(page, 'val-acc')) || null;

  await page.click('#pause');
  await sleep(1000);
  result.fpsIdle = Number((await fps(seconds)).toFixed(1));
  result.fpsRatio = Number((result.fpsTraining / result.fpsIdle).toFixed(3));

  await sleep(200);
  result.requests = requests.length;
  result.bytesTransferred = requests.reduce((s, r) => s + r.body + r.headers, 0);
  result.bytesUncompressedResponses = requests.filter((r) => !r.encoding && /\.(wasm|js|html|css)$/.test(new URL(r.url).pathname)).map((r) => r.url);
  result.largest = requests.sort((a, b) => b.body - a.body).slice(0, 6)
    .map((r) => `${new URL(r.url).pathname} ${r.body} B ${r.encoding || 'identity'}`);
  await page.close();
} finally {
  await browser.close();
}
return result;
}

// The presenter the page picks by itself in this browser.
async function defaultPresenter() {
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    await page.goto(url, { waitUntil: 'load', timeout: 30000 });
    const frame = await (await page.$('#ui-frame')).contentFrame();
    await frame.waitForFunction(() => window.uiPresenter, null, { timeout: 30000 });
    return await frame.evaluate(() => window.uiPresenter);
  } finally {
    await browser.close();
  }
}

const mb = (b) => (b / 1e6).toFixed(2) + ' MB';
const report = { url, viewport: `${VIEWPORT.width}x${VIEWPORT.height}`, chromiumFlags: lib.CHROMIUM_FLAGS.join(' '), runs: [] };
try {
  report.defaultPresenter = await defaultPresenter();
  console.log(`viewport ${report.viewport}, ${url}; the page picks ${report.defaultPresenter.name} here: ${report.defaultPresenter.reason}`);
  for (const dpr of ratios) {
    for (const ui of presenters) {
      const r = await measure(ui, dpr);
      report.runs.push(r);
      console.log(`\n?ui=${ui} at devicePixelRatio ${dpr} (canvas backing store ${r.canvas})`);
      console.log(`  first visit: ${mb(r.bytesTransferred)} in ${r.requests} requests (${r.largest.slice(0, 3).join('; ')})`);
      console.log(`  navigation -> data ready (start pressed): ${r.dataLoadedMs ?? '-'} ms; -> first training step: ${r.firstStepMs} ms`);
      console.log(`  fps idle ${r.fpsIdle}, training ${r.fpsTraining} (ratio ${r.fpsRatio})`);
      console.log(`  training ${r.model}: ${r.examplesPerSec} examples/s (median of page readings)`);
    }
  }
} finally {
  await server?.stop();
}
if (jsonOut) {
  await writeFile(jsonOut, JSON.stringify(report, null, 2) + '\n');
}
