// Browser tests of the Landscape panel (issue 15): the report's CNN, trained
// in the page, gets its 25x25 loss landscape on 1,000 validation images
// point by point and then its sharpness; a landscape can be cancelled; and
// while one computes, training goes on and the drawing pad is answered.
// Nothing here waits for something to be still running: the long job is a
// 64x64 grid, which cannot end before the events the tests wait for, and
// every check is on the order of events.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  openPage, pageState, percent, saveLog, screenshot,
  REPORT_CNN_SUBSET_RUN, setControls, text, useServerAndBrowser, waitDataLoaded, waitFor,
} from './lib.mjs';

const env = useServerAndBrowser({ url: process.env.E2E_URL });

const TYPES = ['landscapeGrid', 'landscapePoint', 'sharpness', 'landscapeDone', 'steps', 'eval', 'state'];

// record keeps, in order, the worker events that reach the canvas on its
// channel to the trainer (ui.js re-dispatches them as 'trainermessage'),
// with their arrival number, and the canvas' own messages.
async function record(page) {
  await page.evaluate(() => {
    window.__ui = [];
    addEventListener('message', (e) => {
      if (e.data && e.data.type === 'ui') window.__ui.push(e.data);
    });
  });
  const frame = await (await page.$('#ui-frame')).contentFrame();
  await frame.waitForSelector('#ui-canvas', { timeout: 30000 });
  await frame.evaluate((types) => {
    window.__ev = [];
    let seq = 0;
    addEventListener('trainermessage', (e) => {
      const d = e.detail;
      if (d && types.includes(d.type)) window.__ev.push(Object.assign({ seq: seq++, at: performance.now() }, d));
    });
  }, TYPES);
  return frame;
}

const events = (frame, type, from = 0) => frame.evaluate(([t, f]) => window.__ev.filter((m) => m.type === t && m.seq >= f), [type, from]);
const lastSeq = (frame) => frame.evaluate(() => (window.__ev.length ? window.__ev[window.__ev.length - 1].seq + 1 : 0));
const predictions = (page) => page.evaluate(() => window.__ui.filter((m) => m.event === 'prediction').length);

describe('landscape panel', { timeout: 900000 }, () => {
  let page;
  let frame;
  let errors;
  let log;

  before(async () => {
    ({ page, errors, log } = await openPage(env.context, env.url));
    frame = await record(page);
    await waitDataLoaded(page, 60000);
    await setControls(page, REPORT_CNN_SUBSET_RUN);
    await page.click('#reset');
    await page.click('#start');
    // Trained past 90% (several quick evaluations: weight snapshots for the
    // PCA plane), then paused so the landscape is of fixed weights.
    await waitFor(async () => percent(await text(page, 'val-acc')) > 0.9, { timeout: 240000, interval: 250, what: () => pageState(page) });
    await page.click('#pause');
    await waitFor(async () => (await text(page, 'state')) === 'paused', { timeout: 30000, what: () => pageState(page) });
  });

  after(async () => {
    await saveLog('landscape', log ?? []);
    await page?.close();
  });

  test('25x25 landscape of the trained CNN fills progressively, then its sharpness appears', async () => {
    const from = await lastSeq(frame);
    await setControls(page, { 'landscape-grid': '25' });
    await page.click('#landscape');
    const done = await waitFor(async () => (await events(frame, 'landscapeDone', from))[0], {
      timeout: 600000, interval: 500, what: async () => `${(await events(frame, 'landscapePoint', from)).length} points; ${await text(page, 'landscape-note')}`,
    });
    const grid = (await events(frame, 'landscapeGrid', from))[0];
    const pts = await events(frame, 'landscapePoint', from);
    assert.equal(grid.count, 625);
    assert.equal(grid.n, 1000, 'on 1,000 validation images');
    assert.equal(grid.plane, 'pca', `the trained run's plane: ${grid.note}`);
    assert.ok(grid.explained[0] >= grid.explained[1] && grid.explained[0] > 0, `explained ${grid.explained}`);
    assert.ok(grid.path.length >= 3, `${grid.path.length} path points`);
    assert.equal(done.cancelled, false);
    assert.equal(pts.length, 625);
    pts.forEach((p, k) => assert.equal(p.index, k, 'points in order'));
    // Progressive: the points came as separate messages over time, the
    // first long before the last.
    assert.ok(pts[0].seq > grid.seq && pts[0].at < pts[624].at, 'points arrive one by one');
    const arrivals = new Set(pts.map((p) => Math.round(p.at / 50))).size;
    assert.ok(arrivals > 1, `points arrived in ${arrivals} distinct 50 ms windows`);
    const best = pts.reduce((a, p) => (p.loss < a.loss ? p : a));
    console.log(`# landscape 25x25 of the CNN on 1000 validation images: ${done.seconds.toFixed(1)} s of worker computing ` +
      `(grid ${pts[624].seconds.toFixed(1)} s), ${done.wall.toFixed(1)} s wall; explained ${grid.explained.map((e) => (100 * e).toFixed(1) + '%').join(' + ')}; ` +
      `min loss ${best.loss.toFixed(3)} at (${grid.xs[best.j].toFixed(2)}, ${grid.ys[best.i].toFixed(2)}); NaN points ${done.nan}`);
    // Sharpness: Lanczos steps, the last with the trace; shown in the page.
    const sharp = await events(frame, 'sharpness', from);
    assert.ok(sharp.length >= 2, `${sharp.length} sharpness events`);
    const last = sharp[sharp.length - 1];
    assert.ok(last.done && last.values[0] > 0 && Number.isFinite(last.trace), `sharpness ${JSON.stringify(last)}`);
    assert.ok(last.seq < done.seq);
    console.log(`# sharpness of the CNN (${last.n} training images): top eigenvalues ${last.values.map((v) => v.toPrecision(3)).join(', ')}; trace ${last.trace.toPrecision(3)} ± ${last.traceErr.toPrecision(2)}`);
    assert.match(await text(page, 'landscape-note'), /Sharpness: top Hessian eigenvalue/);
    assert.match(await page.$eval('#runs-list', (e) => e.textContent), /sharpness \d/);
    assert.equal(await text(page, 'landscape'), 'Landscape', 'the button is back to start');
    await screenshot(page, 'landscape-cnn');
    assert.deepEqual(errors, []);
  });

  test('while a landscape computes, training goes on and the pad is answered', async () => {
    const from = await lastSeq(frame);
    await page.click('#start');
    await setControls(page, { 'landscape-grid': '64' }); // 4,096 points: it cannot end during this test
    await page.click('#landscape');
    await waitFor(async () => (await events(frame, 'landscapePoint', from)).length >= 2, { timeout: 120000, interval: 250, what: () => pageState(page) });
    assert.equal(await text(page, 'landscape'), 'Cancel landscape');
    // The pad: a sample goes to the canvas, which asks the worker to classify it.
    const p0 = await predictions(page);
    const mark = await lastSeq(frame);
    await page.click('#sample');
    await waitFor(async () => (await predictions(page)) > p0, { timeout: 60000, what: () => 'no prediction for the sample' });
    // Training: a step arrives, and a landscape point after it.
    await waitFor(async () => {
      const steps = await events(frame, 'steps', mark);
      return steps.length > 0 && (await events(frame, 'landscapePoint', steps[0].seq)).length > 0;
    }, { timeout: 60000, what: () => pageState(page) });
    assert.equal((await events(frame, 'landscapeDone', from)).length, 0, 'the landscape was still computing');
    assert.deepEqual(errors, []);
  });

  test('cancel stops the landscape: a cancelled state, and no point after it', async () => {
    const from = await lastSeq(frame);
    await page.click('#landscape'); // "Cancel landscape"
    const done = await waitFor(async () => (await events(frame, 'landscapeDone', from))[0], { timeout: 60000, what: () => pageState(page) });
    assert.equal(done.cancelled, true);
    assert.ok(done.points >= 2 && done.points < 4096, `${done.points} points before the cancel`);
    await waitFor(async () => (await text(page, 'landscape')) === 'Landscape', { timeout: 10000 });
    assert.match(await text(page, 'landscape-note'), /cancelled/);
    // A later request answered by the worker: anything the job would still
    // send would have come before it.
    const p0 = await predictions(page);
    await page.click('#sample');
    await waitFor(async () => (await predictions(page)) > p0, { timeout: 60000, what: () => 'no prediction for the sample' });
    await page.click('#pause');
    await waitFor(async () => (await text(page, 'state')) === 'paused', { timeout: 30000, what: () => pageState(page) });
    const late = (await events(frame, 'landscapePoint', from)).filter((p) => p.seq > done.seq);
    assert.equal(late.length, 0, `${late.length} points after the cancel`);
    await screenshot(page, 'landscape-cancelled');
    assert.deepEqual(errors, []);
  });
});
