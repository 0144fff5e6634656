// The generation stage: the loaded model's type picks the step view — one token per step for
// autoregressive models (gpt2, llama), denoising steps for masked-diffusion models (mdlm).

import { useEffect } from 'react';
import {
  forgetOtherDiffusionRuns,
  forgetOtherTextRuns,
  isDiffusionModel,
  isTextModel,
  useStore,
} from '../store/index.ts';
import { DiffusionView } from './DiffusionView.tsx';
import { TextView } from './TextView.tsx';

export function GenerateView() {
  const model = useStore((s) => s.model);
  const loading = useStore((s) => s.load.status === 'loading');
  const handle = model?.handle;

  // Runs of a model that was replaced ended with it (the engine closed their sessions).
  useEffect(() => {
    if (!handle) return;
    forgetOtherTextRuns(handle);
    forgetOtherDiffusionRuns(handle);
  }, [handle]);
  if (!model) {
    return (
      <article className="gen-empty">
        <h2>Generate</h2>
        <p className="note">
          {loading
            ? 'The model is loading…'
            : 'Choose a model in the Model list: brown-gpt2 writes one token per step, brown-mdlm unmasks a whole sequence over denoising steps.'}
        </p>
      </article>
    );
  }
  if (isTextModel(model.modelType)) return <TextView key={model.handle} modelName={model.source} />;
  if (isDiffusionModel(model.modelType)) return <DiffusionView key={model.handle} modelName={model.source} />;
  return (
    <article className="gen-empty">
      <h2>Generate</h2>
      <p className="note">
        {model.source} is a {model.modelType} model ({model.task}); the step views here are for text models: gpt2 and
        llama (autoregressive) and mdlm (masked diffusion).
      </p>
    </article>
  );
}
