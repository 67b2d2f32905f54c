'use strict';
// TensorFlow.js in Node with the pure-JS cpu backend or the wasm backend
// (XNNPACK, SIMD build picked automatically), through tfjs-layers. No
// tfjs-node: it downloads a native binary at install time.
//
// A training step is optimizer.minimize(softmax cross-entropy of the model's
// logits) with plain SGD on one batch of 64, NHWC (64, 28, 28, 1) input; the
// loss is read back (dataSync) so the step has finished when it is timed.
// The wasm backend has no Conv2DBackpropFilter kernel: cnn-train reports
// "unsupported" (checked in the kernel registry, or when a step throws).
//
// Usage: node tfjs.js -backend cpu|wasm [-system tfjs-cpu] [-seconds 2] [-warmup 0.5] [-longstep 0] [-only cnn-train,...]
const path = require('path');
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const wasm = require('@tensorflow/tfjs-backend-wasm');
const tfl = require('@tensorflow/tfjs-layers');
const c = require('./common');

const args = c.parseArgs(process.argv.slice(2), { backend: 'cpu', system: '', seconds: 2, warmup: 0.5, longstep: 0, only: '' });
const system = args.system || `tfjs-${args.backend}`;

function build(net) {
  const m = tfl.sequential();
  if (net === 'cnn') {
    m.add(tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 10, kernelSize: 5, strides: 1, padding: 'valid' }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
    m.add(tfl.layers.activation({ activation: 'relu' }));
    m.add(tfl.layers.conv2d({ filters: 20, kernelSize: 5, strides: 1, padding: 'valid' }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
    m.add(tfl.layers.activation({ activation: 'relu' }));
    m.add(tfl.layers.flatten());
    m.add(tfl.layers.dense({ units: 100, activation: 'relu' }));
  } else {
    m.add(tfl.layers.dense({ inputShape: [784], units: 100, activation: 'relu' }));
  }
  m.add(tfl.layers.dense({ units: c.CLASSES })); // logits
  return m;
}

async function main() {
  if (args.backend === 'wasm') {
    wasm.setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), path.sep));
  } else if (args.backend !== 'cpu') {
    throw new Error(`bench: unknown backend ${args.backend}`);
  }
  await tf.setBackend(args.backend);
  await tf.ready();
  const { x: xs, y: ys } = c.randomBatch(1);
  for (const m of c.selected(args.only)) {
    const [netName, mode] = m.split('-');
    const model = build(netName);
    const x = netName === 'cnn' ? tf.tensor4d(xs, [c.BATCH, 28, 28, 1]) : tf.tensor2d(xs, [c.BATCH, 784]);
    const y = tf.oneHot(tf.tensor1d(Array.from(ys), 'int32'), c.CLASSES).cast('float32');
    const opt = tf.train.sgd(0.01);
    let step;
    if (mode === 'train') {
      step = () => {
        const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })), true);
        loss.dataSync();
        loss.dispose();
      };
    } else {
      step = () => tf.tidy(() => { model.predict(x).dataSync(); });
    }
    let eps;
    // Ask the kernel registry first: a step that throws half-way leaves the
    // engine's gradient tape in a state that slows every later measure.
    const missing = mode === 'train' && netName === 'cnn'
      ? ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad'].filter((k) => !tf.getKernel(k, tf.getBackend()))
      : [];
    if (missing.length > 0) {
      process.stderr.write(`${system} ${m}: no ${missing.join(', ')} kernel in backend ${tf.getBackend()}\n`);
      eps = 'unsupported';
    } else try {
      eps = c.measure(step, args.warmup, args.seconds, args.longstep);
    } catch (e) {
      process.stderr.write(`${system} ${m}: ${e.message}\n`);
      eps = 'unsupported';
    }
    console.log(c.line(system, m, eps));
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
