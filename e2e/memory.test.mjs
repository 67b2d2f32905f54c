// Memory over a long run: a small MLP trains for many short epochs (50
// steps each, every one with its epoch, evaluation and step events), and
// the page's JS heap (its canvas iframe's included: one isolate) and the
// worker's memory (its JS heap plus trainer.wasm's linear memory) stay
// flat within 20% between the end of a warm-up and the end of the run.
// Every heap is read after a forced garbage collection, through the Chrome
// DevTools Protocol. The worker's JS heap alone goes up and down by
// megabytes (it holds the JS values the Go program has not yet released,
// until Go's next collection), so it is checked with the Go memory beside
// it. The run is counted in epochs, not seconds: a slower machine trains
// the same run, only for longer. The warm-up goes past the point where the
// run's history (playground/history.go, which the page keeps as the run's
// record) reaches its bounds, so the run measures what a longer one adds.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  openPage, pageState, saveLog, screenshot, setControls, sleep, text, useServerAndBrowser, waitDataLoaded, waitFor,
  withTimeout,
} from './lib.mjs';

// A run of many short epochs: 500 images in batches of 10 (50 steps an
// epoch), validated on 200 images after each.
const RUN = {
  arch: 'mlp', hidden: '16', optimizer: 'sgd', lr: '0.05', batch: '10',
  epochs: '100000', subset: '500', 'eval-subset': '200', seed: '3',
};
const WARMUP_EPOCHS = 520; // past the history's 500 epochs (and 1000 steps)
// After the warm-up: 25,000 steps. The history halves its epochs and
// evaluations each time they reach 500, so its size has a period of 250
// epochs once past the first; a run of a whole number of periods ends at
// the phase it started from (up to where Pause lands), and the page's copy
// of the record, which follows that size, does not decide the comparison.
const RUN_EPOCHS = 500;
const TOLERANCE = 0.2;

const env = useServerAndBrowser();

// workerSession attaches to the page's dedicated worker through the page's
// CDP session (Target.setAutoAttach, messages relayed by
// Target.sendMessageToTarget) and returns a send(method, params) for it.
async function workerSession(cdp) {
  const attached = new Promise((resolve) => {
    cdp.on('Target.attachedToTarget', (ev) => {
      if (ev.targetInfo.type === 'worker') {
        resolve(ev.sessionId);
      }
    });
  });
  const pending = new Map();
  let id = 0;
  cdp.on('Target.receivedMessageFromTarget', (ev) => {
    const msg = JSON.parse(ev.message);
    const p = pending.get(msg.id);
    if (p) {
      pending.delete(msg.id);
      if (msg.error) {
        p.reject(new Error(msg.error.message));
      } else {
        p.resolve(msg.result);
      }
    }
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const sessionId = await withTimeout(attached, 30000, 'attaching to the worker');
  return (method, params = {}) => withTimeout(new Promise((resolve, reject) => {
    const msgId = ++id;
    pending.set(msgId, { resolve, reject });
    cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: msgId, method, params }) }).catch(reject);
  }), 60000, 'worker ' + method);
}

// heap collects garbage in a JS isolate (send is its CDP channel) and
// returns its live JS heap in bytes.
async function heap(send) {
  await send('HeapProfiler.collectGarbage');
  return (await send('Runtime.getHeapUsage')).usedSize;
}

// wasmBytes returns the size of trainer.wasm's memory (worker.js keeps it
// as self.trainerMemory); send talks to the worker.
async function wasmBytes(send) {
  const { result } = await send('Runtime.evaluate', { expression: 'self.trainerMemory.buffer.byteLength', returnByValue: true });
  return result.value;
}

// sample returns the page's JS heap (its canvas iframe's included: one
// isolate), the worker's JS heap and trainer.wasm's memory, read while the
// run is paused and the canvas has collected: the page's heap holds,
// besides what it keeps, copies in flight (the run's record on its way to
// IndexedDB, the canvas' events not yet released by Go's collector) whose
// size at a random moment of a training run would decide the comparison.
// Paused, those settle: the
// page's heap is read until two readings agree within 1% (the smaller
// counts), at most ten times.
async function sample(page, pageSend, workerSend) {
  await page.click('#pause');
  await waitFor(async () => (await text(page, 'state')) === 'paused', {
    timeout: 60000, interval: 100, what: () => pageState(page),
  });
  // The canvas runs Go's collector once the events have stopped, which
  // releases the JS objects of the events it read (wasm/ui inbox).
  const canvas = page.frames().find((f) => f !== page.mainFrame());
  await waitFor(() => canvas.evaluate(() => self.uiCollectedQuiet === true), {
    timeout: 60000, interval: 100, what: () => 'the canvas has not collected since the last event',
  });
  let prev = await heap(pageSend);
  let least = prev;
  for (let i = 0; i < 9; i++) {
    await sleep(500);
    const h = await heap(pageSend);
    least = Math.min(least, h);
    if (Math.abs(h - prev) <= 0.01 * prev) {
      break;
    }
    prev = h;
  }
  return { page: least, worker: await heap(workerSend), wasm: await wasmBytes(workerSend) };
}

const mb = (b) => (b / 1048576).toFixed(1) + ' MB';

describe('memory over a long run', { timeout: 900000 }, () => {
  test(`${RUN_EPOCHS} epochs after a warm-up leave the page's JS heap and the worker's memory within ${TOLERANCE * 100}%`, async () => {
    const { page, errors, log } = await openPage(env.context, env.url);
    const cdp = await env.context.newCDPSession(page);
    try {
      const worker = await workerSession(cdp);
      const pageSend = (method, params) => withTimeout(cdp.send(method, params), 60000, 'page ' + method);
      await waitDataLoaded(page, 60000);
      await setControls(page, RUN);
      await page.click('#reset');
      await page.click('#start');
      const epoch = async () => Number(await text(page, 'epoch'));
      // Polled often: where Pause lands past the target shifts the
      // history's phase (RUN_EPOCHS).
      const until = (n) => waitFor(async () => (await epoch()) >= n, {
        timeout: 840000, interval: 20, what: () => pageState(page),
      });
      await until(WARMUP_EPOCHS);
      const m0 = await sample(page, pageSend, worker);
      const e0 = await epoch();
      const s0 = Number(await text(page, 'step-count'));
      await page.click('#start');
      await until(e0 + RUN_EPOCHS);
      const m1 = await sample(page, pageSend, worker);
      const e1 = await epoch();
      const s1 = Number(await text(page, 'step-count'));
      const change = (a, b) => `${mb(a)} -> ${mb(b)} (${((b / a - 1) * 100).toFixed(1)}%)`;
      console.log(`# epochs ${e0} -> ${e1}, steps ${s0} -> ${s1}; page JS heap ${change(m0.page, m1.page)}; ` +
        `worker JS heap ${change(m0.worker, m1.worker)}; trainer.wasm memory ${change(m0.wasm, m1.wasm)}`);
      for (const [name, a, b] of [['page JS heap', m0.page, m1.page], ['worker memory (JS heap + trainer.wasm)', m0.worker + m0.wasm, m1.worker + m1.wasm]]) {
        assert.ok(b <= a * (1 + TOLERANCE), `${name} grew from ${mb(a)} to ${mb(b)} over ${e1 - e0} epochs (${s1 - s0} steps)`);
      }
      assert.deepEqual(errors, [], 'console or page errors during the run');
    } catch (err) {
      await screenshot(page, 'memory-failed').catch(() => {});
      throw err;
    } finally {
      await cdp.detach().catch(() => {});
      await saveLog('memory', log);
      await page.close();
    }
  });
});
