'use strict';
// Shared helpers for the JS benchmark programs: argument parsing, a seeded
// random batch, the timing loop and the one-line output format that
// `make bench-quick` prints and bench/js/run.js parses:
//   bench system=NAME net=cnn|mlp mode=train|infer examples_per_s=N

const BATCH = 64;
const CLASSES = 10;
const MEASURES = ['cnn-train', 'cnn-infer', 'mlp-train'];

// parseArgs reads -name value / --name value / --name=value.
function parseArgs(argv, defaults) {
  const out = Object.assign({}, defaults);
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    if (!a.startsWith('-')) throw new Error(`bench: unexpected argument ${a}`);
    a = a.replace(/^--?/, '');
    let v;
    const eq = a.indexOf('=');
    if (eq >= 0) { v = a.slice(eq + 1); a = a.slice(0, eq); } else { v = argv[++i]; }
    if (!(a in defaults)) throw new Error(`bench: unknown flag -${a}`);
    out[a] = typeof defaults[a] === 'number' ? Number(v) : v;
  }
  return out;
}

// rng is a small seeded generator (mulberry32) so every system sees the same
// kind of data; throughput does not depend on the values.
function rng(seed) {
  let s = seed >>> 0;
  return function () {
    s = (s + 0x6D2B79F5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// randomBatch returns x (BATCH, 1, 28, 28) roughly normalised like MNIST and
// labels (BATCH).
function randomBatch(seed) {
  const r = rng(seed);
  const x = new Float32Array(BATCH * 784); // (N, 1, 28, 28)
  for (let i = 0; i < x.length; i++) x[i] = (r() - 0.1307) / 0.3081;
  const y = new Uint8Array(BATCH); // (N)
  for (let i = 0; i < BATCH; i++) y[i] = Math.floor(r() * CLASSES);
  return { x, y };
}

// measure runs step (one batch of BATCH examples) for warmup seconds (at
// least one step), then for seconds (at least one step), and returns
// examples per second over the timed part. If longstep > 0 and the first
// warm-up step alone took longer than longstep seconds, that step is the
// measurement (quick mode: a step that slow is not dominated by warm-up).
function measure(step, warmup, seconds, longstep = 0) {
  let t0 = performance.now();
  step();
  const first = performance.now() - t0;
  if (longstep > 0 && first >= longstep * 1000) return BATCH / (first / 1000);
  while (performance.now() - t0 < warmup * 1000) step();
  let n = 0;
  t0 = performance.now();
  let el;
  do { step(); n++; el = performance.now() - t0; } while (el < seconds * 1000);
  return (n * BATCH) / (el / 1000);
}

function line(system, measure, eps) {
  const [net, mode] = measure.split('-');
  const v = typeof eps === 'number' ? eps.toFixed(1) : eps;
  return `bench system=${system} net=${net} mode=${mode} examples_per_s=${v}`;
}

function selected(only) {
  const list = only ? only.split(',').filter(Boolean) : MEASURES;
  for (const m of list) if (!MEASURES.includes(m)) throw new Error(`bench: unknown measure ${m}`);
  return list;
}

module.exports = { BATCH, CLASSES, MEASURES, parseArgs, randomBatch, measure, line, selected };
