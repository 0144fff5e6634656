// The model area: pick a model. No models ship yet, so the list holds a disabled placeholder.

import { useId } from 'react';

export function ModelPanel() {
  const selectId = useId();
  return (
    <section className="panel" aria-labelledby={`${selectId}-title`}>
      <h2 id={`${selectId}-title`} className="panel-title">
        Generate
      </h2>
      <div className="field">
        <label htmlFor={selectId}>Model</label>
        <select id={selectId} defaultValue="">
          <option value="" disabled>
            No models yet
          </option>
        </select>
      </div>
      <p className="note">
        Demo models — an emoji image generator, a masked-diffusion text model and a small GPT — will appear here. Each
        runs entirely in this tab: weights are cached in your browser and nothing is uploaded.
      </p>
    </section>
  );
}
