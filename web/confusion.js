// The confusion matrix on the validation set (the worker's 'confusion'
// event) as a coloured HTML table, rows the true digit and columns the
// predicted one, and the most confidently wrong test images drawn 28x28 on
// small canvases scaled up.
'use strict';

(function (ns) {
  // render fills box from ev = {matrix:[100], worst:[{image,label,pred,prob}], n, acc}.
  function render(box, ev) {
    box.replaceChildren();
    const m = ev.matrix;
    const head = document.createElement('p');
    head.className = 'confusion-head';
    head.textContent = 'Validation: ' + (100 * ev.acc).toFixed(2) + '% right on ' +
      Number(ev.n).toLocaleString('en-US') + ' test images. Rows: true digit; columns: predicted. ' +
      'Green: right; red: wrong (shade = share of the row).';
    const t = document.createElement('table');
    t.className = 'data confusion';
    t.id = 'confusion-table';
    const cap = document.createElement('caption');
    cap.textContent = 'Confusion matrix';
    t.appendChild(cap);
    const hr = t.createTHead().insertRow();
    const corner = document.createElement('th');
    corner.scope = 'col';
    corner.textContent = 'true \\ pred';
    hr.appendChild(corner);
    for (let c = 0; c < 10; c++) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = String(c);
      hr.appendChild(th);
    }
    const tb = t.createTBody();
    for (let r = 0; r < 10; r++) {
      const tr = tb.insertRow();
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = String(r);
      tr.appendChild(th);
      let total = 0;
      for (let c = 0; c < 10; c++) {
        total += m[r * 10 + c];
      }
      for (let c = 0; c < 10; c++) {
        const v = m[r * 10 + c];
        const td = tr.insertCell();
        td.textContent = String(v);
        const share = total > 0 ? v / total : 0;
        if (r === c) {
          td.className = 'diag';
          // Light to strong green with the share right.
          const a = 0.15 + 0.75 * share;
          td.style.backgroundColor = 'rgba(22, 128, 60, ' + a.toFixed(3) + ')';
          td.style.color = a > 0.5 ? '#fff' : '#111';
        } else if (v > 0) {
          // Any mistake shows; the shade grows with its share (sqrt: small shares stay visible).
          const a = Math.min(0.9, 0.08 + 2.5 * Math.sqrt(share) * 0.5);
          td.style.backgroundColor = 'rgba(200, 30, 30, ' + a.toFixed(3) + ')';
          td.style.color = a > 0.5 ? '#fff' : '#111';
        } else {
          td.className = 'zero';
        }
        td.title = 'true ' + r + ', predicted ' + c + ': ' + v + (total ? ' (' + (100 * share).toFixed(1) + '% of the ' + r + 's)' : '');
      }
    }
    const worst = document.createElement('div');
    worst.className = 'worst';
    worst.id = 'confusion-worst';
    const wh = document.createElement('h3');
    wh.textContent = 'Most confidently wrong';
    worst.appendChild(wh);
    const grid = document.createElement('ul');
    grid.className = 'worst-grid';
    for (const w of ev.worst || []) {
      const li = document.createElement('li');
      const cv = document.createElement('canvas');
      cv.width = 28;
      cv.height = 28;
      const caption = 'true ' + w.label + ' → predicted ' + w.pred + ' (' + (Math.floor(1000 * w.prob) / 10).toFixed(1) + '%)';
      cv.setAttribute('role', 'img');
      cv.setAttribute('aria-label', 'test image: ' + caption);
      draw(cv, w.image);
      const p = document.createElement('span');
      p.textContent = caption;
      li.append(cv, p);
      grid.appendChild(li);
    }
    if (!ev.worst || ev.worst.length === 0) {
      const p = document.createElement('p');
      p.textContent = 'No mistakes.';
      worst.appendChild(p);
    }
    worst.appendChild(grid);
    box.append(head, t, worst);
  }

  // draw paints a 28x28 grey image (ink = 255) as dark ink on white.
  function draw(cv, image) {
    const ctx = cv.getContext('2d');
    const img = ctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = 255 - (image[i] || 0);
      img.data[4 * i] = v;
      img.data[4 * i + 1] = v;
      img.data[4 * i + 2] = v;
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  ns.renderConfusion = render;
})(window.mnistplay = window.mnistplay || {});
