// Shown instead of the playground when the browser gives us no WebGPU: what happened, in the
// browser's own words, and what to do about it.

import { loadAdapter, useStore } from '../store/index.ts';

export function WebGpuUnavailable() {
  const error = useStore((s) => s.adapter.error);
  const secure = globalThis.isSecureContext;
  return (
    <section className="unavailable" aria-labelledby="unavailable-title">
      <h2 id="unavailable-title">WebGPU is not available in this browser</h2>
      <p className="lead">
        Stepwise runs every model on your GPU through WebGPU, so it cannot run here as things stand. Nothing was
        downloaded and nothing was sent anywhere.
      </p>

      {error && (
        <div className="error-box" role="alert">
          <p className="error-title">What the browser said</p>
          <p className="mono" data-field="error-message">
            {error.message}
          </p>
          {error.hint && <p>{error.hint}</p>}
        </div>
      )}

      <h3>What you can do</h3>
      <ol className="steps">
        <li>
          <strong>Use a browser with WebGPU.</strong> Chrome or Edge 113 or later on Windows, macOS and ChromeOS, Chrome
          121 or later on Android, Safari 26 on macOS and iOS, Firefox 141 or later on Windows.
        </li>
        <li>
          <strong>On Linux, switch WebGPU on.</strong> Chrome and Chromium may ship it off: start the browser with{' '}
          <code>--enable-unsafe-webgpu</code> (add <code>--enable-features=Vulkan</code> if no adapter is found), or
          enable <code>chrome://flags/#enable-unsafe-webgpu</code> and restart.
        </li>
        <li>
          <strong>Open the page on a secure origin.</strong> WebGPU exists only over <code>https://</code> or on{' '}
          <code>localhost</code> / <code>127.0.0.1</code>.{' '}
          {secure ? (
            <span>This page is on one ({location.origin}).</span>
          ) : (
            <span className="tone-bad">This page is not ({location.origin}).</span>
          )}
        </li>
        <li>
          <strong>Turn on hardware acceleration</strong> in the browser settings, and update the GPU driver.{' '}
          <code>chrome://gpu</code> shows whether WebGPU is blocked and why.
        </li>
      </ol>
      <button type="button" className="primary" onClick={() => void loadAdapter()}>
        Try again
      </button>
    </section>
  );
}
