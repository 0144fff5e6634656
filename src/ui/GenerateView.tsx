// The generation stage: the loaded model's type picks the step view — one token per step for
// autoregressive models (gpt2, llama), denoising steps for masked-diffusion models (mdlm). Image models
// have a tab of their own: the page points there.

import { useEffect } from 'react';
import {
  forgetOtherDiffusionRuns,
  forgetOtherTextRuns,
  IMAGE_MODELS,
  imageChooseModel,
  isDiffusionModel,
  isTextModel,
  useStore,
} from '../store/index.ts';
import { DiffusionView } from './DiffusionView.tsx';
import { TextView } from './TextView.tsx';

/** Model types the Images tab runs: the class-to-image generators, and the RVQ tokenizer that decodes
 *  their tokens. */
const IMAGE_MODEL_TYPES = new Set(['stepwise-maskgit', 'stepwise-ar', 'stepwise-rvq']);

/** Shows the Images tab, with the loaded generator chosen when it is one the tab offers. */
function openImages(source: string): void {
  const generator = IMAGE_MODELS.find((m) => m.id === source);
  if (generator) void imageChooseModel(generator.id);
  useStore.getState().showView('images');
}

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
  if (IMAGE_MODEL_TYPES.has(model.modelType)) {
    const tokenizer = model.modelType === 'stepwise-rvq';
    return (
      <article className="gen-empty">
        <h2>Generate</h2>
        <p className="note">
          {tokenizer
            ? `${model.source} is an image tokenizer (${model.modelType}): it decodes the image generators’ tokens, which the Images tab shows step by step.`
            : `${model.source} generates images from a class (${model.modelType}): the Images tab runs it step by step, with the decoded image and the token grid at every step.`}
        </p>
        <p>
          <button type="button" onClick={() => openImages(model.source)}>
            Open the Images tab
          </button>
        </p>
      </article>
    );
  }
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
