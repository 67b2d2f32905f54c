// Browser tests of runs, persistence, downloads and the sweep (issue 5, page
// side): a run is kept in IndexedDB and listed again after a reload; weights
// download and a corrupted copy gives the engine's error; the settings live
// in the URL (a bad link says so); a 2x2 sweep fills its tables.
// Run by `make e2e` with the other browser tests.

import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  OUT, ROOT, openPage, pageState, saveLog, screenshot, setControls, sleep,
  text, useServerAndBrowser, waitDataLoaded, waitFor,
} from './lib.mjs';

// A short MLP run on a subset: an epoch takes well under a second.
const SHORT_RUN = {
  arch: 'mlp', hidden: '64', optimizer: 'momentum', lr: '0.05', momentum: '0.9',
  batch: '64', epochs: '1000', subset: '3000', 'eval-subset': '500', seed: '7',
};

const env = useServerAndBrowser();

// runRows returns [{id, name, summary, overlay}] of the runs list, newest first.
function runRows(page) {
  return page.$$eval('#runs-list li.run', (lis) => lis.map((li) => ({
    id: li.dataset.id,
    name: li.querySelector('.run-name').value,
    summary: li.querySelector('.run-summary').textContent,
    overlay: li.querySelector('.run-overlay').checked,
  })));
}

// storedRun reads run id straight from IndexedDB, as every tab sees it.
function storedRun(page, id) {
  return page.evaluate((id) => new Promise((resolve, reject) => {
    const r = indexedDB.open('mnistplay');
    r.onerror = () => reject(r.error);
    r.onsuccess = () => {
      const g = r.result.transaction('runs').objectStore('runs').get(id);
      g.onsuccess = () => {
        const x = g.result;
        r.result.close();
        resolve(x ? { epochs: x.epochs.length, rev: x.rev, overlay: !!x.overlay, state: x.state, weights: !!x.weights, name: x.name } : null);
      };
      g.onerror = () => reject(g.error);
    };
  }), id);
}

function storedNames(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const r = indexedDB.open('mnistplay');
    r.onerror = () => reject(r.error);
    r.onsuccess = () => {
      const g = r.result.transaction('runs').objectStore('runs').getAll();
      g.onsuccess = () => {
        r.result.close();
        resolve(g.result.map((x) => x.name));
      };
    };
  }));
}

// saveDownload waits for the download click() starts and returns its bytes.
async function saveDownload(page, click, name) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 20000 }), click()]);
  await mkdir(OUT, { recursive: true });
  const file = path.join(OUT, name);
  await dl.saveAs(file);
  return { file, bytes: await readFile(file), suggested: dl.suggestedFilename() };
}

describe('runs, downloads and sweep', { timeout: 400000 }, () => {
  test('a paused run is saved with its weights and listed again after a reload', async () => {
    const { page, errors, log } = await openPage(env.context, env.url);
    try {
      await waitDataLoaded(page, 60000);
      await setControls(page, SHORT_RUN);
      await page.click('#start');
      await waitFor(async () => Number(await text(page, 'step-count')) > 60, { timeout: 30000, what: () => pageState(page) });
      await page.click('#pause');
      await waitFor(async () => (await text(page, 'state')) === 'paused', { timeout: 10000, what: () => pageState(page) });
      // The record gets its weights (getWeights at pause) and a name.
      const rows = await waitFor(async () => {
        const r = await runRows(page);
        return r.length > 0 && !r[0].summary.includes('no weights') ? r : null;
      }, { timeout: 10000, what: async () => JSON.stringify(await runRows(page)) });
      const run = rows[0];
      assert.match(run.summary, /paused/, `summary of the paused run: ${run.summary}`);
      // Rename it (keyboard: type and Enter), tick its overlay.
      const nameSel = `#runs-list li[data-id="${run.id}"] .run-name`;
      await page.fill(nameSel, 'reload me');
      await page.press(nameSel, 'Enter');
      await page.check(`#runs-list li[data-id="${run.id}"] .run-overlay`);
      // The settings are in the URL.
      const url = page.url();
      assert.match(url, /[?&]c=[A-Za-z0-9_-]+/, `URL with the settings: ${url}`);
      await sleep(500); // the store's transactions finish
      await screenshot(page, 'runs-before-reload');

      await page.reload({ waitUntil: 'load' });
      const after = await waitFor(async () => {
        const r = await runRows(page);
        return r.find((x) => x.id === run.id) || null;
      }, { timeout: 15000, what: async () => JSON.stringify(await runRows(page)) });
      assert.equal(after.name, 'reload me', 'renamed run after reload');
      assert.ok(after.overlay, 'overlay tick kept');
      assert.ok(!after.summary.includes('no weights'), `weights kept: ${after.summary}`);
      // The link's settings filled the controls.
      assert.equal(await page.inputValue('#subset'), '3000');
      assert.equal(await page.inputValue('#arch'), 'mlp');
      assert.equal(await page.inputValue('#hidden'), '64');

      // Its weights go back into the trainer.
      await waitDataLoaded(page, 60000);
      await page.click(`#runs-list li[data-id="${run.id}"] button[data-role="use"]`);
      await waitFor(async () => /Loaded the weights of “reload me”/.test(await text(page, 'status')), {
        timeout: 10000, what: () => pageState(page),
      });
      assert.equal(await text(page, 'error'), '', 'no error after loading a saved run\'s weights');

      // Epochs CSV of the run.
      const csv = await saveDownload(page,
        () => page.click(`#runs-list li[data-id="${run.id}"] button[data-role="csv-epochs"]`), 'runs-epochs.csv');
      const lines = csv.bytes.toString('utf8').trim().split('\n');
      assert.equal(lines[0], 'epoch,train_loss,train_acc,val_loss,val_acc,train_images');
      assert.ok(lines.length >= 2, `CSV has epoch rows: ${lines.length - 1}`);
      assert.match(lines[1], /^1,[0-9.e-]+,0\.\d+,[0-9.e-]+,0\.\d+,3000$/, `first CSV row: ${lines[1]}`);
      await screenshot(page, 'runs-after-reload');
      assert.deepEqual(errors, [], 'console or page errors');
    } finally {
      await saveLog('runs-reload', log);
      await page.close();
    }
  });

  test('weights download; a corrupted copy shows the engine\'s error and the page goes on', async () => {
    const { page, errors, log } = await openPage(env.context, env.url);
    try {
      await waitDataLoaded(page, 60000);
      await setControls(page, { ...SHORT_RUN, epochs: '1' });
      await page.click('#start');
      await waitFor(async () => (await text(page, 'state')) === 'done', { timeout: 60000, what: () => pageState(page) });
      const good = await saveDownload(page, () => page.click('#save-weights'), 'weights.mnistw');
      assert.match(good.suggested, /\.mnistw$/, `file name ${good.suggested}`);
      assert.ok(good.bytes.length > 4 * 50000, `weights file of ${good.bytes.length} bytes (MLP 784-64-10 has 50,890 weights)`);

      // The loss plot as PNG, encoded by the UI canvas (wasm/ui).
      const png = await saveDownload(page, () => page.click('#png-loss'), 'runs-loss.png');
      assert.equal(png.bytes.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'PNG signature');
      assert.match(png.suggested, /loss.*\.png$/, `PNG file name ${png.suggested}`);

      const bad = Buffer.from(good.bytes);
      for (let i = 0; i < 64; i++) {
        bad[Math.floor(bad.length / 2) + i] ^= 0xa5;
      }
      bad[3] ^= 0xff; // the header too
      const badFile = path.join(OUT, 'weights-corrupt.mnistw');
      await writeFile(badFile, bad);
      await page.setInputFiles('#load-weights', badFile);
      await waitFor(async () => (await text(page, 'error')).startsWith('weights file:'), {
        timeout: 10000, what: () => pageState(page),
      });
      assert.ok(await page.isVisible('#error'), '#error is visible');
      await screenshot(page, 'runs-corrupt-weights');
      // Reset after the refusal: a fresh run, not one "loaded" from the file.
      const arch0 = (await text(page, 'status'));
      await page.click('#reset');
      await waitFor(async () => (await text(page, 'state')) === 'idle' && (await text(page, 'status')) !== arch0, {
        timeout: 10000, what: () => pageState(page),
      });
      assert.doesNotMatch(await text(page, 'status'), /Loaded the weights/, 'Reset after a refused file says it loaded it');

      // The page goes on: the good file loads and training starts again.
      await page.setInputFiles('#load-weights', good.file);
      await waitFor(async () => (await text(page, 'error')) === '' && (await text(page, 'state')) === 'idle', {
        timeout: 10000, what: () => pageState(page),
      });
      await page.click('#start');
      await waitFor(async () => Number(await text(page, 'step-count')) > 0, { timeout: 20000, what: () => pageState(page) });
      assert.deepEqual(errors, [], 'console or page errors');
    } finally {
      await saveLog('runs-weights', log);
      await page.close();
    }
  });

  test('a link with bad settings says so and the defaults are used', async () => {
    const { page, errors, log } = await openPage(env.context, env.url + '?c=not*base64');
    try {
      await waitFor(async () => /settings in this link could not be used/.test(await text(page, 'error')), {
        timeout: 10000, what: () => pageState(page),
      });
      assert.equal(await page.inputValue('#arch'), 'cnn', 'default architecture');
      await screenshot(page, 'runs-bad-link');
      assert.deepEqual(errors, [], 'console or page errors');
    } finally {
      await saveLog('runs-bad-link', log);
      await page.close();
    }
    // Valid base64url JSON with a wrong field: the field is named.
    const cfg = Buffer.from(JSON.stringify({ model: { arch: 'transformer' } })).toString('base64url');
    const second = await openPage(env.context, env.url + '?c=' + cfg);
    try {
      await waitFor(async () => /architecture "transformer"/.test(await text(second.page, 'error')), {
        timeout: 10000, what: () => pageState(second.page),
      });
      assert.equal(await second.page.inputValue('#arch'), 'cnn', 'default architecture');
      assert.deepEqual(second.errors, [], 'console or page errors');
    } finally {
      await second.page.close();
    }
    // A value the controls could hold only changed (the slider clamps a
    // shuffle fraction of 5): the worker checks the link as sent, with the
    // engine's rule, before the first run is made.
    const clamped = Buffer.from(JSON.stringify({
      model: { arch: 'mlp', hidden: [64] }, schedule: { kind: 'constant', lr0: 0.1 }, batchSize: 64, epochs: 1, seed: 1, shuffleFraction: 5,
    })).toString('base64url');
    const third = await openPage(env.context, env.url + '?c=' + clamped);
    try {
      const msg = await waitFor(async () => {
        const m = await text(third.page, 'error');
        return /settings in this link could not be used/.test(m) ? m : null;
      }, { timeout: 30000, what: () => pageState(third.page) });
      console.log(`# clamped link: ${msg}`);
      assert.match(msg, /shuffle fraction 5/, 'the engine names the field and the value');
      assert.equal(await third.page.inputValue('#arch'), 'cnn', 'default architecture');
      await waitFor(async () => (await text(third.page, 'param-count')) !== '', { timeout: 30000, what: () => pageState(third.page) });
      assert.equal(await third.page.inputValue('#arch'), 'cnn', 'the first run is the defaults\'');
      assert.deepEqual(third.errors, [], 'console or page errors');
    } finally {
      await third.page.close();
    }
  });

  test('two tabs: a stale tab never overwrites a newer run; new runs get distinct names', async () => {
    const a = await openPage(env.context, env.url);
    let b = null;
    const paused = (page) => waitFor(async () => (await text(page, 'state')) === 'paused', { timeout: 30000, what: () => pageState(page) });
    try {
      await waitDataLoaded(a.page, 60000);
      await setControls(a.page, SHORT_RUN);
      await a.page.click('#reset');
      await a.page.click('#start');
      await waitFor(async () => Number(await text(a.page, 'step-count')) > 60, { timeout: 60000, what: () => pageState(a.page) });
      await a.page.click('#pause');
      await paused(a.page);
      const id = await a.page.$eval('#runs-list li.run.current', (li) => li.dataset.id);

      // The second tab opens with the run as it is now.
      b = await openPage(env.context, env.url);
      await waitFor(async () => (await runRows(b.page)).some((r) => r.id === id), { timeout: 15000, what: async () => JSON.stringify(await runRows(b.page)) });
      const seen = await storedRun(a.page, id);

      // The first tab trains on two more epochs and pauses: its record grows.
      const e0 = Number(await text(a.page, 'epoch'));
      await a.page.click('#start');
      await waitFor(async () => Number(await text(a.page, 'epoch')) >= e0 + 2, { timeout: 120000, what: () => pageState(a.page) });
      await a.page.click('#pause');
      await paused(a.page);
      const fresh = await waitFor(async () => {
        const r = await storedRun(a.page, id);
        return r && r.state === 'paused' && r.epochs >= seen.epochs + 2 && r.weights ? r : null;
      }, { timeout: 15000, what: async () => JSON.stringify(await storedRun(a.page, id)) });

      // The stale tab ticks the run: the stored history stays the newer one.
      await b.page.check(`#runs-list li[data-id="${id}"] .run-overlay`);
      const after = await waitFor(async () => {
        const r = await storedRun(a.page, id);
        return r && r.overlay ? r : null;
      }, { timeout: 10000, what: async () => JSON.stringify(await storedRun(a.page, id)) });
      console.log(`# two tabs: record seen by the second tab ${seen.epochs} epochs, newest ${fresh.epochs}, after its edit ${after.epochs}`);
      assert.equal(after.epochs, fresh.epochs, `the stale tab wrote its old history over the newer one (${after.epochs} epochs, had ${fresh.epochs})`);
      assert.ok(after.weights, 'weights kept');
      // The first tab hears of the edit.
      await waitFor(async () => (await runRows(a.page)).find((r) => r.id === id)?.overlay, {
        timeout: 10000, what: async () => JSON.stringify(await runRows(a.page)),
      });

      // A new run in each tab: different names.
      for (const p of [b.page, a.page]) {
        await setControls(p, { ...SHORT_RUN, seed: p === a.page ? '8' : '9' });
        await p.click('#reset');
        await p.click('#start');
        await waitFor(async () => Number(await text(p, 'step-count')) > 0, { timeout: 60000, what: () => pageState(p) });
        await p.click('#pause');
        await paused(p);
      }
      const names = await waitFor(async () => {
        const n = await storedNames(a.page);
        return n.length >= 3 ? n : null;
      }, { timeout: 10000 });
      assert.equal(new Set(names).size, names.length, `run names repeat: ${JSON.stringify(names)}`);
      assert.deepEqual(a.errors, [], 'console or page errors in the first tab');
      assert.deepEqual(b.errors, [], 'console or page errors in the second tab');
    } finally {
      await saveLog('runs-two-tabs', [...a.log, '---- second tab', ...(b ? b.log : [])]);
      await a.page.close();
      await b?.page.close();
    }
  });

  test("the report's preset reproduces the CLI's report-protocol cells (Table 3, lr 1e-3, batch 100 and 500)", async () => {
    // The CLI's 5-seed runs of the same protocol (make reproduce).
    const csv = (await readFile(path.join(ROOT, 'results', 'report-protocol', 'cells.csv'), 'utf8')).trim().split('\n');
    const head = csv[0].split(',');
    const col = (name) => head.indexOf(name);
    const range = (batch) => {
      const accs = csv.slice(1).map((l) => l.split(','))
        .filter((r) => r[col('experiment')] === 'sweep' && Number(r[col('batch')]) === batch && Number(r[col('lr')]) === 1e-3)
        .map((r) => 100 * Number(r[col('test_acc')]));
      return [Math.min(...accs), Math.max(...accs), accs.length];
    };
    const { page, errors, log } = await openPage(env.context, env.url);
    try {
      await waitDataLoaded(page, 60000);
      await page.click('#sweep-report');
      assert.equal(await page.inputValue('#protocol'), 'report', 'the preset switches to the report protocol');
      assert.equal(await page.inputValue('#sweep-hidden'), '300, 100');
      await setControls(page, { 'sweep-batches': '100, 500', 'sweep-lrs': '1e-3' });
      await page.click('#sweep-start');
      await waitFor(async () => (await text(page, 'sweep-progress')) === '2/2' && !(await page.isEnabled('#sweep-cancel')), {
        timeout: 600000, interval: 500, what: async () => `${await text(page, 'sweep-progress')} ${await text(page, 'sweep-status')} ${await pageState(page)}`,
      });
      const test = await page.$$eval('#sweep-test tbody tr', (rows) => rows.map((r) => parseFloat(r.cells[1].textContent)));
      for (const [i, batch] of [100, 500].entries()) {
        const [lo, hi, n] = range(batch);
        console.log(`# report preset: batch ${batch}, lr 1e-3: test ${test[i]}% in the page; CLI ${n} seeds ${lo.toFixed(1)}-${hi.toFixed(1)}%`);
        assert.ok(n >= 5, `cells.csv has ${n} seeds for batch ${batch}`);
        assert.ok(test[i] >= lo - 2 && test[i] <= hi + 2, `batch ${batch}: ${test[i]}% outside the CLI's ${lo.toFixed(1)}-${hi.toFixed(1)}% widened by 2 points`);
      }
      await page.$eval('#sweep-panel', (e) => e.scrollIntoView());
      await screenshot(page, 'runs-sweep-report');
      assert.deepEqual(errors, [], 'console or page errors');
    } finally {
      await saveLog('runs-sweep-report', log);
      await page.close();
    }
  });

  test('a 2x2 sweep on a small subset fills the three tables', async () => {
    const { page, errors, log } = await openPage(env.context, env.url);
    try {
      await waitDataLoaded(page, 60000);
      await setControls(page, {
        'eval-subset': '500',
        'sweep-batches': '50, 200', 'sweep-lrs': '1e-1, 1e-3', 'sweep-epochs': '1', 'sweep-subset': '1000', 'sweep-hidden': '32',
      });
      // The lists are read by the worker (playground.SweepGrid): a bad
      // entry is named and nothing starts.
      await setControls(page, { 'sweep-batches': '50, 1.5' });
      await page.click('#sweep-start');
      await waitFor(async () => /Sweep batch sizes: "1\.5" is not a whole number/.test(await text(page, 'error')), {
        timeout: 20000, what: () => pageState(page),
      });
      assert.equal(await text(page, 'sweep-progress'), '', 'no sweep started');
      assert.ok(await page.isEnabled('#sweep-start'), 'Run sweep is back');
      await setControls(page, { 'sweep-batches': '50, 200' });
      const before = (await runRows(page)).length;
      await page.click('#sweep-start');
      await waitFor(async () => (await text(page, 'sweep-progress')) === '4/4' && !(await page.isEnabled('#sweep-cancel')), {
        timeout: 90000, what: async () => `${await text(page, 'sweep-progress')} ${await text(page, 'sweep-status')} ${await pageState(page)}`,
      });
      const tables = await page.$$eval('#sweep-tables table', (ts) => ts.map((t) => ({
        id: t.id,
        cols: [...t.tHead.rows[0].cells].map((c) => c.textContent),
        rows: [...t.tBodies[0].rows].map((r) => [...r.cells].map((c) => ({ text: c.textContent, bg: c.style.backgroundColor }))),
      })));
      assert.deepEqual(tables.map((t) => t.id), ['sweep-loss', 'sweep-train', 'sweep-test']);
      for (const t of tables) {
        assert.deepEqual(t.cols.slice(1), ['0.1', '1e-3'], `${t.id} columns`);
        assert.deepEqual(t.rows.map((r) => r[0].text), ['50', '200'], `${t.id} rows`);
        for (const r of t.rows) {
          for (const c of r.slice(1)) {
            assert.match(c.text, t.id === 'sweep-loss' ? /^\d+\.\d{3}$/ : /^\d+\.\d%$/, `${t.id} cell ${c.text}`);
            assert.match(c.bg, /^rgb/, `${t.id} cell coloured`);
          }
        }
      }
      // lr 0.1 learns far more in one epoch than 1e-3 (the report's Table 3 pattern).
      const test = tables[2].rows.map((r) => r.slice(1).map((c) => parseFloat(c.text)));
      assert.ok(test[0][0] > test[0][1] + 10, `test accuracy batch 50: lr 0.1 ${test[0][0]}% vs 1e-3 ${test[0][1]}%`);
      const runs = await runRows(page);
      assert.equal(runs.length, before + 4, 'four sweep runs listed');
      assert.ok(runs.slice(0, 4).every((r) => r.name.startsWith('sweep b')), JSON.stringify(runs.slice(0, 4).map((r) => r.name)));
      await page.$eval('#sweep-panel', (e) => e.scrollIntoView());
      await screenshot(page, 'runs-sweep');
      assert.deepEqual(errors, [], 'console or page errors');
    } finally {
      await saveLog('runs-sweep', log);
      await page.close();
    }
  });
});
