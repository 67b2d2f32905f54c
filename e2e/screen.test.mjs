// Browser tests of the canvas at other screens: a HiDPI laptop (the canvas'
// backing store follows devicePixelRatio) and a phone (one column, a pad
// big enough for a finger, touch input), on each presenter.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  launchBrowser, openPage, pageState, saveLog, screenshot, setControls, sleep, startServer,
  waitDataLoaded, waitFor,
} from './lib.mjs';

// A tiny MLP: a few hundred steps give the canvas weights to classify with.
const QUICK_RUN = {
  arch: 'mlp', hidden: '32', optimizer: 'adam', lr: '0.002', batch: '64', epochs: '2',
  subset: '2000', 'eval-subset': '500', seed: '1',
};

const PRESENTERS = ['canvas', 'ebiten'];

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

// canvasFrame waits for the iframe's canvas and its layout attributes.
async function canvasFrame(page) {
  const frame = await (await page.$('#ui-frame')).contentFrame();
  await frame.waitForSelector('#ui-canvas[data-pad]', { timeout: 30000 });
  return frame;
}

// presenter checks that the iframe runs the presenter ui (the program it
// loaded and what ui.js says).
async function assertPresenter(frame, ui) {
  const loaded = await frame.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
  const want = ui === 'ebiten' ? '/ui-ebiten.wasm' : '/ui.wasm';
  assert.ok(loaded.some((n) => n.endsWith(want)), `${want} loaded: ${loaded.join(', ')}`);
  assert.equal(await frame.evaluate(() => window.uiPresenter.name), ui);
}

// backingStore is the canvas' size in device pixels and in CSS pixels.
const backingStore = (frame) => frame.evaluate(() => {
  const c = document.getElementById('ui-canvas');
  const r = c.getBoundingClientRect();
  return { w: c.width, h: c.height, cssW: r.width, cssH: r.height, dpr: devicePixelRatio };
});

for (const ui of PRESENTERS) {
  describe(`canvas on other screens (?ui=${ui})`, { timeout: 300000 }, () => {
    test('at deviceScaleFactor 2 the backing store is twice the CSS size', async () => {
      const b = await launchBrowser({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 2 });
      const { page, errors, log } = await openPage(b.context, `${server.url}?ui=${ui}`);
      try {
        const frame = await canvasFrame(page);
        await assertPresenter(frame, ui);
        await waitFor(async () => {
          const s = await backingStore(frame);
          return s.w >= 2 * s.cssW - 1 && s.h >= 2 * s.cssH - 1;
        }, { timeout: 10000, what: async () => JSON.stringify(await backingStore(frame)) });
        const s = await backingStore(frame);
        assert.ok(s.cssW > 900, `the canvas takes its column's width: ${s.cssW} CSS px`);
        await screenshot(page, `dpr2-${ui}`);
        // The ratio changes (zoom, another screen): the backing store follows.
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 800, deviceScaleFactor: 3, mobile: false });
        await waitFor(async () => {
          const t = await backingStore(frame);
          return t.dpr === 3 && t.w >= 3 * t.cssW - 1 && t.h >= 3 * t.cssH - 1;
        }, { timeout: 10000, what: async () => 'after a change to ratio 3: ' + JSON.stringify(await backingStore(frame)) });
        assert.deepEqual(errors, []);
      } finally {
        await saveLog(`dpr2-${ui}`, log);
        await page.close();
        await b.close();
      }
    });

    test('on a 390x844 phone (DPR 3) the pad is >= 240 CSS px and a finger draws a digit that gets classified', async () => {
      const b = await launchBrowser({
        viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, hasTouch: true, isMobile: true,
      });
      const { page, errors, log } = await openPage(b.context, `${server.url}?ui=${ui}`);
      try {
        await page.evaluate(() => {
          window.__ui = [];
          addEventListener('message', (e) => { if (e.data && e.data.type === 'ui') window.__ui.push(e.data); });
        });
        const frame = await canvasFrame(page);
        await assertPresenter(frame, ui);
        await waitDataLoaded(page, 60000);
        const s = await backingStore(frame);
        assert.ok(s.w >= 3 * s.cssW - 1, `backing store ${s.w} for ${s.cssW} CSS px at DPR 3`);
        const c = await frame.$('#ui-canvas');
        const box = await c.boundingBox();
        const [px, py, size] = (await c.getAttribute('data-pad')).split(' ').map(Number);
        assert.ok(size >= 240, `pad ${size} CSS px wide`);
        assert.ok(px + size <= box.width, 'the pad fits in the canvas');

        await setControls(page, QUICK_RUN);
        await page.click('#reset');
        await page.click('#start');
        await waitFor(async () => (await page.$eval('#state', (e) => e.textContent.trim())) === 'done', {
          timeout: 120000, what: () => pageState(page),
        });
        // A "1" drawn with a finger: touch events through the DevTools
        // protocol, in page coordinates.
        await page.$eval('#ui-frame', (f) => f.scrollIntoView({ block: 'start' }));
        await sleep(300);
        const box2 = await c.boundingBox();
        const at = (u, v) => ({ x: box2.x + px + u * size, y: box2.y + py + v * size });
        const cdp = await page.context().newCDPSession(page);
        const n0 = await page.evaluate(() => window.__ui.filter((m) => m.event === 'prediction').length);
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at(0.5, 0.15)] });
        for (let i = 1; i <= 20; i++) {
          await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [at(0.5 - 0.02 * i / 20, 0.15 + 0.7 * i / 20)] });
          await sleep(16);
        }
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
        const pred = await waitFor(async () => {
          const p = await page.evaluate(() => window.__ui.filter((m) => m.event === 'prediction'));
          return p.length > n0 ? p[p.length - 1] : null;
        }, { timeout: 15000, what: () => 'no prediction for the finger stroke' });
        assert.ok(pred.digit >= 0 && pred.digit <= 9, `prediction ${JSON.stringify(pred)}`);
        console.log(`# phone (${ui}): a finger "1" was classified as ${pred.digit}`);
        await screenshot(page, `phone-${ui}`);
        assert.deepEqual(errors, []);
      } finally {
        await saveLog(`phone-${ui}`, log);
        await page.close();
        await b.close();
      }
    });
  });
}

// Headless Chromium here renders WebGL with SwiftShader: without ?ui= the
// page picks the 2D canvas and says why.
test('the default presenter follows the WebGL renderer and the page says which runs', async () => {
  const b = await launchBrowser();
  const { page, errors, log } = await openPage(b.context, server.url);
  try {
    const frame = await canvasFrame(page);
    const p = await frame.evaluate(() => window.uiPresenter);
    const soft = /swiftshader|llvmpipe|softpipe|software|basic render/i.test(p.renderer) || !p.renderer;
    assert.equal(p.name, soft ? 'canvas' : 'ebiten', `renderer "${p.renderer}": ${p.reason}`);
    await assertPresenter(frame, p.name);
    await waitFor(async () => /Canvas drawn with/.test(await page.$eval('#presenter', (e) => e.textContent)), {
      timeout: 5000, what: () => 'no presenter note on the page',
    });
    const note = await page.$eval('#presenter', (e) => e.textContent);
    assert.ok(note.includes(p.reason), `note "${note}" gives the reason "${p.reason}"`);
    console.log(`# default presenter: ${note}`);
    assert.deepEqual(errors, []);
  } finally {
    await saveLog('presenter-default', log);
    await page.close();
    await b.close();
  }
});
