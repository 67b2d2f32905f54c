// Runs the canvas program (wasm/ui) in this iframe. ui.wasm presents on a 2D
// canvas (the default: smooth with software WebGL); ui.html?ui=ebiten runs
// ui-ebiten.wasm, the same view presented with ebiten (WebGL), for browsers
// with a GPU. The parent page forwards worker events here with postMessage
// and the Go program answers with {type:'ui', ...} messages.
'use strict';

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
