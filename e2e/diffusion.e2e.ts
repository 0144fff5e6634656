// The masked-diffusion view in a real browser with brown-mdlm on WebGPU: the llada sampler in blocks
// runs to the end, then the timeline scrubs forward and back, and at every step the grid (token id
// and state of each cell, read from its data-* attributes) must match an independent trace of the
// same settings written by the command line (Dawn in Node). Both run on SwiftShader here, so the
// token ids are compared exactly as well as the masked / unmasked pattern. Then the side-by-side mode
// runs brown-gpt2 on the same prompt. Any console error fails the test.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, type PageProblems } from './browser.ts';
import { gridCells, openApp, pickModel, ROOT, screenshot, showGenerate, timelineValue } from './generate.ts';

const baseURL = inject('baseURL');
const MODEL = 'brown-mdlm';
// What the command line is given: the same shipped id (or, to try the test against a stand-in served
// under that id, the stand-in's folder).
const CLI_MODEL = process.env.STEPWISE_E2E_MDLM_SOURCE ?? MODEL;
const PROMPT = 'The jury said';
const SETTINGS = { length: 32, blockLength: 8, steps: 16, seed: 1 };

interface Trace {
  maskTokenId: number;
  steps: Array<{ step: number; tokens: number[]; unmasked: number[] }>;
}

/** Runs the same settings through the CLI and reads its per-step trace. */
async function cliTrace(): Promise<Trace> {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-e2e-'));
  const file = join(dir, 'trace.json');
  try {
    await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        './scripts/raw-loader.mjs',
        'src/cli/main.ts',
        'generate',
        '--model',
        CLI_MODEL,
        '--sampler',
        'llada',
        '--prompt',
        PROMPT,
        '--length',
        String(SETTINGS.length),
        '--block-length',
        String(SETTINGS.blockLength),
        '--steps',
        String(SETTINGS.steps),
        '--seed',
        String(SETTINGS.seed),
        '--temperature',
        '0',
        '--trace',
        file,
      ],
      { cwd: ROOT, timeout: 300_000, maxBuffer: 16 << 20 },
    );
    return JSON.parse(readFileSync(file, 'utf8')) as Trace;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The grid the trace implies at step k (0 = before the first step). */
function expectedAt(trace: Trace, k: number, promptLength: number): Array<{ token: number; state: string }> {
  const mask = trace.maskTokenId;
  const last = trace.steps[trace.steps.length - 1].tokens;
  const tokens = k === 0 ? last.map((t, i) => (i < promptLength ? t : mask)) : trace.steps[k - 1].tokens;
  const fresh = new Set(k === 0 ? [] : trace.steps[k - 1].unmasked);
  return tokens.map((token, i) => ({
    token,
    state: i < promptLength ? 'prompt' : token === mask ? 'masked' : fresh.has(i) ? 'new' : 'committed',
  }));
}

const pattern = (cells: Array<{ state: string }>) =>
  cells.map((c) => (c.state === 'masked' ? '.' : c.state === 'prompt' ? 'p' : c.state === 'new' ? 'N' : 'c')).join('');

describe('masked-diffusion text, step by step (brown-mdlm, llada in blocks)', () => {
  let browser: Browser;
  let page: Page;
  let watch: PageProblems;
  let trace: Trace;
  let promptLength = 0;

  beforeAll(async () => {
    // The independent trace first: the CLI and the browser would otherwise share the CPU.
    trace = await cliTrace();
    browser = await launchBrowser();
    ({ page, watch } = await openApp(browser, baseURL));
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('has a trace from the command line: llada commits 2 tokens per step, 16 steps', () => {
    expect(trace.steps.length).toBe(SETTINGS.steps);
    expect(trace.steps.every((s) => s.unmasked.length === SETTINGS.length / SETTINGS.steps)).toBe(true);
    expect(trace.steps.at(-1)!.tokens.includes(trace.maskTokenId)).toBe(false);
  });

  it('loads the model and shows the diffusion view with validated settings', async () => {
    await pickModel(page, MODEL);
    await showGenerate(page);
    await page.getByRole('heading', { name: 'Masked-diffusion text' }).waitFor();
    await page.getByLabel('Sampler', { exact: true }).selectOption('llada');
    await page.getByLabel('Prompt', { exact: true }).fill(PROMPT);
    await page.getByLabel('Length', { exact: true }).fill(String(SETTINGS.length));
    await page.getByLabel('Block length', { exact: true }).fill(String(SETTINGS.blockLength));
    await page.getByLabel('Steps', { exact: true }).fill('6');
    await page.getByText('Steps must be a multiple of the number of blocks (4).').waitFor();
    expect(await page.getByRole('button', { name: 'Run', exact: true }).isDisabled()).toBe(true);
    await page.getByLabel('Steps', { exact: true }).fill(String(SETTINGS.steps));
    await page.getByLabel('Temperature', { exact: true }).fill('0');
    await page.getByLabel('Seed', { exact: true }).fill(String(SETTINGS.seed));
    await page.getByLabel('Cache', { exact: true }).selectOption('none');
    expect(await page.locator('.setting-error').count()).toBe(0);
  });

  it('runs to the end: one snapshot per step, the same number of steps as the CLI', async () => {
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('.step-status', { hasText: 'run finished' }).waitFor({ timeout: 300_000 });
    expect(await timelineValue(page)).toBe(trace.steps.length);
    const { step, cells } = await gridCells(page);
    expect(step).toBe(trace.steps.length);
    promptLength = cells.filter((c) => c.state === 'prompt').length;
    expect(promptLength).toBeGreaterThan(0);
    expect(cells.length).toBe(promptLength + SETTINGS.length);
    const committed = page.getByRole('img', { name: 'Tokens committed per step' });
    expect(await committed.locator('.chart-bar').count()).toBe(trace.steps.length);
  });

  it('shows each step’s state while the timeline scrubs forward and back, as the CLI traced it', async () => {
    const timeline = page.getByRole('slider', { name: 'Timeline' });
    await timeline.focus();
    await page.keyboard.press('Home');
    const n = trace.steps.length;
    // Forward through every step, back through every step, then a few jumps.
    const visits: number[] = [0];
    const keys: string[] = [];
    for (let k = 1; k <= n; k++) {
      visits.push(k);
      keys.push('ArrowRight');
    }
    for (let k = n - 1; k >= 0; k--) {
      visits.push(k);
      keys.push('ArrowLeft');
    }
    visits.push(n, 0, 1);
    keys.push('End', 'Home', 'ArrowRight');
    const idMismatches: string[] = [];
    for (let v = 0; v < visits.length; v++) {
      if (v > 0) await page.keyboard.press(keys[v - 1]);
      const k = visits[v];
      expect(await timelineValue(page)).toBe(k);
      const { step, cells } = await gridCells(page);
      expect(step).toBe(k);
      const want = expectedAt(trace, k, promptLength);
      // The masked / unmasked-now / committed pattern must match exactly.
      expect(pattern(cells), `pattern at step ${k}`).toBe(pattern(want));
      const differ = cells.filter((c, i) => c.token !== want[i].token).length;
      if (differ > 0) idMismatches.push(`step ${k}: ${differ} token ids differ`);
    }
    // Same adapter (SwiftShader) in both: the ids agree too.
    expect(idMismatches).toEqual([]);
  });

  it('shows the five most likely tokens of a cell at the selected step on hover and on focus', async () => {
    await page.getByRole('slider', { name: 'Timeline' }).focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowRight');
    const fresh = page.locator('.token-grid li[data-state="new"]');
    expect(await fresh.count()).toBe(SETTINGS.length / SETTINGS.steps);
    const pos = Number(await fresh.first().getAttribute('data-pos'));
    await fresh.first().focus();
    const list = page.getByRole('list', { name: `Top candidates at position ${pos}` });
    expect(await list.getByRole('listitem').count()).toBe(5);
    // The committed token is the model's most likely one here (llada, temperature 0).
    expect(await list.getByRole('listitem').first().getAttribute('data-token')).toBe(
      await fresh.first().getAttribute('data-token'),
    );
    const masked = page.locator('.token-grid li[data-state="masked"]').first();
    await masked.hover();
    const maskedPos = Number(await masked.getAttribute('data-pos'));
    await page.getByRole('list', { name: `Top candidates at position ${maskedPos}` }).waitFor();
    await fresh.first().hover();
    await screenshot(page, 'diffusion.png');
  });

  it('runs brown-gpt2 side by side on the same prompt', async () => {
    await page.getByRole('checkbox', { name: /Side by side with brown-gpt2/ }).check();
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('.step-status', { hasText: 'run finished' }).waitFor({ timeout: 300_000 });
    await page.getByRole('button', { name: 'Run', exact: true }).and(page.locator(':disabled')).waitFor();
    await page.getByRole('button', { name: 'Pause', exact: true }).and(page.locator(':disabled')).waitFor({
      timeout: 300_000,
    });
    const side = page.getByRole('region', { name: 'Side by side' });
    expect(await side.locator('[role="alert"]').count()).toBe(0);
    const arTokens = side.locator('.companion-text .tok-gen');
    expect(await arTokens.count()).toBeGreaterThan(0);
    expect(await side.locator('.companion-text .tok-prompt').allTextContents()).not.toEqual([]);
    // The diffusion run is the same as before: the grid still matches the trace at its last step.
    const { cells } = await gridCells(page);
    expect(pattern(cells)).toBe(pattern(expectedAt(trace, trace.steps.length, promptLength)));
    // At a middle step, the companion shows as many tokens as steps taken.
    await page.getByRole('slider', { name: 'Timeline' }).focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowRight');
    expect(await arTokens.count()).toBe(8);
  });

  it('runs the mdlm sampler (ancestral, a varying number of tokens per step) to a fully unmasked sequence', async () => {
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await page.getByLabel('Sampler', { exact: true }).selectOption('mdlm');
    expect(await page.getByLabel('Block length', { exact: true }).isDisabled()).toBe(true);
    await page.getByLabel('Steps', { exact: true }).fill('32');
    await page.getByLabel('Seed', { exact: true }).fill('3');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('.step-status', { hasText: 'run finished' }).waitFor({ timeout: 300_000 });
    await page.getByRole('button', { name: 'Pause', exact: true }).and(page.locator(':disabled')).waitFor({
      timeout: 300_000,
    });
    const n = await timelineValue(page);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThanOrEqual(32);
    const { cells } = await gridCells(page);
    expect(cells.filter((c) => c.state === 'masked')).toEqual([]);
    // Every generated position was unmasked at exactly one step.
    const unmasked = await page.locator('.step-table-scroll tbody tr td:nth-child(2)').allTextContents();
    expect(unmasked.map(Number).reduce((a, b) => a + b, 0)).toBe(SETTINGS.length);
    // A step in the middle, with a cell unmasked at that step under the pointer.
    const counts = unmasked.map(Number);
    const mid = counts.findIndex((c, i) => i >= Math.floor(n / 2) && c > 0) + 1;
    await page.getByRole('slider', { name: 'Timeline' }).focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < mid; i++) await page.keyboard.press('ArrowRight');
    await page.locator('.token-grid li[data-state="new"]').first().hover();
    await screenshot(page, 'diffusion.png');
  });

  it('compares a run with the dual cache against the same settings without a cache', async () => {
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await page.getByRole('checkbox', { name: /Side by side with brown-gpt2/ }).uncheck();
    await page.getByLabel('Sampler', { exact: true }).selectOption('llada');
    await page.getByLabel('Length', { exact: true }).fill('16');
    await page.getByLabel('Block length', { exact: true }).fill('8');
    await page.getByLabel('Steps', { exact: true }).fill('8');
    await page.getByLabel('Cache', { exact: true }).selectOption('dual');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('.step-status', { hasText: 'run finished' }).waitFor({ timeout: 300_000 });
    const compare = page.getByRole('button', { name: 'Compare with uncached', exact: true });
    await compare.and(page.locator(':enabled')).waitFor({ timeout: 300_000 });
    await compare.click();
    const report = page.locator('.compare-report');
    await report.waitFor({ timeout: 300_000 });
    expect(await report.locator('[data-field="speedup"]').textContent()).toMatch(/^\d+\.\d× (faster|slower)$/);
    const identical = (await report.locator('[data-field="identical"]').textContent()) ?? '';
    expect(identical).toMatch(/^\d+\/16 tokens identical \(\d+\.\d %\)$/);
    expect(await page.getByRole('region', { name: 'Compare with uncached' }).locator('[role="alert"]').count()).toBe(0);
  });

  it('runs one step with block top-K attention, then compares the finished run with dense attention', async () => {
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await page.getByLabel('Cache', { exact: true }).selectOption('none');
    await page.getByLabel('Attention', { exact: true }).selectOption('block-topk');
    expect(await page.getByLabel('Levels', { exact: true }).isDisabled()).toBe(true);
    await page.getByLabel('Block size', { exact: true }).fill('8');
    await page.getByLabel('Top-K blocks', { exact: true }).fill('1');
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    await page.locator('.step-status', { hasText: 'Step 1 of 1' }).waitFor({ timeout: 300_000 });
    // The prompt and 16 masks are not a multiple of 8 tokens: the run says how it was padded.
    expect(await page.getByRole('list', { name: 'Notices' }).textContent()).toMatch(
      /block-topk \(B=8, K=1\) needs a multiple of 8 tokens: .* \[MASK\], whose predictions are dropped/,
    );
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('.step-status', { hasText: 'run finished' }).waitFor({ timeout: 300_000 });
    const compare = page.getByRole('button', { name: 'Compare with dense', exact: true });
    await compare.and(page.locator(':enabled')).waitFor({ timeout: 300_000 });
    await compare.click();
    const region = page.getByRole('region', { name: 'Compare with dense' });
    const report = region.locator('.compare-report');
    await report.waitFor({ timeout: 300_000 });
    expect(await report.locator('[data-field="rel-l2"]').textContent()).toMatch(
      /^logits \d\.\d\de[+-]\d+ from dense on the start, \d\.\d\de[+-]\d+ on the dense text$/,
    );
    expect(await report.locator('[data-field="different"]').textContent()).toMatch(
      /^\d+\/16 tokens differ \(\d+\.\d %\)$/,
    );
    expect(await report.locator('[data-field="saved"]').textContent()).toMatch(
      /^[\d.,]+ ms\/step (saved|slower) \(\d+\.\d\d×\)$/,
    );
    expect(await region.locator('[role="alert"]').count()).toBe(0);
    await region.scrollIntoViewIfNeeded();
    await screenshot(page, 'diffusion-attention.png');
  });

  it('logs no console errors and throws no uncaught exceptions', () => {
    watch.assertNone();
  });
});
