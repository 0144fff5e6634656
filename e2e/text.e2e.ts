// The autoregressive text view in a real browser with brown-gpt2 on WebGPU: five single steps, each
// showing the chosen token and its ten candidates; the timeline back to step 2 (from kept snapshots);
// a branch from there with another seed keeps the text up to step 2 and generates the rest again,
// and the first run stays in the branch list. Any console error fails the test.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, type PageProblems } from './browser.ts';
import {
  openApp,
  pickModel,
  screenshot,
  showGenerate,
  timelineTo,
  timelineValue,
  tokenSpans,
  type TokenSpan,
} from './generate.ts';

const baseURL = inject('baseURL');
const MODEL = 'brown-gpt2';
const PROMPT = 'The jury said';

describe('autoregressive text, step by step (brown-gpt2)', () => {
  let browser: Browser;
  let page: Page;
  let watch: PageProblems;
  let firstRun: TokenSpan[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    ({ page, watch } = await openApp(browser, baseURL));
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads brown-gpt2 and shows the text view for it', async () => {
    await pickModel(page, MODEL);
    await showGenerate(page);
    await page.getByRole('heading', { name: 'Autoregressive text' }).waitFor();
    for (const name of ['Run', 'Step', 'Pause', 'Step back', 'Reset']) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(1);
    }
    expect(await page.getByRole('slider', { name: 'Timeline' }).count()).toBe(1);
  });

  it('shows a validation message for an invalid setting, and none once fixed', async () => {
    const topP = page.getByLabel('Top-p', { exact: true });
    await topP.fill('1.5');
    await page.getByText('Top-p must be in (0, 1]').waitFor();
    expect(await topP.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('button', { name: 'Step', exact: true }).isDisabled()).toBe(true);
    await topP.fill('0.95');
    expect(await page.getByText('Top-p must be in (0, 1]').count()).toBe(0);
  });

  it('steps five times; the fifth step shows its token and its ten candidates', async () => {
    await page.getByLabel('Prompt', { exact: true }).fill(PROMPT);
    await page.getByLabel('Seed', { exact: true }).fill('1');
    const step = page.getByRole('button', { name: 'Step', exact: true });
    for (let k = 1; k <= 5; k++) {
      await step.click();
      await page.locator(`.tok-gen[data-step="${k}"]`).waitFor({ timeout: 120_000 });
      await page.locator(`.candidates[data-step="${k}"]`).waitFor();
    }
    firstRun = await tokenSpans(page);
    expect(firstRun.map((s) => s.step)).toEqual([1, 2, 3, 4, 5]);
    expect(firstRun.every((s) => s.branch === 1)).toBe(true);
    expect(await timelineValue(page)).toBe(5);

    // The prompt's tokens lead the text.
    const prompt = await page.locator('.gen-text .tok-prompt').allTextContents();
    expect(prompt.join('')).toBe(PROMPT);

    const candidates = page.getByRole('list', { name: 'Top candidates at step 5' });
    const rows = candidates.getByRole('listitem');
    expect(await rows.count()).toBe(10);
    const probs = (await candidates.locator('.cand-p').allTextContents()).map((t) => parseFloat(t.replace('<', '')));
    expect(probs.every((p) => p >= 0 && p <= 100)).toBe(true);
    expect(probs).toEqual([...probs].sort((a, b) => b - a));
    const heading = await page.locator('.candidates .subhead').innerText();
    expect(heading).toMatch(/^Step 5: chose /);
    // The chosen token is marked among the candidates when it is one of them (top-k 40 may pick lower).
    const chosen = candidates.locator('.cand.is-chosen');
    if ((await chosen.count()) > 0) expect(Number(await chosen.getAttribute('data-token'))).toBe(firstRun[4].token);
    else await page.getByText('The sampled token was outside the top ten').waitFor();

    // Hover shows the token's probability and the step's entropy.
    await page.locator('.tok-gen[data-step="5"]').hover();
    await expect.poll(() => page.getByRole('tooltip').innerText()).toMatch(/p .*% · entropy \d+\.\d\d nats/);

    // The inspector lists this step's kernels.
    await page.getByRole('list', { name: 'Kernel times of the selected step' }).waitFor();
    expect(
      await page.getByRole('list', { name: 'Kernel times of the selected step' }).getByRole('listitem').count(),
    ).toBeGreaterThan(0);
    // One entropy bar per step.
    expect(await page.getByRole('img', { name: 'Entropy per step' }).locator('.chart-bar').count()).toBe(5);
  });

  it('moves back to step 2 on the timeline without recomputing', async () => {
    await timelineTo(page, 2);
    expect(await timelineValue(page)).toBe(2);
    await page.locator('.candidates[data-step="2"]').waitFor();
    // Later tokens are still there, shown as the future of this step.
    expect(await page.locator('.tok-gen.is-future').count()).toBe(3);
    expect(await tokenSpans(page)).toEqual(firstRun);
    await page.getByRole('button', { name: 'Step back', exact: true }).click();
    expect(await timelineValue(page)).toBe(1);
    await page.getByRole('button', { name: 'Step', exact: true }).click(); // replays snapshot 2
    expect(await timelineValue(page)).toBe(2);
    expect(await tokenSpans(page)).toEqual(firstRun);
  });

  it('branches from step 2 with another seed: steps 1–2 stay, steps 3–5 are generated again', async () => {
    await page.getByLabel('Seed', { exact: true }).fill('7');
    await page.getByRole('button', { name: 'Branch', exact: true }).click();
    await page.locator('.tok-gen[data-step="5"][data-branch="2"]').waitFor({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Run', exact: true }).and(page.locator(':enabled')).waitFor();

    const branch = await tokenSpans(page);
    expect(branch.map((s) => s.step)).toEqual([1, 2, 3, 4, 5]);
    // Up to step 2: the same tokens, the same text, produced by the first run.
    expect(branch.slice(0, 2)).toEqual(firstRun.slice(0, 2));
    expect(branch.slice(0, 2).every((s) => s.branch === 1)).toBe(true);
    // From step 3: produced by the branch, with another seed, so another continuation.
    expect(branch.slice(2).every((s) => s.branch === 2)).toBe(true);
    expect(branch.slice(2).map((s) => s.token)).not.toEqual(firstRun.slice(2).map((s) => s.token));

    // The history: the first run and the branch, the branch shown.
    const items = page.locator('.branch-item');
    expect(await items.count()).toBe(2);
    expect(await page.locator('.branch-item[data-branch="2"]').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('.branch-item[data-branch="2"] .branch-meta').innerText()).toMatch(
      /from step 2 of run 1 · seed 7/,
    );

    // The first run is kept: showing it again gives back its tokens.
    await page.locator('.branch-item[data-branch="1"]').click();
    expect((await tokenSpans(page)).map((s) => s.token)).toEqual(firstRun.map((s) => s.token));
    await page.locator('.branch-item[data-branch="2"]').click();
    expect(await tokenSpans(page)).toEqual(branch);
  });

  it('runs the branch on to its token limit; its first steps stay', async () => {
    const before = await tokenSpans(page);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('.step-status', { hasText: /finished/ }).waitFor({ timeout: 300_000 });
    const after = await tokenSpans(page);
    expect(after.length).toBeGreaterThan(before.length);
    expect(after.slice(0, before.length)).toEqual(before);
    // The screenshot: a step in the middle selected, a token's tooltip shown.
    await timelineTo(page, Math.min(12, after.length));
    await page.locator(`.tok-gen[data-step="${Math.min(12, after.length)}"]`).hover();
    await screenshot(page, 'text.png');
  });

  it('shows the engine’s notices: an empty prompt, a prompt cut to fit the context', async () => {
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    expect(await page.locator('.tok-gen').count()).toBe(0);
    await page.getByLabel('Prompt', { exact: true }).fill('');
    await page.getByText('Empty prompt: generation starts from the end-of-text token.').waitFor();
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    const notices = page.getByRole('list', { name: 'Notices' });
    await notices.getByText(/empty prompt/).waitFor({ timeout: 120_000 });

    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await page.getByLabel('Prompt', { exact: true }).fill('The jury said it was a fine day. '.repeat(60));
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    await notices.getByText(/prompt truncated from the left/).waitFor({ timeout: 120_000 });
    await page.locator('.tok-gen[data-step="1"]').waitFor();
  });

  it('logs no console errors and throws no uncaught exceptions', () => {
    watch.assertNone();
  });
});
