// The attention lab's one action: run the lab in the engine with the form's settings (the model input
// from the page's model). One run at a time; the result replaces the last one, whose map stays until
// then.

import { toErrorData } from '../shared/errors.ts';
import { engine } from './actions.ts';
import { labModelOf, validateLabForm } from './attentionLab.ts';
import { useStore } from './store.ts';

export async function runAttentionLab(): Promise<void> {
  const s = useStore.getState();
  if (s.attentionLab.running) return;
  const adapterClass = s.adapter.info?.adapter.adapterClass ?? 'cpu';
  const { request } = validateLabForm(s.attentionLab.form, adapterClass, labModelOf(s.model));
  if (!request) return;
  s.labStarted();
  try {
    useStore.getState().labFinished(await engine().attentionLab(request));
  } catch (e) {
    useStore.getState().labFailed(toErrorData(e));
  }
}
