// The stage before any model is loaded: what the playground does and how.

import { useStore } from '../store/index.ts';

export function Overview() {
  const showView = useStore((s) => s.showView);
  return (
    <article className="overview">
      <h2>Watch a generative model think, one step at a time</h2>
      <p className="lead">
        Stepwise runs small generative models in your browser on your own GPU, and lets you stop, rewind and branch
        their generation at every step.
      </p>
      <ul className="feature-list">
        <li>
          <strong>Images from a few dozen tokens.</strong> An emoji generator fills a grid of discrete image tokens,
          MaskGIT-style: you see which tokens it commits at each step and how confident it was.
        </li>
        <li>
          <strong>Text by masked diffusion.</strong> A diffusion language model starts from a fully masked sentence and
          unmasks it in parallel, step by step.
        </li>
        <li>
          <strong>Text, one token at a time.</strong> A small autoregressive model with greedy, temperature, top-k and
          top-p sampling, with the top candidates shown for every position.
        </li>
      </ul>
      <p>
        Every number is computed by hand-written WGSL compute kernels in a Web Worker; this page never blocks while a
        model runs. The inspector shows your GPU adapter and, while a model runs, the time each kernel takes.
      </p>
      <p>
        Before the models arrive, you can check that every kernel computes the right numbers on this GPU: the{' '}
        <button type="button" className="link-button" onClick={() => showView('selftest')}>
          kernel self-test
        </button>{' '}
        compares each one against a double-precision reference.
      </p>
    </article>
  );
}
