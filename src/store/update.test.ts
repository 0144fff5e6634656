// Updates wait for the person: "reload" activates the new version only when nothing is in flight,
// and a version activated from another tab never reloads this one by itself.

import { afterEach, describe, expect, it } from 'vitest';
import { useStore } from './index.ts';
import { applyUpdate, reloadWouldInterrupt, updateActivated, updateReady, useUpdate } from './update.ts';

const idle = useStore.getState();
afterEach(() => {
  useStore.setState(idle, true);
  useUpdate.setState({ ready: false, activate: null, requested: false });
});

describe('what a reload would interrupt', () => {
  it('nothing on an idle page', () => {
    expect(reloadWouldInterrupt(useStore.getState())).toBeNull();
  });

  it.each([
    ['a model load', { load: { ...idle.load, status: 'loading' as const } }, 'a model is loading'],
    ['a text run', { text: { ...idle.text, running: true } }, 'a text run is in progress'],
    ['a diffusion run', { diffusion: { ...idle.diffusion, running: true } }, 'a diffusion run is in progress'],
    ['an image run', { image: { ...idle.image, running: true } }, 'an image run is in progress'],
    [
      "an image generator's load",
      {
        image: {
          ...idle.image,
          runs: { ...idle.image.runs, 'emoji-ar': { ...idle.image.runs['emoji-ar'], status: 'loading' as const } },
        },
      },
      'a model is loading',
    ],
    ['the self-test', { selftest: { ...idle.selftest, running: true } }, 'the self-test is running'],
    ['the attention lab', { attentionLab: { ...idle.attentionLab, running: true } }, 'the attention lab is running'],
  ])('%s', (_what, patch, reason) => {
    useStore.setState(patch);
    expect(reloadWouldInterrupt(useStore.getState())).toBe(reason);
  });
});

describe('applying an update', () => {
  it('activates the waiting version when idle, and reloads once it has taken over', async () => {
    const calls: string[] = [];
    updateReady(async () => void calls.push('activate'));
    expect(useUpdate.getState().ready).toBe(true);
    expect(await applyUpdate()).toBeNull();
    updateActivated(() => calls.push('reload'));
    expect(calls).toEqual(['activate', 'reload']);
  });

  it('does nothing while a run is in progress, and says why', async () => {
    const calls: string[] = [];
    updateReady(async () => void calls.push('activate'));
    useStore.setState({ text: { ...idle.text, running: true } });
    expect(await applyUpdate()).toBe('a text run is in progress');
    expect(calls).toEqual([]);
  });

  it("another tab's update never reloads this page by itself: the badge stays and a click reloads", async () => {
    const calls: string[] = [];
    useStore.setState({ text: { ...idle.text, running: true } });
    updateActivated(() => calls.push('reload'));
    expect(calls).toEqual([]);
    expect(useUpdate.getState().ready).toBe(true);
    useStore.setState({ text: { ...idle.text, running: false } });
    expect(await applyUpdate()).toBeNull();
    expect(calls).toEqual(['reload']);
  });
});
