// Harness for the browser tests: starts the server binary (bin/mnistplay,
// built by `make e2e`) on a free loopback port, drives Debian's Chromium with
// playwright-core, collects console and page errors, takes screenshots into
// test-output/, and stops everything with bounded timeouts.
//
// It builds nothing itself: make does.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OUT = path.join(ROOT, 'test-output');
export const SERVER = path.join(ROOT, 'bin', 'mnistplay');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const VIEWPORT = { width: 1280, height: 800 };

// Flags from DESIGN.md (headless Debian Chromium on a machine without a GPU).
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// withTimeout rejects with a message naming what took too long.
export function withTimeout(promise, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms`)), ms);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

// The report's CNN on a subset: past 90% validation accuracy within one
// epoch of 8,000 examples. The run is far longer than that (epochs) so it
// is still going when a test pauses it, however fast the machine.
export const REPORT_CNN_SUBSET_RUN = {
  arch: 'cnn', hidden: '100', 'conv1-kernel': '5', 'conv1-stride': '1', 'conv1-pad': '0',
  'conv2-kernel': '5', 'conv2-stride': '1', 'conv2-pad': '0', pool: 'max',
  optimizer: 'momentum', lr: '0.05', momentum: '0.9', schedule: 'constant', l2: '0',
  batch: '64', epochs: '200', subset: '8000', 'eval-subset': '1000', patience: '0', seed: '3',
};

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// PROFILE_PREFIX begins the name of the profile folder launchBrowser makes.
const PROFILE_PREFIX = 'mnistplay-chromium-';

// chromiumProcesses lists the processes of the Chromium that launchBrowser
// started (their command lines name its profile folder) as {pid, cmd},
// from Linux's /proc; elsewhere none.
export function chromiumProcesses() {
  let pids;
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  const out = [];
  for (const pid of pids) {
    let cmd;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone
    }
    if (/chrom/i.test(cmd.split('\0')[0]) && cmd.includes(PROFILE_PREFIX)) {
      out.push({ pid, cmd });
    }
  }
  return out;
}

// startServer runs bin/mnistplay on 127.0.0.1:0 (a free port) and resolves
// when it prints its address. With dir it serves dir/web and dir/assets.
export async function startServer({ dir } = {}) {
  if (!existsSync(SERVER)) {
    throw new Error(`${SERVER} is missing: run the tests with "make e2e" (it builds the server)`);
  }
  const args = ['-addr', '127.0.0.1:0'];
  if (dir) {
    args.push('-dir', dir);
  }
  const proc = spawn(SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await withTimeout(new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const m = /serving on (http:\/\/\S+?)\/?\s/.exec(output);
      if (m) {
        resolve(m[1] + '/');
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (chunk) => { output += chunk; });
    exited.then(({ code, signal }) => reject(new Error(`server exited (${code ?? signal}) before serving:\n${output}`)));
  }), 15000, 'starting the server').catch((err) => {
    proc.kill('SIGKILL');
    throw err;
  });
  return {
    url,
    output: () => output,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        return;
      }
      proc.kill('SIGTERM');
      try {
        await withTimeout(exited, 6000, 'server shutdown');
      } catch {
        proc.kill('SIGKILL');
        await withTimeout(exited, 2000, 'server kill').catch(() => {});
      }
    },
  };
}

// launchBrowser starts Chromium with a fresh profile in a temporary folder;
// opts may set viewport, deviceScaleFactor, hasTouch and isMobile (a phone).
// The returned close() closes the browser (bounded) and removes the profile.
export async function launchBrowser(opts = {}) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run "make e2e" (it installs Debian's chromium as root) or set CHROMIUM`);
  }
  const profile = await mkdtemp(path.join(tmpdir(), PROFILE_PREFIX));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: VIEWPORT,
    timeout: 30000,
    ...opts,
  });
  return {
    context,
    async close() {
      await withTimeout(context.close(), 10000, 'closing Chromium').catch((err) => {
        // A hung browser: kill its process so the test run ends.
        const pid = context.browser()?.process?.()?.pid;
        if (pid) {
          try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
        }
        console.error(String(err));
      });
      await rm(profile, { recursive: true, force: true }).catch(() => {});
    },
  };
}

// useServerAndBrowser registers a test file's before and after hooks: start
// the server (unless url is given) and Chromium, then stop both. The returned
// object's url and context are set once the before hook has run.
export function useServerAndBrowser({ url = '' } = {}) {
  const env = { url, context: null };
  let server = null;
  let browser = null;
  before(async () => {
    if (!env.url) {
      server = await startServer();
      env.url = server.url;
    }
    browser = await launchBrowser();
    env.context = browser.context;
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
  return env;
}

// Console messages that count as errors even when logged with console.log:
// Go's runtime writes panics and fatal errors to stderr, which wasm_exec.js
// sends to console.log.
const goFatal = /^(panic: |fatal error: |runtime: )/m;

// openPage opens url in a new tab and records every console error, uncaught
// exception, Go panic, failed request and HTTP error response, from the page,
// its iframe and its workers.
export async function openPage(context, url, { waitUntil = 'load' } = {}) {
  const page = await context.newPage();
  const errors = [];
  const log = [];
  const onConsole = (where) => (msg) => {
    const text = msg.text();
    log.push(`[${where} ${msg.type()}] ${text}`);
    if (msg.type() === 'error' || goFatal.test(text)) {
      const loc = msg.location();
      errors.push(`${where} console.${msg.type()}: ${text}${loc?.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
    }
  };
  page.on('console', onConsole('page'));
  page.on('worker', (w) => w.on('console', onConsole('worker')));
  page.on('pageerror', (err) => errors.push(`page error: ${err.stack || err}`));
  page.on('requestfailed', (req) => errors.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  page.on('response', (res) => {
    if (res.status() >= 400) {
      errors.push(`HTTP ${res.status()} ${res.url()}`);
    }
  });
  page.on('crash', () => errors.push('page crashed'));
  await page.goto(url, { waitUntil, timeout: 30000 });
  return { page, errors, log };
}

// screenshot saves a PNG of the page into test-output/ and returns its path.
export async function screenshot(page, name) {
  await mkdir(OUT, { recursive: true });
  const file = path.join(OUT, name.replace(/[^a-z0-9._-]+/gi, '-') + '.png');
  await withTimeout(page.screenshot({ path: file, fullPage: false }), 15000, `screenshot ${name}`);
  return file;
}

// saveLog writes a page's console log into test-output/ for reading after a run.
export async function saveLog(name, lines) {
  await mkdir(OUT, { recursive: true });
  await writeFile(path.join(OUT, name + '.log'), lines.join('\n') + '\n');
}

// waitFor polls fn (in Node) until it returns a truthy value, and returns it.
// On timeout it throws with what() describing the last observed state.
export async function waitFor(fn, { timeout = 10000, interval = 100, what = () => '' } = {}) {
  const deadline = Date.now() + timeout;
  let lastErr;
  for (;;) {
    try {
      const v = await fn();
      if (v) {
        return v;
      }
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) {
      const state = await Promise.resolve().then(what).catch((e) => String(e));
      throw new Error(`timed out after ${timeout} ms${state ? ': ' + state : ''}${lastErr ? ' (last error: ' + lastErr.message + ')' : ''}`);
    }
    await sleep(interval);
  }
}

// text returns the trimmed text of the element with the given id.
export async function text(page, id) {
  return page.$eval('#' + id, (e) => (e.textContent || '').trim());
}

// percent parses "93.2%" (or "0.932") into a fraction; NaN when it is not a number.
export function percent(s) {
  const m = /(-?\d+(?:\.\d+)?)\s*(%?)/.exec(s || '');
  if (!m) {
    return NaN;
  }
  const v = Number(m[1]);
  return m[2] === '%' ? v / 100 : v;
}

// state returns what the tests look at, for failure messages.
export async function pageState(page) {
  return page.evaluate(() => {
    const t = (id) => (document.getElementById(id)?.textContent || '').trim();
    const p = document.getElementById('progress');
    return {
      status: t('status'), error: t('error'), state: t('state'), step: t('step-count'),
      valAcc: t('val-acc'), trainAcc: t('train-acc'), throughput: t('throughput'),
      progress: p ? `${p.value}/${p.max}` : 'none',
    };
  }).then((s) => JSON.stringify(s)).catch((e) => 'page state unavailable: ' + e.message);
}

// waitDataLoaded waits until the #progress bar is full.
export async function waitDataLoaded(page, timeout = 60000) {
  await waitFor(() => page.$eval('#progress', (p) => p.max > 0 && p.value >= p.max), {
    timeout, what: () => pageState(page),
  });
}

// setControls fills the page's controls: {id: value}; booleans set checkboxes,
// values of <select> elements are chosen.
export async function setControls(page, values) {
  for (const [id, v] of Object.entries(values)) {
    const sel = '#' + id;
    const tag = await page.$eval(sel, (e) => e.tagName.toLowerCase() + ':' + (e.type || ''));
    if (tag.startsWith('select')) {
      await page.selectOption(sel, String(v));
    } else if (typeof v === 'boolean') {
      await page.setChecked(sel, v);
    } else if (tag === 'input:range') {
      await page.$eval(sel, (e, val) => {
        e.value = val;
        e.dispatchEvent(new Event('input', { bubbles: true }));
        e.dispatchEvent(new Event('change', { bubbles: true }));
      }, String(v));
    } else {
      await page.fill(sel, String(v));
    }
  }
}

// copySite copies web/ and assets/ into a temporary folder, for a server
// started with -dir, and returns the folder.
export async function copySite() {
  const dir = await mkdtemp(path.join(tmpdir(), 'mnistplay-site-'));
  await cp(path.join(ROOT, 'web'), path.join(dir, 'web'), { recursive: true });
  await cp(path.join(ROOT, 'assets'), path.join(dir, 'assets'), { recursive: true });
  return dir;
}

// corruptSite copies web/ and assets/ into a temporary folder and damages
// every data pack there (bytes in the middle flipped, size kept), for a
// server started with -dir. It returns the folder.
export async function corruptSite() {
  const dir = await copySite();
  const packs = [];
  for (const name of await readdir(path.join(dir, 'assets'))) {
    if (!name.endsWith('.pack')) {
      continue;
    }
    const file = path.join(dir, 'assets', name);
    const b = await readFile(file);
    for (let i = Math.floor(b.length / 3); i < b.length; i += Math.floor(b.length / 7)) {
      for (let j = 0; j < 64 && i + j < b.length; j++) {
        b[i + j] ^= 0x5a;
      }
    }
    await writeFile(file, b);
    packs.push(name);
  }
  if (packs.length === 0) {
    throw new Error('corruptSite: no *.pack file in assets/');
  }
  return dir;
}
