// Browser tests of the playground page, against the real server binary and
// Debian's Chromium. Run by `make e2e` (part of `make test`), which builds
// bin/mnistplay with the wasm embedded first.

import assert from 'node:assert/strict';
import { readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  chromiumProcesses, copySite, corruptSite, openPage, pageState, percent, saveLog, screenshot,
  setControls, sleep, startServer, text, useServerAndBrowser, waitDataLoaded, waitFor,
} from './lib.mjs';

// A small MLP run that passes 90% validation accuracy in well under a
// minute of wasm training.
const MLP_RUN = {
  arch: 'mlp', hidden: '100', optimizer: 'momentum', lr: '0.05', momentum: '0.9',
  batch: '64', epochs: '200', subset: '12000', 'eval-subset': '2000', seed: '1',
};

const env = useServerAndBrowser();

// browserRSS is the resident memory of every process of the test's
// Chromium, in bytes (Linux /proc; 0 elsewhere).
async function browserRSS() {
  let total = 0;
  for (const { pid } of chromiumProcesses()) {
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const m = /VmRSS:\s+(\d+) kB/.exec(status);
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

// stepCount reads #step-count as a number.
async function stepCount(page) {
  const n = Number(await text(page, 'step-count'));
  return Number.isFinite(n) ? n : NaN;
}

describe('playground page', { timeout: 300000 }, () => {
  test('loads with no console errors and the data progress reaches 100%', async () => {
    const requests = [];
    const onRequest = (r) => requests.push(r.url());
    env.context.on('request', onRequest);
    const { page, errors, log } = await openPage(env.context, env.url);
    try {
      assert.notEqual(await page.title(), '', 'page has a title');
      await waitDataLoaded(page, 60000);
      const [value, max] = await page.$eval('#progress', (p) => [p.value, p.max]);
      assert.ok(max > 0 && value === max, `progress ${value}/${max}`);
      // Give the UI iframe and the worker time to report late errors.
      await sleep(1500);
      assert.deepEqual(errors, [], 'console or page errors while loading');
      // The pack pieces come by their content-hashed (immutable) names.
      const packs = requests.filter((u) => /\/assets\/mnist-\d/.test(u));
      assert.ok(packs.length >= 3 && packs.every((u) => /mnist-\d\.[0-9a-f]{16}\.pack$/.test(u)), `pack requests: ${packs.join(', ')}`);
      // Chromium has relaxed SIMD: the worker fetches trainer-relaxed.wasm, and
      // not trainer.wasm too.
      const trainers = requests.filter((u) => /\/trainer(-relaxed)?\.wasm$/.test(u)).map((u) => u.replace(/^.*\//, ''));
      assert.deepEqual(trainers, ['trainer-relaxed.wasm'], `trainer requests: ${trainers.join(', ')}`);
      const frame = await page.$('#ui-frame');
      assert.ok(frame, '#ui-frame is there');
      await screenshot(page, 'loaded');
    } finally {
      env.context.off('request', onRequest);
      await saveLog('loaded', log);
      await page.close();
    }
  });

  test('an idle canvas asks for no frames once the data has loaded', async () => {
    const { page, errors, log } = await openPage(env.context, env.url);
    try {
      await waitDataLoaded(page, 60000);
      const frame = page.frames().find((f) => f !== page.mainFrame());
      assert.ok(frame, 'the canvas iframe is there');
      // Idle once no frame ran between two reads half a second apart (it
      // drew at least one). A canvas that asks for every animation frame
      // never is.
      let last = -1;
      await waitFor(async () => {
        const n = await frame.evaluate(() => self.uiFrames || 0);
        const idle = n > 0 && n === last;
        last = n;
        return idle;
      }, { timeout: 30000, interval: 500, what: () => `the canvas ran ${last} frames and kept going` });
      assert.deepEqual(errors, []);
    } finally {
      await saveLog('idle-canvas', log);
      await page.close();
    }
  });

  test('a relaxed SIMD build that does not compile: the worker falls back to trainer.wasm and trains', async () => {
    const requests = [];
    const onRequest = (r) => requests.push(r.url());
    const bad = (route) => route.fulfill({ status: 200, contentType: 'application/wasm', body: 'not wasm' });
    env.context.on('request', onRequest);
    await env.context.route('**/trainer-relaxed.wasm', bad);
    const { page, errors, log } = await openPage(env.context, env.url);
    try {
      await waitDataLoaded(page, 60000);
      await setControls(page, MLP_RUN);
      await page.click('#start');
      await waitFor(async () => (await stepCount(page)) > 0, { timeout: 30000, what: () => pageState(page) });
      await page.click('#pause');
      const trainers = requests.filter((u) => /\/trainer(-relaxed)?\.wasm$/.test(u)).map((u) => u.replace(/^.*\//, ''));
      assert.deepEqual(trainers, ['trainer-relaxed.wasm', 'trainer.wasm'], `trainer requests: ${trainers.join(', ')}`);
      assert.deepEqual(errors, [], 'console or page errors with the fallback');
    } finally {
      env.context.off('request', onRequest);
      await env.context.unroute('**/trainer-relaxed.wasm', bad);
      await saveLog('relaxed-fallback', log);
      await page.close();
    }
  });

  test('MLP on a subset passes 90% validation accuracy; pause stops the steps, start resumes', async () => {
    const { page, errors, log } = await openPage(env.context, env.url);
    try {
      await waitDataLoaded(page, 60000);
      await setControls(page, MLP_RUN);
      const t0 = Date.now();
      await page.click('#start');
      await waitFor(async () => (await stepCount(page)) > 0, {
        timeout: 20000, what: () => pageState(page),
      });
      const firstStepMs = Date.now() - t0;

      // Pause: the counter stops.
      await page.click('#pause');
      await waitFor(async () => (await text(page, 'state')) === 'paused', { timeout: 30000, what: () => pageState(page) });
      const paused = await stepCount(page);
      await sleep(1000);
      assert.equal(await stepCount(page), paused, 'step counter moved while paused');
      assert.ok(paused > 0, `steps before pause: ${paused}`);

      // Resume: the same run continues from where it stopped.
      await page.click('#start');
      let lowest = Infinity;
      await waitFor(async () => {
        const n = await stepCount(page);
        lowest = Math.min(lowest, n);
        return n > paused;
      }, { timeout: 15000, what: () => pageState(page) });
      assert.ok(lowest >= paused, `after resuming the counter went back to ${lowest} (paused at ${paused})`);

      // Learning: validation accuracy above 90% within a bounded time.
      const acc = await waitFor(async () => {
        const a = percent(await text(page, 'val-acc'));
        return a > 0.9 ? a : 0;
      }, { timeout: 120000, interval: 250, what: () => pageState(page) });
      const trainMs = Date.now() - t0;
      await screenshot(page, 'training');
      console.log(`# first step after ${firstStepMs} ms; val acc ${(acc * 100).toFixed(1)}% after ${trainMs} ms; ` +
        `throughput ${await text(page, 'throughput')}`);
      assert.ok(percent(await text(page, 'train-acc')) > 0.5, 'train accuracy shown');
      assert.match(await text(page, 'throughput'), /\d+\s*ex\/s/);
      assert.deepEqual(errors, [], 'console or page errors while training');
    } catch (err) {
      await screenshot(page, 'training-failed').catch(() => {});
      throw err;
    } finally {
      await saveLog('training', log);
      await page.close();
    }
  });

  test('an impossible CNN shows an error naming the layer and the formula', async () => {
    const { page, log } = await openPage(env.context, env.url);
    try {
      await waitDataLoaded(page, 60000);
      // conv1 5x5 -> 24, pool -> 12; a 14x14 conv2 without padding cannot fit.
      await setControls(page, {
        arch: 'cnn', 'conv1-kernel': '5', 'conv1-stride': '1', 'conv1-pad': '0',
        'conv2-kernel': '14', 'conv2-stride': '1', 'conv2-pad': '0', pool: 'max',
      });
      await page.click('#reset');
      await page.click('#start');
      await waitFor(() => page.isVisible('#error'), { timeout: 15000, what: () => pageState(page) });
      const msg = await text(page, 'error');
      console.log(`# impossible CNN: ${msg}`);
      assert.match(msg, /conv2/i, 'the error names the layer');
      assert.match(msg, /floor|⌊/i, 'the error shows the output-size formula');
      await sleep(500);
      assert.equal(await stepCount(page), 0, 'an impossible model must not train');
      await screenshot(page, 'impossible-cnn');
    } finally {
      await saveLog('impossible-cnn', log);
      await page.close();
    }
  });

  test('a corrupted data pack shows the corrupt-data message', async () => {
    const dir = await corruptSite();
    const bad = await startServer({ dir });
    const { page, log } = await openPage(env.context, bad.url);
    try {
      await waitFor(() => page.isVisible('#error'), { timeout: 60000, what: () => pageState(page) });
      const msg = await text(page, 'error');
      console.log(`# corrupt pack: ${msg}`);
      assert.match(msg, /corrupt/i, `error text: ${msg}`);
      await screenshot(page, 'corrupt-pack');
    } finally {
      await saveLog('corrupt-pack', log);
      await page.close();
      await bad.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
  test('a missing pack piece stops full runs with a message; Retry loads it once it is back', async () => {
    const dir = await copySite();
    const piece = path.join(dir, 'assets', 'mnist-1.pack');
    const aside = piece + '.away';
    await rename(piece, aside);
    const site = await startServer({ dir });
    const { page, log } = await openPage(env.context, site.url);
    try {
      await waitFor(() => page.isVisible('#retry-data'), { timeout: 60000, what: () => pageState(page) });
      const msg = await text(page, 'error');
      console.log(`# missing piece: ${msg}`);
      assert.match(msg, /part 2 of 3/, `the message says which part is missing: ${msg}`);
      assert.doesNotMatch(await text(page, 'status'), /all [\d,]+ training images/, 'status claims all the images');
      // A run on all the images is refused, with the count that did arrive.
      await setControls(page, { ...MLP_RUN, subset: '0' });
      await page.click('#reset');
      await page.click('#start');
      await waitFor(async () => /only [\d,]+ training images arrived/.test(await text(page, 'error')), {
        timeout: 15000, what: () => pageState(page),
      });
      assert.equal(await stepCount(page), 0, 'a run on all the images trained without them');
      await screenshot(page, 'missing-piece');
      // The file is back: Retry completes the data and the run trains.
      await rename(aside, piece);
      await page.click('#retry-data');
      await waitFor(async () => /all 60,000 training images/.test(await text(page, 'status')), {
        timeout: 60000, what: () => pageState(page),
      });
      assert.ok(!(await page.isVisible('#retry-data')), 'Retry still shown after the data came');
      await page.click('#start');
      await waitFor(async () => (await stepCount(page)) > 0, { timeout: 30000, what: () => pageState(page) });
    } finally {
      await saveLog('missing-piece', log);
      await page.close();
      await site.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a link to a model far over the memory budget: a clear message, the page stays responsive and small', async () => {
    // The link as the page itself writes it, for conv1 64x64 with padding 63.
    const maker = await openPage(env.context, env.url);
    let link;
    try {
      await setControls(maker.page, { arch: 'cnn', 'conv1-kernel': '64', 'conv1-stride': '1', 'conv1-pad': '63' });
      link = await waitFor(async () => {
        const u = new URL(maker.page.url());
        const c = u.searchParams.get('c');
        // The link follows the fields 150 ms after each: wait for the last one.
        const conv1 = c && JSON.parse(Buffer.from(c, 'base64url').toString()).model.conv1;
        return conv1 && conv1.kernel === 64 && conv1.pad === 63 ? u.href : null;
      }, { timeout: 10000, what: () => maker.page.url() });
    } finally {
      await maker.page.close();
    }
    const rss0 = await browserRSS();
    const { page, errors, log } = await openPage(env.context, link);
    try {
      await waitDataLoaded(page, 60000);
      // The settings are refused as soon as they are read, naming the layer and the memory.
      const msg = await waitFor(async () => {
        const m = await text(page, 'error');
        return /conv\d.*GB/.test(m) ? m : null;
      }, { timeout: 20000, what: () => pageState(page) });
      console.log(`# kernel-64 link: ${msg}`);
      // Sample (classified by the worker) and Start: the page's thread never
      // freezes. A freeze is what a model built on that thread, or a canvas
      // drawing a huge model, would cause: seconds. The canvas's own frames
      // (a sample drawn, text rasterized) take tens of ms here and over
      // 100 ms with another process loading the CPU, and machines differ
      // several-fold, so the bound is a freeze, not a frame budget.
      const lags = [];
      for (const id of ['sample', 'start', 'sample']) {
        await page.click('#' + id);
        for (let i = 0; i < 10; i++) {
          lags.push(await page.evaluate(() => new Promise((r) => {
            const t = performance.now();
            setTimeout(() => r(performance.now() - t), 0);
          })));
          await sleep(50);
        }
      }
      const worst = Math.max(...lags);
      assert.ok(worst < 1000, `the page's thread was blocked ${worst.toFixed(0)} ms`);
      assert.match(await text(page, 'error'), /GB/, 'Start replaced the budget message');
      assert.equal(await stepCount(page), 0, 'a model over the budget trained');
      assert.ok(!errors.some((e) => /panic|runtime error|goroutine/.test(e)), `Go panic text: ${errors.join('; ')}`);
      assert.doesNotMatch(await text(page, 'error'), /panic|runtime error|goroutine/);
      const grew = (await browserRSS()) - rss0;
      console.log(`# kernel-64 link: worst main-thread lag ${worst.toFixed(0)} ms; browser memory grew ${(grew / 1e6).toFixed(0)} MB`);
      assert.ok(grew < 1.5e9, `the browser grew by ${(grew / 1e9).toFixed(2)} GB`);
      await screenshot(page, 'kernel-64-link');
    } finally {
      await saveLog('kernel-64-link', log);
      await page.close();
    }
  });

  test('?ui=ebiten runs the canvas with ebiten and draws while training', async () => {
    const { page, errors, log } = await openPage(env.context, `${env.url}?ui=ebiten`);
    try {
      await waitDataLoaded(page, 60000);
      let frame;
      await waitFor(async () => {
        frame = page.frames().find((f) => f.url().includes('ui.html?ui=ebiten'));
        return frame && (await frame.$('canvas')) !== null;
      }, { timeout: 30000, what: () => 'an ebiten canvas in the iframe' });
      const wasmLoaded = await frame.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
      assert.ok(wasmLoaded.some((n) => n.endsWith('/ui-ebiten.wasm')), `ui-ebiten.wasm loaded: ${wasmLoaded.join(', ')}`);
      assert.ok(!wasmLoaded.some((n) => n.endsWith('/ui.wasm')), 'the 2D canvas program was not loaded too');
      await setControls(page, MLP_RUN);
      await page.click('#reset');
      await page.click('#start');
      await waitFor(async () => (await stepCount(page)) > 100, { timeout: 60000, what: () => 'training steps' });
      await sleep(1500);
      // A blank 960x540 canvas compresses to a few KB; curves, filters and text do not.
      const shot = await (await page.$('#ui-frame')).screenshot();
      assert.ok(shot.length > 15000, `the ebiten canvas looks blank (${shot.length} bytes of PNG)`);
      assert.deepEqual(errors, [], 'console or page errors with the ebiten canvas');
      await screenshot(page, 'ebiten');
      await page.click('#pause');
    } finally {
      await saveLog('ebiten', log);
      await page.close();
    }
  });
});
