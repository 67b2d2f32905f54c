#!/usr/bin/env node
// measure-relay.mjs counts what crosses the page's thread while the default
// run trains: the messages the trainer worker posts to the page, the ones
// the page posts on to the canvas iframe, and the typed-array bytes in each
// (README, Architecture). Usage, after `make build` in ROOT:
//   node scripts/measure-relay.mjs [ROOT] [SECONDS]
// ROOT (default: this tree) is a checkout whose bin/mnistplay is served;
// give another one's to compare builds back to back.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
const root = process.argv[2] || path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const secs = Number(process.argv[3] || 15);
const lib = await import(path.join(root, 'e2e', 'lib.mjs'));
const { launchBrowser, openPage, startServer, waitFor, waitDataLoaded, text, sleep } = lib;
const server = await startServer();
const b = await launchBrowser();
const { page } = await openPage(b.context, server.url + '?ui=canvas');
await waitDataLoaded(page, 120000);
await page.evaluate(() => {
  const bytes = (v) => {
    if (ArrayBuffer.isView(v)) return v.byteLength;
    if (Array.isArray(v)) return v.reduce((a, x) => a + bytes(x), 0);
    if (v && typeof v === 'object') return Object.values(v).reduce((a, x) => a + bytes(x), 0);
    return 0;
  };
  window.__c = { page: {}, pageBytes: 0, frame: {}, frameBytes: 0, on: false };
  window.mnistplay.bootWorker.worker.addEventListener('message', (e) => {
    if (!window.__c.on || !e.data) return;
    const t = e.data.type; window.__c.page[t] = (window.__c.page[t] || 0) + 1; window.__c.pageBytes += bytes(e.data);
  });
  const w = document.getElementById('ui-frame').contentWindow;
  const orig = w.postMessage.bind(w);
  // what the page posts to the frame (the relay, in the base build)
  w.postMessage = function (m, ...rest) {
    if (window.__c.on && m && m.type) { window.__c.frame[m.type] = (window.__c.frame[m.type] || 0) + 1; window.__c.frameBytes += bytes(m); }
    return orig(m, ...rest);
  };
});
await page.click('#start');
await waitFor(async () => Number(await text(page, 'step-count')) > 20, { timeout: 60000 });
const s0 = Number(await text(page, 'step-count'));
await page.evaluate(() => { window.__c.on = true; });
await sleep(secs * 1000);
await page.evaluate(() => { window.__c.on = false; });
const s1 = Number(await text(page, 'step-count'));
const c = await page.evaluate(() => window.__c);
const sum = (o) => Object.values(o).reduce((a, x) => a + x, 0);
console.log(JSON.stringify({ root, secs, steps: s1 - s0, toPage: sum(c.page), toPageTypes: c.page, toPageKB: Math.round(c.pageBytes / 1024), pageToFrame: sum(c.frame), pageToFrameTypes: c.frame, pageToFrameKB: Math.round(c.frameBytes / 1024) }));
await b.close();
await server.stop();
process.exit(0);
