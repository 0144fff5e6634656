// A new version of the app waits for the person. The service worker installs it in the background;
// the header then says "update ready — reload", and the page reloads only when they click, never on
// its own, and never while a run steps or a model loads (a reload would lose both). Kept apart from
// the main store: it is about the page, not the engine, and reads the store only to know what a
// reload would interrupt.

import { create } from 'zustand';
import { useStore } from './store.ts';
import type { StoreState } from './types.ts';

export interface UpdateState {
  ready: boolean; // a new version is installed and waiting
  /** Activates the waiting version (the page then reloads); set by the service worker registration. */
  activate: (() => Promise<void>) | null;
  requested: boolean; // the person asked for the reload in this page
}

export const useUpdate = create<UpdateState>()(() => ({ ready: false, activate: null, requested: false }));

/** What a reload now would interrupt, in words, or null when nothing is in flight. */
export function reloadWouldInterrupt(s: StoreState): string | null {
  if (s.load.status === 'loading') return 'a model is loading';
  if (Object.values(s.image.runs).some((r) => r.status === 'loading')) return 'a model is loading';
  if (s.diffusion.companion.status === 'loading') return 'a model is loading';
  if (s.text.running) return 'a text run is in progress';
  if (s.diffusion.running) return 'a diffusion run is in progress';
  if (s.image.running || s.image.denseCompare.status === 'running') return 'an image run is in progress';
  if (s.selftest.running) return 'the self-test is running';
  if (s.attentionLab.running) return 'the attention lab is running';
  return null;
}

/** The service worker has a new version waiting; `activate` hands the page over to it. */
export function updateReady(activate: () => Promise<void>): void {
  useUpdate.setState({ ready: true, activate });
}

/** The person clicked "reload": activates the new version unless something is in flight (then
 *  nothing happens and the reason is returned). */
export async function applyUpdate(): Promise<string | null> {
  const busy = reloadWouldInterrupt(useStore.getState());
  const { ready, activate } = useUpdate.getState();
  if (busy || !ready || !activate) return busy ?? 'no update is waiting';
  useUpdate.setState({ requested: true });
  await activate();
  return null;
}

/** The new version took over the page. Reload only if the person asked for it here; another tab's
 *  click must not reload this one under its runs (the badge stays, and a click reloads). */
export function updateActivated(reload: () => void): void {
  if (useUpdate.getState().requested) reload();
  else useUpdate.setState({ ready: true, activate: async () => reload() });
}
