// Runs the canvas program (wasm/ui) in this iframe, with one of two
// presenters of the same view: ui-ebiten.wasm draws it on the GPU with
// ebiten (WebGL), ui.wasm on a 2D canvas from CPU-drawn pixels.
// choosePresenter picks ebiten where WebGL runs on a GPU and the 2D canvas
// where WebGL is missing or rendered in software (there every WebGL frame
// costs the CPU more than the 2D canvas does); ?ui=ebiten or ?ui=canvas
// overrides. The trainer worker's events arrive over a MessageChannel the
// parent page hands over in a {type:'connect'} message; the page's own
// (runs to overlay, export, pad) come with postMessage; the Go program
// answers the page with {type:'ui', ...} messages.
'use strict';

// What arrives on the trainer's channel is also dispatched on this window
// as a 'trainermessage' event (detail: the message, in arrival order), so
// tests and tools can watch the stream the canvas draws from. This
// listener is added before the Go program's, so it sees the port first;
// the Go program's onmessage starts the port.
addEventListener('message', (e) => {
  if (e.data && e.data.type === 'connect' && e.ports && e.ports[0]) {
    e.ports[0].addEventListener('message', (m) => dispatchEvent(new CustomEvent('trainermessage', { detail: m.data })));
  }
});

// softwareRenderer matches the unmasked renderer strings of WebGL drawn on
// the CPU (Chromium's SwiftShader, Mesa's llvmpipe and softpipe, Windows'
// basic render driver).
const softwareRenderer = /swiftshader|llvmpipe|softpipe|software|basic render/i;

// choosePresenter returns {name: 'ebiten' | 'canvas', reason, renderer}.
function choosePresenter() {
  const asked = new URLSearchParams(location.search).get('ui');
  let renderer = '';
  let gl = null;
  try {
    const c = document.createElement('canvas');
    gl = c.getContext('webgl2') || c.getContext('webgl');
    if (gl) {
      const info = gl.getExtension('WEBGL_debug_renderer_info');
      renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) || '');
      const lose = gl.getExtension('WEBGL_lose_context');
      if (lose) {
        lose.loseContext(); // one probe context less
      }
    }
  } catch (e) {
    gl = null;
  }
  if (asked === 'ebiten' || asked === 'canvas') {
    return { name: asked, reason: '?ui=' + asked + ' in the address', renderer };
  }
  if (!gl) {
    return { name: 'canvas', reason: 'this browser has no WebGL', renderer };
  }
  if (softwareRenderer.test(renderer)) {
    return { name: 'canvas', reason: 'WebGL renders in software here (' + renderer + ')', renderer };
  }
  return { name: 'ebiten', reason: 'WebGL runs on the GPU' + (renderer ? ' (' + renderer + ')' : ''), renderer };
}

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
  const presenter = choosePresenter();
  window.uiPresenter = presenter;
  window.parent.postMessage({ type: 'ui', event: 'presenter', name: presenter.name, reason: presenter.reason, renderer: presenter.renderer }, '*');
  const wasmFile = presenter.name === 'ebiten' ? 'ui-ebiten.wasm' : 'ui.wasm';
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
