#!/usr/bin/env node
// screens.mjs takes the README's pictures of the page on three screens
// (docs/img/screen-*.png): a phone (390x844, devicePixelRatio 3, touch), a
// HiDPI laptop (1280x800, ratio 2) and a desktop (1920x1080, ratio 1), each
// after a short run of the report's CNN with a "3" drawn on the pad (with a
// finger on the phone), in the presenter the page picks by itself.
//
// Usage, from the repo root after `make build` and `make e2e-deps`:
//   node docs/screens.mjs [--url http://127.0.0.1:8080/]

import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const lib = await import(path.join(here, '..', 'e2e', 'lib.mjs'));
const { launchBrowser, openPage, startServer, sleep, text, percent, waitFor, waitDataLoaded, pageState } = lib;

function arg(name, def) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}
let url = arg('url', '');
let server = null;
if (!url) {
  server = await startServer();
  url = server.url;
}

const SCREENS = [
  { name: 'screen-390x844-dpr3', viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, hasTouch: true, isMobile: true },
  { name: 'screen-1280x800-dpr2', viewport: { width: 1280, height: 800 }, deviceScaleFactor: 2 },
  { name: 'screen-1920x1080', viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1 },
];

// The strokes of a "3" in pad units (0..1).
function three() {
  const pts = [];
  for (let i = 0; i <= 20; i++) { const t = (-160 + 250 * i / 20) * Math.PI / 180; pts.push([0.48 + 0.2 * Math.cos(t), 0.32 + 0.17 * Math.sin(t)]); }
  for (let i = 0; i <= 20; i++) { const t = (-90 + 245 * i / 20) * Math.PI / 180; pts.push([0.48 + 0.22 * Math.cos(t), 0.67 + 0.18 * Math.sin(t)]); }
  return pts;
}

try {
  for (const sc of SCREENS) {
    const { name, ...opts } = sc;
    const browser = await launchBrowser(opts);
    try {
      const { page } = await openPage(browser.context, url);
      const frame = await (await page.$('#ui-frame')).contentFrame();
      await frame.waitForSelector('#ui-canvas[data-pad]', { timeout: 30000 });
      await waitDataLoaded(page, 60000);
      await lib.setControls(page, { subset: '8000', epochs: '2' });
      await page.click('#reset');
      await page.click('#start');
      await waitFor(async () => percent(await text(page, 'val-acc')) > 0.9 || (await text(page, 'state')) === 'done', {
        timeout: 120000, interval: 250, what: () => pageState(page),
      });
      await waitFor(async () => (await text(page, 'state')) === 'done', { timeout: 120000, interval: 250, what: () => pageState(page) });
      await page.$eval('#ui-frame', (f, block) => f.scrollIntoView({ block }), sc.isMobile ? 'start' : 'nearest');
      if (!sc.isMobile) await page.evaluate(() => window.scrollTo(0, 0));
      await sleep(300);
      const c = await frame.$('#ui-canvas');
      const box = await c.boundingBox();
      const [px, py, size] = (await c.getAttribute('data-pad')).split(' ').map(Number);
      const at = ([u, v]) => ({ x: box.x + px + u * size, y: box.y + py + v * size });
      const pts = three().map(at);
      if (sc.hasTouch) {
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [pts[0]] });
        for (const p of pts.slice(1)) {
          await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [p] });
          await sleep(16);
        }
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      } else {
        await page.mouse.move(pts[0].x, pts[0].y);
        await page.mouse.down();
        for (const p of pts.slice(1)) { await page.mouse.move(p.x, p.y, { steps: 3 }); await sleep(10); }
        await page.mouse.up();
      }
      await sleep(1500);
      const file = path.join(here, 'img', name + '.png');
      await page.screenshot({ path: file });
      const presenter = await frame.evaluate(() => window.uiPresenter.name);
      console.log(`wrote ${path.relative(process.cwd(), file)} (${presenter} presenter)`);
      await page.close();
    } finally {
      await browser.close();
    }
  }
} finally {
  await server?.stop();
}
