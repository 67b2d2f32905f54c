// Measures how much the worker pool speeds up a sweep (issue 14): the
// sweep panel's default 12-run grid (batch 100/500/3000/5000 x lr
// 1e-3/1e-4/1e-5, MLP 100, 5 epochs on 10,000 images), run in the page
// with Workers 1 and then 2, in one run of this script, twice each (the
// first with the pool's workers still to start and load the data, the
// second with them warm; both after the page's worker has loaded all the
// data and shared it with the pool). It then counts the frames the page and
// its canvas draw while a further sweep trains on the last Workers value,
// and, with the first, while the page's own CNN run trains beside it.
//
//   make bin/mnistplay e2e-deps chromium && node e2e/sweep-speed.mjs [-workers 1,2]
//
// Not a test: its figures depend on the machine. It prints one line per
// sweep (on Linux with the CPU seconds Chromium's threads spent in it, by
// class, from /proc) and the ratios.

import fs from 'node:fs';
import { chromiumProcesses, launchBrowser, openPage, setControls, startServer, waitDataLoaded, waitFor, withTimeout } from './lib.mjs';

const arg = (name, def) => {
  const i = process.argv.indexOf('-' + name);
  return i > 0 ? process.argv[i + 1] : def;
};
const WORKERS = arg('workers', '1,2').split(',').map(Number);
const REPEAT = Number(arg('repeat', '2'));

// cpuByThread reads, on Linux, the CPU seconds every Chromium thread has
// used so far, by class: the renderer's main thread (the page and its
// canvas), its dedicated workers (the pool's and the page's trainer), the
// rest of the renderer, and each other process type. Elsewhere it is empty.
function cpuByThread() {
  const out = new Map();
  const hz = 100; // USER_HZ, 100 on Linux
  for (const { pid, cmd } of chromiumProcesses()) {
    let tids;
    try {
      tids = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // gone
    }
    const type = (/--type=([a-z-]+)/.exec(cmd) || [, 'browser'])[1];
    for (const tid of tids) {
      let st;
      try {
        st = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      } catch {
        continue;
      }
      const name = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'));
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      const cls = type !== 'renderer' ? type : tid === pid ? 'page_main' : /Dedicated/.test(name) ? 'workers' : 'renderer_other';
      out.set(pid + '/' + tid, { cls, sec: (Number(f[11]) + Number(f[12])) / hz });
    }
  }
  return out;
}

// cpuSpent sums by class the CPU seconds used between readings a and b.
function cpuSpent(a, b) {
  const by = {};
  for (const [k, v] of b) {
    by[v.cls] = (by[v.cls] || 0) + v.sec - (a.get(k)?.sec || 0);
  }
  return Object.entries(by).sort().map(([k, v]) => `${k}=${v.toFixed(2)}`).join(' ');
}

// countFrames starts counting requestAnimationFrame callbacks in frame f.
function countFrames(f) {
  return f.evaluate(() => {
    self.__frames = 0;
    if (self.__counting) {
      return;
    }
    self.__counting = true;
    const tick = () => {
      if (!self.__counting) {
        return;
      }
      self.__frames++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

// stopCounting ends the count countFrames started in frame f.
function stopCounting(f) {
  return f.evaluate(() => {
    self.__counting = false;
  });
}

// sweepOnce runs the sweep once and times it. With count, it also counts
// the frames the page and its canvas draw meanwhile: counting requests an
// animation frame every vsync in both documents, work for the page's
// thread that the timed sweeps leave out (the canvas draws only when it
// has something new).
async function sweepOnce(page, { foreground = false, count = false } = {}) {
  const frame = page.frames().find((f) => f !== page.mainFrame());
  if (count) {
    await countFrames(page.mainFrame());
    if (frame) {
      await countFrames(frame);
    }
  }
  if (foreground) {
    await page.click('#start'); // the page's own run (the default CNN) trains beside the sweep
  }
  const cpu0 = cpuByThread();
  // The page times the sweep itself and says when it has ended, so this
  // script does not poll (each poll is work for the page and the browser
  // while they are measured).
  const ended = page.evaluate(() => new Promise((resolve) => {
    const progress = document.getElementById('sweep-progress');
    const cancel = document.getElementById('sweep-cancel');
    const start = document.getElementById('sweep-start');
    let t0 = 0;
    let begun = false; // the new grid has come: until then the last sweep's 12/12 shows
    const check = () => {
      begun = begun || progress.textContent !== '12/12';
      if (begun && progress.textContent === '12/12' && cancel.disabled) {
        obs.disconnect();
        resolve((performance.now() - t0) / 1000);
      }
    };
    const obs = new MutationObserver(check);
    obs.observe(progress, { childList: true, characterData: true, subtree: true });
    obs.observe(cancel, { attributes: true });
    t0 = performance.now();
    start.click();
  }));
  const sec = await withTimeout(ended, 1800000, 'the sweep to end');
  const cpu = cpuSpent(cpu0, cpuByThread());
  const frames = count ? await page.evaluate(() => self.__frames) : NaN;
  const uiFrames = count && frame ? await frame.evaluate(() => self.__frames) : NaN;
  if (count) {
    await stopCounting(page.mainFrame());
    if (frame) {
      await stopCounting(frame);
    }
  }
  if (foreground) {
    await page.click('#pause');
  }
  const cells = await page.$$eval('#sweep-test td', (tds) => tds.map((td) => td.textContent));
  return { sec, fps: frames / sec, uiFps: uiFrames / sec, cells, cpu };
}

async function main() {
  const server = await startServer();
  const browser = await launchBrowser();
  const res = {};
  try {
    for (const k of WORKERS) {
      const { page, errors } = await openPage(browser.context, server.url);
      await page.$eval('#workers', (e, v) => {
        e.value = v;
        e.dispatchEvent(new Event('change', { bubbles: true }));
      }, String(k));
      await waitDataLoaded(page, 120000);
      // "Cold" is the pool's workers still to be made, not the page still
      // decoding: a sweep started later finds the page's data shared.
      await waitFor(() => page.evaluate(() => self.mnistplay.poolSharedData === true), { timeout: 120000, what: () => 'no shared data' });
      await setControls(page, { 'sweep-batches': '100, 500, 3000, 5000', 'sweep-lrs': '1e-3, 1e-4, 1e-5', 'sweep-epochs': '5', 'sweep-subset': '10000', 'sweep-hidden': '100' });
      res[k] = [];
      for (let i = 0; i < REPEAT; i++) {
        const r = await sweepOnce(page);
        res[k].push(r);
        console.log(`sweep workers=${k} ${i === 0 ? 'cold' : 'warm'} seconds=${r.sec.toFixed(1)} test_acc=${r.cells.join(',')}`);
        if (r.cpu) {
          console.log(`  cpu_seconds ${r.cpu}`);
        }
      }
      if (k === WORKERS[WORKERS.length - 1]) {
        // Every pool worker busy: the frames drawn meanwhile.
        const r = await sweepOnce(page, { count: true });
        console.log(`sweep workers=${k} warm+frames seconds=${r.sec.toFixed(1)} page_fps=${r.fps.toFixed(1)} canvas_fps=${r.uiFps.toFixed(1)}`);
      }
      if (k === WORKERS[0]) {
        // Every worker busy: the page's own CNN run trains beside the sweep.
        const r = await sweepOnce(page, { foreground: true, count: true });
        console.log(`sweep workers=${k} warm+page-run seconds=${r.sec.toFixed(1)} page_fps=${r.fps.toFixed(1)} canvas_fps=${r.uiFps.toFixed(1)}`);
      }
      if (errors.length) {
        console.log('errors: ' + errors.join('; '));
      }
      await page.close();
    }
    const base = res[WORKERS[0]];
    for (const k of WORKERS.slice(1)) {
      for (let i = 0; i < REPEAT; i++) {
        console.log(`ratio workers=${k}/${WORKERS[0]} ${i === 0 ? 'cold' : 'warm'} time=${(res[k][i].sec / base[i].sec).toFixed(2)}`);
      }
    }
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
