'use strict';
// Drives the side-by-side benchmark: every system measures the same three
// things (cnn-train, cnn-infer, mlp-train; batch 64, float32 except
// ConvNetJS) in its own child process, and this script collects the
// `bench system=... examples_per_s=...` lines.
//
//   node run.js -quick ...   one short run of each system, lines printed as
//                            they come (make bench-quick)
//   node run.js ...          -reps repetitions; in each, for each measure,
//                            every system in turn (the order rotates per
//                            repetition) so that load from other processes
//                            on this shared machine hits all of them alike;
//                            medians of examples/s and of the per-repetition
//                            ratios to go-wasm-simd-node; writes -out
//                            (results.md) and prints it (make bench)
//
// The Go systems marked kernels also measure the engine's kernels in
// GFLOP/s next to the peak of a register-only multiply-add loop of the same
// build (gobench -only kernels): printed as they come with -quick, a table
// of medians otherwise.
//
// Paths to the Go builds come from flags (the Makefile builds them).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const c = require('./common');

const args = c.parseArgs(process.argv.slice(2), {
  quick: 'false', fastest: 'false', reps: 5, seconds: 1.5, warmup: 0.5, longstep: 0, out: '', systems: '',
  gobin: '', gobinsimd: '', wasm: '', wasmsimd: '', wasmrelaxed: '', wasmexecjs: '', gojswasmexec: '',
  python: '/usr/bin/python3', pincpu: '', torchcoretype: '', ref: 'go-wasm-simd-node',
});
const quick = args.quick === 'true' || args.quick === '1';
// -fastest true: this engine's systems (gobench) report the rate of their
// fastest timed step instead of the mean, which load from other processes
// on a shared machine barely moves; the other systems cannot, so it
// measures only go-* systems.
const fastest = args.fastest === 'true' || args.fastest === '1';
const REF = args.ref; // the system every ratio is to (-ref, e.g. torch-cpu for the native systems alone)
const node = process.execPath;
const here = __dirname;

// The native systems (one thread each) run pinned to one core with
// -pincpu N, so they compare on the same core.
const pin = (argv) => (args.pincpu !== '' ? ['taskset', '-c', String(args.pincpu), ...argv] : argv);
const pinNote = args.pincpu !== '' ? `, pinned to core ${args.pincpu}` : '';

const ALL = [
  { name: 'go-native', cmd: pin([args.gobin]), what: `this engine, native Go, default build (amd64: the generated AVX2/AVX-512 kernels, other loops scalar)${pinNote}` },
  { name: 'go-native-simd', kernels: true, cmd: pin([args.gobinsimd]), what: `this engine, native Go, GOEXPERIMENT=simd (amd64: the same assembly kernels)${pinNote}` },
  {
    // OpenBLAS picks its own kernels for this CPU: a forced core type
    // (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE) is unset for this command only,
    // unless -torchcoretype names one (for a CPU OpenBLAS does not know).
    name: 'torch-cpu',
    cmd: ['env', '-u', 'OPENBLAS_CORETYPE', '-u', 'OPENBLAS_L2_SIZE',
      ...(args.torchcoretype ? [`OPENBLAS_CORETYPE=${args.torchcoretype}`] : []),
      ...pin([args.python, path.join(here, '..', 'py', 'torchbench.py')])],
    what: `PyTorch CPU (Debian python3-torch, OpenBLAS ${args.torchcoretype ? `with OPENBLAS_CORETYPE=${args.torchcoretype}` : 'choosing its kernels'}), one thread${pinNote}`,
  },
  { name: 'go-wasm-node', cmd: [args.gojswasmexec, args.wasm], what: 'this engine as wasm (no SIMD) in Node' },
  { name: 'go-wasm-simd-node', kernels: true, cmd: [args.gojswasmexec, args.wasmsimd], what: 'this engine as wasm SIMD in Node (the reference)' },
  {
    name: 'go-wasm-simd-chromium',
    kernels: true,
    cmd: [node, path.join(here, 'chromium.js'), '-wasm', args.wasmsimd, '-wasmexec', args.wasmexecjs, '--'],
    what: 'the same wasm SIMD binary in a Web Worker in headless Chromium',
  },
  {
    // The page's trainer-relaxed.wasm: chosen where the browser has relaxed SIMD.
    name: 'go-wasm-relaxed-chromium',
    kernels: true,
    cmd: [node, path.join(here, 'chromium.js'), '-wasm', args.wasmrelaxed, '-wasmexec', args.wasmexecjs, '--'],
    what: 'this engine as wasm with relaxed SIMD (f32x4.relaxed_madd in the kernels, tag relaxedsimd) in a Web Worker in headless Chromium',
  },
  {
    // The one-worker side of the workers ratio: the same engine.Trainer
    // steps (batch gathering, finiteness checks) as the 2-worker line.
    name: 'go-wasm-simd-chromium-workers1',
    cmd: [node, path.join(here, 'chromium.js'), '-wasm', args.wasmsimd, '-wasmexec', args.wasmexecjs, '-workers', '1', '--', '-trainer'],
    measures: ['cnn-train'],
    what: 'the same, one run trained by engine.Trainer on 1 Web Worker (global batch 64): what the 2-worker line is compared with',
  },
  {
    name: 'go-wasm-simd-chromium-workers2',
    cmd: [node, path.join(here, 'chromium.js'), '-wasm', args.wasmsimd, '-wasmexec', args.wasmexecjs, '-workers', '2', '--'],
    measures: ['cnn-train'],
    what: 'the same, one run trained data-parallel on 2 Web Workers (engine.Trainer with SetReplica, gradients summed through a SharedArrayBuffer; global batch 64, 32 per worker)',
  },
  { name: 'convnetjs', cmd: [node, path.join(here, 'convnetjs.js')], what: 'ConvNetJS in Node (per-example, Float64Array)' },
  { name: 'tfjs-cpu', cmd: [node, path.join(here, 'tfjs.js'), '-backend', 'cpu'], what: 'TensorFlow.js layers, cpu backend, in Node' },
  { name: 'tfjs-wasm', cmd: [node, path.join(here, 'tfjs.js'), '-backend', 'wasm'], what: 'TensorFlow.js layers, wasm backend (XNNPACK, SIMD), in Node' },
];
const systems = (args.systems ? ALL.filter((s) => args.systems.split(',').includes(s.name)) : ALL)
  .filter((s) => !fastest || s.name.startsWith('go-'));
const notes = new Map(); // stderr remarks worth keeping, e.g. why unsupported
const KERNEL_LINE = /^bench system=(\S+) kernel=(\S+) gflops=(\S+)/;

// runKernels runs system s's kernel measures and returns {kernel: GFLOP/s},
// the peak loop under the key 'peak' (its name in peakName).
let peakName = {};
function runKernels(s, seconds, warmup) {
  const argv = [...s.cmd.slice(1), '-system', s.name, '-seconds', String(seconds), '-warmup', String(warmup), '-only', 'kernels'];
  const r = spawnSync(s.cmd[0], argv, { encoding: 'utf8', maxBuffer: 1 << 24, timeout: 900e3 });
  const out = {};
  for (const l of (r.stdout || '').split('\n')) {
    const m = KERNEL_LINE.exec(l.trim());
    if (!m) continue;
    if (m[2].startsWith('peak-')) { out.peak = Number(m[3]); peakName[s.name] = m[2].slice(5); } else out[m[2]] = Number(m[3]);
    if (quick) console.log(l.trim());
  }
  if (r.status !== 0 || r.error) {
    process.stderr.write(`run.js: ${s.name} kernels failed (${r.error || 'exit ' + r.status}):\n${r.stderr}\n`);
  }
  return out;
}

// runOne runs system s on the given measures and returns {measure: eps}.
function runOne(s, all, seconds, warmup) {
  const out = {};
  const measures = s.measures ? all.filter((m) => s.measures.includes(m)) : all;
  for (const m of all) if (!measures.includes(m)) out[m] = 'unsupported';
  if (measures.length === 0) return out;
  const argv = [...s.cmd.slice(1), '-system', s.name, '-seconds', String(seconds), '-warmup', String(warmup), '-longstep', String(args.longstep), '-only', measures.join(','),
    ...(fastest ? ['-fastest'] : [])];
  const r = spawnSync(s.cmd[0], argv, { encoding: 'utf8', maxBuffer: 1 << 24, timeout: 900e3 });
  for (const l of (r.stdout || '').split('\n')) {
    const m = /^bench system=(\S+) net=(cnn|mlp) mode=(train|infer) examples_per_s=(\S+)$/.exec(l.trim());
    if (!m) continue;
    out[`${m[2]}-${m[3]}`] = m[4] === 'unsupported' ? 'unsupported' : Number(m[4]);
    if (quick) console.log(l.trim());
  }
  for (const l of (r.stderr || '').split('\n')) {
    if (/unsupported|no \S+ kernel|not registered/i.test(l)) notes.set(l.trim(), true);
  }
  if (r.status !== 0 || r.error) {
    process.stderr.write(`run.js: ${s.name} ${measures.join(',')} failed (${r.error || 'exit ' + r.status}):\n${r.stderr}\n`);
  }
  for (const m of measures) {
    if (!(m in out)) {
      out[m] = 'failed';
      if (quick) console.log(c.line(s.name, m, 'failed'));
    }
  }
  return out;
}

function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const h = v.length >> 1;
  return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

function sh(cmd, argv) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  return (r.stdout || '').trim();
}

function pkgVersion(name) {
  try { return require(`${name}/package.json`).version; } catch (e) {
    try { return JSON.parse(fs.readFileSync(path.join(here, '..', 'node_modules', name, 'package.json'), 'utf8')).version; } catch (e2) { return '?'; }
  }
}

function fmt(x) {
  if (typeof x !== 'number') return x;
  if (!isFinite(x)) return 'n/a';
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1);
}

function fmtRatio(x) {
  if (x === 'unsupported') return '-';
  if (typeof x !== 'number') return x;
  if (!isFinite(x)) return 'n/a';
  if (x >= 10) return `${x.toFixed(1)}x`;
  return x >= 0.1 ? `${x.toFixed(2)}x` : `${x.toPrecision(2)}x`;
}

function machine() {
  const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = (/^model name\s*:\s*(.*)$/m.exec(info) || [])[1] || os.cpus()[0].model;
  const cores = (info.match(/^processor\s*:/gm) || []).length || os.cpus().length;
  return { model: model.trim(), cores };
}

function full() {
  const t0 = Date.now();
  const load0 = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  // res[rep][measure][system] = eps
  const res = [];
  const kres = []; // kres[rep][system][kernel] = GFLOP/s
  for (let rep = 0; rep < args.reps; rep++) {
    res.push({});
    for (const m of c.MEASURES) {
      res[rep][m] = {};
      const k = rep % systems.length;
      const order = systems.slice(k).concat(systems.slice(0, k));
      for (const s of order) {
        const v = runOne(s, [m], args.seconds, args.warmup)[m];
        res[rep][m][s.name] = v;
        process.stderr.write(`rep ${rep + 1}/${args.reps} ${c.line(s.name, m, typeof v === 'number' ? v.toFixed(1) : v)}\n`);
      }
    }
    kres.push({});
    for (const s of systems.filter((x) => x.kernels)) {
      kres[rep][s.name] = runKernels(s, args.seconds, args.warmup);
      process.stderr.write(`rep ${rep + 1}/${args.reps} kernels ${s.name}: ${JSON.stringify(kres[rep][s.name])}\n`);
    }
  }
  const load1 = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const minutes = ((Date.now() - t0) / 60000).toFixed(1);

  const med = {}; const ratio = {}; const spread = {};
  for (const s of systems) {
    med[s.name] = {}; ratio[s.name] = {}; spread[s.name] = {};
    for (const m of c.MEASURES) {
      const vals = res.map((r) => r[m][s.name]);
      if (vals.every((v) => v === 'unsupported')) { med[s.name][m] = 'unsupported'; ratio[s.name][m] = 'unsupported'; continue; }
      const nums = vals.filter((v) => typeof v === 'number');
      med[s.name][m] = median(nums);
      spread[s.name][m] = nums.length ? (Math.max(...nums) - Math.min(...nums)) / median(nums) : NaN;
      ratio[s.name][m] = median(res.map((r) => (typeof r[m][s.name] === 'number' && typeof r[m][REF] === 'number' ? r[m][s.name] / r[m][REF] : NaN)));
    }
  }

  const { model, cores } = machine();
  const goVersion = sh(process.env.GO || 'go', ['version']);
  const chromiumVersion = sh(process.env.CHROMIUM || '/usr/bin/chromium', ['--version']);
  const torchVersion = systems.some((s) => s.name === 'torch-cpu') ? sh(args.python, ['-c', 'import torch; print(torch.__version__)']) : '';
  const L = [];
  L.push('# Side-by-side benchmark');
  L.push('');
  L.push(`CPU: ${model}, ${cores} cores  `);
  L.push(`Date: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}  `);
  L.push(`Go: ${goVersion}; Node: ${process.version}; Chromium: ${chromiumVersion || '?'} (playwright-core ${pkgVersion('playwright-core')})  `);
  L.push(`Libraries: convnetjs ${pkgVersion('convnetjs')}, @tensorflow/tfjs-core ${pkgVersion('@tensorflow/tfjs-core')} (+ backend-cpu, backend-wasm, layers at the same version)` +
    (torchVersion ? `; PyTorch ${torchVersion} (${sh('sh', ['-c', "dpkg-query -W -f '${Package} ${Version}' libopenblas0-pthread 2>/dev/null"]) || 'no OpenBLAS package'})` : ''));
  L.push('');
  L.push(`Examples per second (higher is better), median of ${args.reps} repetitions of ${args.seconds} s`);
  L.push(`each after ${args.warmup} s of warm-up (always at least one step of each); each ratio is the median`);
  L.push(`of the per-repetition ratios to ${REF}, measured next to it in the same repetition.`);
  if (fastest) L.push('Each system reports the rate of its fastest timed step (-fastest), not the mean over the timed seconds.');
  if (args.longstep > 0) {
    const slow = [];
    for (const s of systems) for (const m of c.MEASURES) if (typeof med[s.name][m] === 'number' && med[s.name][m] < c.BATCH / args.longstep) slow.push(`${s.name} ${m}`);
    L.push(`A first step longer than ${args.longstep} s is itself the measurement${slow.length ? ` (here: ${slow.join(', ')})` : ''}.`);
  }
  L.push('');
  L.push(`| system | cnn-train | ratio | cnn-infer | ratio | mlp-train | ratio |`);
  L.push(`|---|---:|---:|---:|---:|---:|---:|`);
  for (const s of systems) {
    const cells = [];
    for (const m of c.MEASURES) cells.push(fmt(med[s.name][m]), fmtRatio(ratio[s.name][m]));
    L.push(`| ${s.name} | ${cells.join(' | ')} |`);
  }
  const ksys = systems.filter((s) => s.kernels);
  if (ksys.length > 0) {
    const names = [...new Set(ksys.flatMap((s) => kres.flatMap((r) => Object.keys(r[s.name] || {}))))].filter((k) => k !== 'peak' && !k.startsWith('loop128-'));
    L.push('');
    L.push('Kernels, GFLOP/s (median over the repetitions), each next to the peak of a register-only');
    L.push('multiply-add loop of the same build in the same repetition (fraction of it in parentheses):');
    L.push('');
    L.push(`| system | peak (loop) | ${names.join(' | ')} |`);
    L.push(`|---|---:|${names.map(() => '---:').join('|')}|`);
    for (const s of ksys) {
      const med = (k) => median(kres.map((r) => (r[s.name] || {})[k]));
      const frac = (k) => median(kres.map((r) => ((r[s.name] || {})[k] / (r[s.name] || {}).peak)));
      const p = med('peak');
      const cells = names.map((k) => (isFinite(med(k)) ? `${med(k).toFixed(1)}${isFinite(p) ? ` (${(100 * frac(k)).toFixed(0)}%)` : ''}` : 'n/a'));
      L.push(`| ${s.name} | ${isFinite(p) ? `${p.toFixed(1)} (${peakName[s.name]})` : 'n/a'} | ${cells.join(' | ')} |`);
    }
    L.push('');
    L.push('Kernel shapes: gemm-nn-256 is Gemm 256x256x256 (the packed 4-row micro-kernel); conv2-fwd and');
    L.push('conv2-dw are the CNN\'s second convolution at batch 64, forward (the micro-kernel with B rows');
    L.push('at tap offsets) and weight gradient (the 2x4 dot-product tile at tap offsets);');
    L.push('gemm-nt-64x256x1024 is A·Bᵀ with k = 1024 (the dot-product tile). The peak loops: amd64, 12');
    L.push('chains of FMA at the kernels\' vector width; wasm SIMD, 10 chains of 4-lane f32x4.mul and');
    L.push('f32x4.add; relaxed, 10 chains of f32x4.relaxed_madd (a multiply-add counts 2 operations).');
    // The CPU's own gain from fusing, at wasm SIMD's width: the bound on
    // what relaxed_madd can give a kernel limited by the arithmetic units.
    for (const s of ksys) {
      const fma = median(kres.map((r) => (r[s.name] || {})['loop128-fma']));
      const ma = median(kres.map((r) => (r[s.name] || {})['loop128-mul-add']));
      if (isFinite(fma) && isFinite(ma)) {
        L.push('');
        L.push(`At 128 bits (wasm SIMD's width) this CPU runs 12 chains of fused multiply-adds at ${fma.toFixed(1)} GFLOP/s`);
        L.push(`and 12 chains of a multiply then an add at ${ma.toFixed(1)} (${s.name}, register-only loops): fusing gains`);
        L.push(`${(fma / ma).toFixed(2)}x here, the most f32x4.relaxed_madd can give a kernel bound by the arithmetic units.`);
        break;
      }
    }
  }
  L.push('');
  L.push('Networks (the same in every system): the report\'s CNN, conv(1->10, 5x5) -> maxpool 2 -> ReLU ->');
  L.push('conv(10->20, 5x5) -> maxpool 2 -> ReLU -> fc 320->100 -> ReLU -> fc 100->10 -> softmax');
  L.push('cross-entropy, and the MLP 784-100-10 (ReLU). Batch 64 random examples; a training step is');
  L.push('forward, backward and a plain SGD update; inference is a forward pass over the batch.');
  L.push('');
  L.push('Systems:');
  L.push('');
  for (const s of systems) L.push(`- ${s.name}: ${s.what}`);
  L.push('');
  L.push('Notes:');
  L.push('');
  L.push('- Every system runs single-threaded (Go wasm has one thread; the engine starts no goroutines;');
  L.push('  ConvNetJS and tfjs cpu are plain JS; tfjs wasm loads its non-threaded SIMD build in Node;');
  L.push('  PyTorch runs with torch.set_num_threads(1)).');
  L.push('- ConvNetJS trains one example per call (a batch = 64 train() calls, weights updated every 64th)');
  L.push('  and computes in float64; the others in float32. tfjs uses NHWC input (64, 28, 28, 1).');
  // Relaxed SIMD against the plain SIMD build, pair by pair in each repetition.
  const pairRatio = (x, y, m) => median(res.map((r) => (typeof r[m][x] === 'number' && typeof r[m][y] === 'number' ? r[m][x] / r[m][y] : NaN)));
  if (systems.some((s) => s.name === 'go-wasm-relaxed-chromium') && systems.some((s) => s.name === 'go-wasm-simd-chromium')) {
    L.push('- Relaxed SIMD over plain SIMD in Chromium (go-wasm-relaxed-chromium / go-wasm-simd-chromium, median of the' +
      ' per-repetition ratios): ' + c.MEASURES.map((m) => `${m} ${fmtRatio(pairRatio('go-wasm-relaxed-chromium', 'go-wasm-simd-chromium', m))}`).join(', ') + '.');
  }
  if (systems.some((s) => s.name === 'go-wasm-simd-chromium-workers1') && systems.some((s) => s.name === 'go-wasm-simd-chromium-workers2')) {
    L.push('- 2 workers over 1 worker, both through engine.Trainer in Chromium (go-wasm-simd-chromium-workers2 / go-wasm-simd-chromium-workers1,' +
      ' median of the per-repetition ratios): cnn-train ' + fmtRatio(pairRatio('go-wasm-simd-chromium-workers2', 'go-wasm-simd-chromium-workers1', 'cnn-train')) + '.');
  }
  for (const n of notes.keys()) L.push(`- unsupported: ${n}`);
  const refSpread = median(c.MEASURES.map((m) => spread[REF] && spread[REF][m]));
  L.push(`- Load average (1, 5, 15 min) before: ${load0}; after: ${load1}; ${minutes} min in all.`);
  const noisy = Number(load0.split(' ')[0]) > cores || Number(load1.split(' ')[0]) > cores || refSpread > 0.2;
  L.push(`- Spread (max-min)/median of ${REF} over repetitions: ${isFinite(refSpread) ? (100 * refSpread).toFixed(0) + '%' : 'n/a'}.` +
    (noisy ? ' The machine was shared with other work during this run (load above the core count or a wide spread):' +
      ' absolute numbers are noisy and low; the ratios, taken pair by pair, are the steadier figures.' : ''));
  L.push('');
  L.push('Per-repetition raw numbers (examples/s):');
  L.push('');
  L.push('| system | measure | ' + res.map((_, i) => `rep ${i + 1}`).join(' | ') + ' |');
  L.push('|---|---|' + res.map(() => '---:').join('|') + '|');
  for (const s of systems) {
    for (const m of c.MEASURES) L.push(`| ${s.name} | ${m} | ` + res.map((r) => fmt(r[m][s.name])).join(' | ') + ' |');
  }
  L.push('');
  const text = L.join('\n');
  if (args.out) fs.writeFileSync(args.out, text);
  console.log(text);
}

if (quick) {
  for (const s of systems) runOne(s, c.MEASURES, args.seconds, args.warmup);
  for (const s of systems.filter((x) => x.kernels)) runKernels(s, args.seconds, args.warmup);
} else {
  full();
}
