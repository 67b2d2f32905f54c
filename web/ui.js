// Runs the canvas program (wasm/ui) in this iframe. ui.wasm presents on a 2D
// canvas (the default: smooth with software WebGL); ui.html?ui=ebiten runs
// ui-ebiten.wasm, the same view presented with ebiten (WebGL), for browsers
// with a GPU. The parent page forwards worker events here with postMessage
// and the Go program answers with {type:'ui', ...} messages.
'use strict';

// uiEncodePNG turns a panel the Go program exported ({panel, rgba, width,
// height}) into a PNG with the browser's own encoder and sends it to the
// page as {type:'ui', event:'png', panel, bytes} (empty bytes: nothing to
// export, or no encoder).
window.uiEncodePNG = function (m) {
  const reply = (bytes, error) => {
    const msg = { type: 'ui', event: 'png', panel: m.panel, bytes: bytes };
    if (error || m.error) {
      msg.error = String(error || m.error);
    }
    window.parent.postMessage(msg, '*', bytes.length > 0 ? [bytes.buffer] : []);
  };
  if (!m.width || !m.height || !m.rgba || m.rgba.length !== 4 * m.width * m.height) {
    reply(new Uint8Array(0));
    return;
  }
  const c = document.createElement('canvas');
  c.width = m.width;
  c.height = m.height;
  c.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(m.rgba.buffer, m.rgba.byteOffset, m.rgba.length), m.width, m.height), 0, 0);
  c.toBlob((blob) => {
    if (!blob) {
      reply(new Uint8Array(0), 'the browser could not encode the PNG');
      return;
    }
    blob.arrayBuffer().then((b) => reply(new Uint8Array(b)), (e) => reply(new Uint8Array(0), e));
  }, 'image/png');
};

(async function () {
  const loading = document.getElementById('ui-loading');
  function fail(msg) {
    loading.textContent = msg;
    loading.style.color = '#b00';
    window.parent.postMessage({ type: 'ui', event: 'error', message: msg }, '*');
  }
  if (typeof WebAssembly !== 'object') {
    fail('This browser does not support WebAssembly.');
    return;
  }
  const wasmFile = new URLSearchParams(location.search).get('ui') === 'ebiten' ? 'ui-ebiten.wasm' : 'ui.wasm';
  const go = new Go();
  let result;
  try {
    const resp = fetch(wasmFile);
    if (WebAssembly.instantiateStreaming) {
      try {
        result = await WebAssembly.instantiateStreaming(resp, go.importObject);
      } catch (e) {
        // Wrong content type from a simple server: fall back to bytes.
        const buf = await (await fetch(wasmFile)).arrayBuffer();
        result = await WebAssembly.instantiate(buf, go.importObject);
      }
    } else {
      const buf = await (await resp).arrayBuffer();
      result = await WebAssembly.instantiate(buf, go.importObject);
    }
  } catch (e) {
    fail('Could not load the canvas (' + wasmFile + '): ' + e.message);
    return;
  }
  loading.remove();
  go.run(result.instance).then(() => fail('The canvas program stopped.'));
})();
