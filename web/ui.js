// Runs ui.wasm (wasm/ui, an ebiten game) in this iframe. ebiten makes its
// canvas fill the body; the parent page forwards worker events here with
// postMessage and the Go program answers with {type:'ui', ...} messages.
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
  const go = new Go();
  let result;
  try {
    const resp = fetch('ui.wasm');
    if (WebAssembly.instantiateStreaming) {
      try {
        result = await WebAssembly.instantiateStreaming(resp, go.importObject);
      } catch (e) {
        // Wrong content type from a simple server: fall back to bytes.
        const buf = await (await fetch('ui.wasm')).arrayBuffer();
        result = await WebAssembly.instantiate(buf, go.importObject);
      }
    } else {
      const buf = await (await resp).arrayBuffer();
      result = await WebAssembly.instantiate(buf, go.importObject);
    }
  } catch (e) {
    fail('Could not load the canvas (ui.wasm): ' + e.message);
    return;
  }
  loading.remove();
  go.run(result.instance).then(() => fail('The canvas program stopped.'));
})();
