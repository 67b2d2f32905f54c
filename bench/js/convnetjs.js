'use strict';
// ConvNetJS in Node. ConvNetJS trains one example per call: a batch of 64 is
// 64 train() calls with the SGD trainer's batch_size 64 (it updates on every
// 64th call). It stores everything in Float64Array (it has no float32 mode).
// Inference is net.forward per example.
//
// Usage: node convnetjs.js [-system convnetjs] [-seconds 2] [-warmup 0.5] [-longstep 0] [-only cnn-train,...]
const convnetjs = require('convnetjs');
const c = require('./common');

const args = c.parseArgs(process.argv.slice(2), { system: 'convnetjs', seconds: 2, warmup: 0.5, longstep: 0, only: '' });

function defs(net) {
  const d = [{ type: 'input', out_sx: 28, out_sy: 28, out_depth: 1 }];
  if (net === 'cnn') {
    d.push({ type: 'conv', sx: 5, filters: 10, stride: 1, pad: 0 }); // no activation: pool first
    d.push({ type: 'pool', sx: 2, stride: 2 });
    d.push({ type: 'relu' });
    d.push({ type: 'conv', sx: 5, filters: 20, stride: 1, pad: 0 });
    d.push({ type: 'pool', sx: 2, stride: 2 });
    d.push({ type: 'relu' });
  }
  d.push({ type: 'fc', num_neurons: 100, activation: 'relu' });
  d.push({ type: 'softmax', num_classes: c.CLASSES }); // adds fc ->10 itself
  return d;
}

function setup(netName) {
  const net = new convnetjs.Net();
  net.makeLayers(defs(netName));
  const trainer = new convnetjs.SGDTrainer(net, { method: 'sgd', learning_rate: 0.01, momentum: 0, batch_size: c.BATCH, l2_decay: 0 });
  const { x, y } = c.randomBatch(1);
  const vols = [];
  for (let i = 0; i < c.BATCH; i++) {
    const v = new convnetjs.Vol(28, 28, 1, 0.0);
    for (let j = 0; j < 784; j++) v.w[j] = x[i * 784 + j];
    vols.push(v);
  }
  return { net, trainer, vols, y };
}

for (const m of c.selected(args.only)) {
  const [netName, mode] = m.split('-');
  const s = setup(netName);
  let step;
  if (mode === 'train') {
    step = () => { for (let i = 0; i < c.BATCH; i++) s.trainer.train(s.vols[i], s.y[i]); };
  } else {
    let sink = 0;
    step = () => { for (let i = 0; i < c.BATCH; i++) sink += s.net.forward(s.vols[i], false).w[0]; };
  }
  console.log(c.line(args.system, m, c.measure(step, args.warmup, args.seconds, args.longstep)));
}
