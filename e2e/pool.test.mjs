// Browser tests of the worker pool (issue 14): two runs train at once in
// two pool workers, each with its own curves; hidden, the page asks a pool
// run for its record; a run trained data-parallel
// on two workers (gradients summed through a SharedArrayBuffer, the page
// cross-origin isolated) reaches done, its second worker taking the
// decoded images from the page's worker instead of fetching the pack. They
// wait for states, never for a speed.
// Run by `make e2e` with the other browser tests.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  openPage, pageState, saveLog, screenshot, setControls, text, useServerAndBrowser, waitDataLoaded, waitFor,
} from './lib.mjs';

const env = useServerAndBrowser();

// setWorkers sets the Workers control as a person would (typing, then
// leaving the field).
async function setWorkers(page, n) {
  await page.$eval('#workers', (e, v) => {
    e.value = v;
    e.dispatchEvent(new Event('change', { bubbles: true }));
  }, String(n));
}

// records reads the runs this tab made, from the page's runs list model.
function records(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const r = indexedDB.open('mnistplay');
    r.onerror = () => reject(r.error);
    r.onsuccess = () => {
      const g = r.result.transaction('runs').objectStore('runs').getAll();
      g.onsuccess = () => {
        r.result.close();
        resolve(g.result.map((x) => ({
          name: x.name, state: x.state, lr: x.config.schedule.lr0, epochs: x.epochs.map((e) => e.epoch),
          lastStep: x.lastStep, steps: x.steps.length, firstLoss: x.steps.length ? x.steps[0][1] : NaN,
          valAcc: x.final ? x.final.valAcc : NaN, weights: !!x.weights,
        })));
      };
    };
  }));
}

function rowStates(page) {
  return page.$$eval('#runs-list li.run', (lis) => lis.map((li) => ({
    name: li.querySelector('.run-name').value, summary: li.querySelector('.run-summary').textContent,
  })));
}

describe('worker pool', { timeout: 600000 }, () => {
  test('two background runs train at once in two workers, each with its own curves', async () => {
    const { page, errors, log } = await openPage(env.context, env.url);
    try {
      await setWorkers(page, 2);
      assert.equal(await page.inputValue('#workers'), '2');
      await waitDataLoaded(page);
      const base = { arch: 'mlp', hidden: '32', optimizer: 'momentum', momentum: '0.9', batch: '50', epochs: '25', subset: '2000', 'eval-subset': '500', seed: '3' };
      await setControls(page, { ...base, lr: '0.05' });
      await page.click('#start-background');
      await setControls(page, { lr: '0.002' });
      await page.click('#start-background');
      // Both listed as training at the same moment: two workers, not a queue.
      await waitFor(async () => (await rowStates(page)).filter((r) => /training/.test(r.summary)).length === 2, {
        timeout: 120000, what: async () => JSON.stringify(await rowStates(page)),
      });
      await waitFor(async () => {
        const rs = await records(page);
        return rs.length === 2 && rs.every((r) => r.state === 'done' && r.weights);
      }, { timeout: 300000, interval: 500, what: async () => JSON.stringify(await records(page)) });
      const rs = (await records(page)).sort((a, b) => b.lr - a.lr);
      for (const r of rs) {
        // 2000 images in batches of 50: 40 steps an epoch, every epoch once.
        assert.deepEqual(r.epochs, Array.from({ length: 25 }, (_, i) => i + 1), `${r.name} epochs`);
        assert.equal(r.lastStep, 25 * 40, `${r.name} steps`);
        assert.ok(r.steps <= 25 * 40, `${r.name}: ${r.steps} step points, more than it took`);
      }
      // Each run's curve is its own: the faster rate learned more.
      assert.ok(rs[0].valAcc > rs[1].valAcc, `lr 0.05 ${rs[0].valAcc} vs lr 0.002 ${rs[1].valAcc}`);
      // The page's own run was never touched.
      assert.equal(await text(page, 'state'), 'idle');
      await screenshot(page, 'pool-two-runs');
      assert.deepEqual(errors, []);
    } finally {
      await saveLog('pool-two-runs', log);
      await page.close();
    }
  });

  test('hidden, the page asks each pool run for its record', async () => {
    const { page, errors, log } = await openPage(env.context, env.url);
    try {
      await waitDataLoaded(page);
      // The pool makes its workers when a run starts: count the records
      // they send when asked (snapshots with an id; the unasked have none).
      await page.evaluate(() => {
        self.askedRecords = 0;
        self.Worker = class extends self.Worker {
          constructor(...args) {
            super(...args);
            this.addEventListener('message', (e) => {
              if (e.data && e.data.type === self.mnistplay.protocol.type.snapshot && e.data.id > 0) {
                self.askedRecords++;
              }
            });
          }
        };
      });
      // Long enough to be training still on any machine when hidden.
      await setControls(page, { arch: 'mlp', hidden: '16', optimizer: 'sgd', lr: '0.05', batch: '50', epochs: '100000', subset: '2000', seed: '3' });
      await page.click('#start-background');
      await waitFor(async () => (await rowStates(page)).some((r) => /training/.test(r.summary)), {
        timeout: 120000, what: async () => JSON.stringify(await rowStates(page)),
      });
      // A phone may end a hidden page unasked.
      await page.evaluate(() => {
        Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
        delete document.visibilityState;
      });
      await waitFor(() => page.evaluate(() => self.askedRecords >= 1), {
        timeout: 60000, what: () => 'no record asked for and answered',
      });
      assert.deepEqual(errors, []);
    } finally {
      await saveLog('pool-hidden', log);
      await page.close();
    }
  });

  test('a run trained data-parallel on 2 workers reaches done', async () => {
    const { page, errors, log } = await openPage(env.context, env.url);
    try {
      assert.equal(await page.evaluate(() => self.crossOriginIsolated), true, 'the page is cross-origin isolated');
      await setWorkers(page, 2);
      await waitFor(async () => /all 60,000 training images/.test(await text(page, 'status')), {
        timeout: 120000, what: () => pageState(page),
      });
      // The page's worker shares the images it decoded; the pool's worker,
      // made after that, fetches no part of the pack.
      await waitFor(() => page.evaluate(() => self.mnistplay.poolSharedData === true), { timeout: 60000, what: () => 'no shared data' });
      const packRequests = [];
      page.on('request', (r) => {
        if (/\/assets\//.test(r.url())) {
          packRequests.push(r.url());
        }
      });
      await setControls(page, { arch: 'mlp', hidden: '64', optimizer: 'momentum', lr: '0.05', momentum: '0.9', batch: '64', epochs: '2', subset: '3000', 'eval-subset': '1000', seed: '5' });
      await page.click('#reset');
      await page.click('#start');
      await waitFor(async () => /trains on 2 workers/.test(await text(page, 'workers-note')), {
        timeout: 60000, what: async () => `${await text(page, 'workers-note')} ${await pageState(page)}`,
      });
      await waitFor(async () => (await text(page, 'state')) === 'done', {
        timeout: 300000, interval: 250, what: () => pageState(page),
      });
      // 3000 images in batches of 64: 47 steps an epoch.
      assert.equal(await text(page, 'step-count'), String(2 * 47));
      const acc = parseFloat(await text(page, 'val-acc'));
      assert.ok(acc > 70, `validation accuracy ${acc}% after 2 epochs`);
      assert.deepEqual(packRequests, [], 'the pool worker fetched the pack');
      await screenshot(page, 'pool-data-parallel');
      assert.deepEqual(errors, []);
    } finally {
      await saveLog('pool-data-parallel', log);
      await page.close();
    }
  });
});
