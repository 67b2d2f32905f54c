'use strict';
// Runs a Go wasm benchmark binary (bench/gobench built for js/wasm) in
// headless Chromium, the way the playground runs its trainer: in a dedicated
// Web Worker, with the Go toolchain's wasm_exec.js. A tiny HTTP server on
// 127.0.0.1 serves the page, the worker, wasm_exec.js and the binary; the
// worker forwards every line Go prints, and this script prints them.
//
// With -workers K (K > 1) the page starts K workers that share one
// SharedArrayBuffer (the server sends the COOP/COEP headers that allow it)
// and runs gobench in each with -rank i -replicas K: one training run,
// data-parallel across the workers; rank 0 prints the result.
//
// Usage: node chromium.js -wasm FILE -wasmexec GOROOT/lib/wasm/wasm_exec.js
//          [-chromium /usr/bin/chromium] [-timeout 600] [-workers 1] -- GOBENCH_ARGS...
const fs = require('fs');
const http = require('http');
const path = require('path');
const { chromium } = require('playwright-core');

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const PAGE = `<!doctype html><meta charset="utf-8"><title>gobench</title>
<script src="protocol.js"></script>
<script>
const o = JSON.parse(decodeURIComponent(location.hash.slice(1)));
// The exchange of wasm/gradsum (its layout generated from Go into the
// playground's protocol.js), with room for up to 2^20 parameters.
const x = mnistplay.protocol.exchange;
const sab = o.workers > 1 ? new SharedArrayBuffer(x.headerBytes + x.slotSets * o.workers * ((1 << 20) + x.extraFloats) * 4) : null;
if (o.workers > 1 && !crossOriginIsolated) console.log('__ERROR__ the page is not cross-origin isolated');
for (let i = 0; i < o.workers; i++) {
  const w = new Worker('worker.js');
  // Only rank 0 reports; the others print only errors.
  w.onmessage = (e) => { if (i === 0 || /__ERROR__|gobench:/.test(e.data)) console.log(e.data); };
  w.onerror = (e) => console.log('__ERROR__ ' + e.message);
  w.postMessage({ argv: o.workers > 1 ? [...o.argv, '-rank', String(i), '-replicas', String(o.workers)] : o.argv, sab: sab });
}
</script>`;

const WORKER = `
const post = (s) => postMessage(String(s));
console.log = post;
console.error = post;
console.warn = post;
importScripts('wasm_exec.js');
onmessage = async (e) => {
  try {
    self.gradSAB = e.data.sab;
    const go = new Go();
    go.argv = ['gobench', ...e.data.argv];
    let code = 0;
    go.exit = (c) => { code = c; };
    const { instance } = await WebAssembly.instantiateStreaming(fetch('gobench.wasm'), go.importObject);
    await go.run(instance);
    post('__DONE__ ' + code);
  } catch (err) {
    post('__ERROR__ ' + err);
  }
};`;

function parse(argv) {
  const o = { wasm: '', wasmexec: '', chromium: process.env.CHROMIUM || '/usr/bin/chromium', timeout: 600, workers: 1, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { o.rest = argv.slice(i + 1); break; }
    const k = a.replace(/^--?/, '');
    if (!(k in o) || k === 'rest') throw new Error(`chromium.js: unknown flag ${a}`);
    o[k] = k === 'timeout' || k === 'workers' ? Number(argv[++i]) : argv[++i];
  }
  if (!o.wasm || !o.wasmexec) throw new Error('chromium.js: need -wasm and -wasmexec');
  return o;
}

async function main() {
  const o = parse(process.argv.slice(2));
  const files = {
    '/': ['text/html', Buffer.from(PAGE)],
    '/worker.js': ['text/javascript', Buffer.from(WORKER)],
    '/wasm_exec.js': ['text/javascript', fs.readFileSync(o.wasmexec)],
    '/protocol.js': ['text/javascript', fs.readFileSync(path.join(__dirname, '..', '..', 'web', 'protocol.js'))],
    '/gobench.wasm': ['application/wasm', fs.readFileSync(o.wasm)],
  };
  const server = http.createServer((req, res) => {
    const f = files[req.url.split('?')[0]];
    if (!f) { res.writeHead(req.url === '/favicon.ico' ? 204 : 404); res.end(); return; }
    res.writeHead(200, {
      'Content-Type': f[0], 'Content-Length': f[1].length, 'Cache-Control': 'no-store',
      'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp',
    });
    res.end(f[1]);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/#${encodeURIComponent(JSON.stringify({ argv: o.rest, workers: o.workers }))}`;

  const browser = await chromium.launch({ executablePath: o.chromium, headless: true, args: FLAGS });
  let code = 1;
  try {
    process.stderr.write(`# chromium ${browser.version()}\n`);
    const page = await browser.newPage();
    const done = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`chromium.js: no result after ${o.timeout}s`)), o.timeout * 1000);
      page.on('console', (msg) => {
        const t = msg.text();
        if (t.startsWith('__DONE__')) { clearTimeout(timer); resolve(Number(t.split(' ')[1])); return; }
        if (t.startsWith('__ERROR__')) { clearTimeout(timer); reject(new Error(t)); return; }
        for (const l of t.split('\n')) (l.startsWith('bench ') ? process.stdout : process.stderr).write(l + '\n');
      });
      page.on('pageerror', (e) => { clearTimeout(timer); reject(e); });
    });
    await page.goto(url);
    code = await done;
  } finally {
    await browser.close();
    server.close();
  }
  process.exitCode = code;
}

main().catch((e) => { console.error(e.message || e); process.exitCode = 1; });
