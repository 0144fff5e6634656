// The Images view in a real browser with the shipped emoji generators on WebGPU: pick emoji-maskgit
// and a class, Step three times — the decoded image on the canvas changes from step to step (its
// pixels are read back from the page) — move the depth slider — the image changes again — export the
// shown image and the contact sheet as PNG (the downloads carry the PNG signature and decode in the
// page), then run MaskGIT and the autoregressive generator side by side to the end; finally MaskGIT
// with block top-K attention and with token merging (ratio 0.5), each compared with dense attention
// at the same seed. Screenshots go to e2e/artifacts/ (with the two exported PNGs). Any console error
// fails the test.

import { readFileSync } from 'node:fs';
import type { Browser, Download, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, type PageProblems } from './browser.ts';
import { ARTIFACTS, openApp, screenshot, timelineValue } from './generate.ts';

const baseURL = inject('baseURL');
const CLASS = process.env.STEPWISE_E2E_IMAGE_CLASS ?? 'face-smiling';
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function panel(page: Page, model: string): Locator {
  return page.getByRole('region', { name: `${model} panel` });
}

function canvasOf(page: Page, model: string): Locator {
  return panel(page, model).locator('canvas.image-canvas');
}

/** A fingerprint of the canvas pixels (FNV-1a over RGBA) and how many pixels are not the blank colour. */
async function canvasPixels(canvas: Locator): Promise<{ hash: string; width: number; height: number }> {
  return canvas.evaluate((el) => {
    const c = el as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let h = 0x811c9dc5;
    for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i], 0x01000193) >>> 0;
    return { hash: h.toString(16), width: c.width, height: c.height };
  });
}

/** Waits until the canvas shows step `step` decoded with `depths` depths (not a stand-in image). */
async function waitForCanvas(page: Page, model: string, step: number, depths: number): Promise<void> {
  await panel(page, model)
    .locator(`canvas.image-canvas[data-step="${step}"][data-depth="${depths}"]:not([data-pending])`)
    .waitFor({ timeout: 120_000 });
}

async function stepButtonReady(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Step', exact: true }).and(page.locator(':enabled')).waitFor({
    timeout: 300_000,
  });
}

/** The downloaded file's bytes, and its size when the page decodes it as an image. */
async function readDownload(page: Page, download: Download): Promise<{ bytes: Buffer; width: number; height: number }> {
  const path = await download.path();
  const bytes = readFileSync(path);
  const size = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    return { width: img.naturalWidth, height: img.naturalHeight };
  }, bytes.toString('base64'));
  return { bytes, ...size };
}

describe('images from tokens, step by step (emoji-maskgit, emoji-ar)', () => {
  let browser: Browser;
  let page: Page;
  let watch: PageProblems;
  const hashes: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    ({ page, watch } = await openApp(browser, baseURL));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('opens the Images tab, loads emoji-maskgit and lists its classes', async () => {
    await page.getByRole('tab', { name: 'Images', exact: true }).click();
    await page.getByRole('heading', { name: 'Images from tokens' }).waitFor();
    await page.getByLabel('Generator', { exact: true }).selectOption('emoji-maskgit');
    const classSelect = page.getByLabel('Class', { exact: true });
    await classSelect.locator(`option[value="${CLASS}"]`).waitFor({ state: 'attached', timeout: 180_000 });
    // The filter narrows the list; the chosen class stays listed.
    await page.getByLabel('Filter classes', { exact: true }).fill(CLASS.split('-')[0]);
    expect(await classSelect.locator('option').count()).toBeGreaterThan(0);
    await classSelect.selectOption(CLASS);
    await page.getByLabel('Filter classes', { exact: true }).fill('');
    expect(await classSelect.inputValue()).toBe(CLASS);
    await page.getByLabel('Steps', { exact: true }).fill('12');
    await page.getByLabel('Guidance', { exact: true }).fill('3');
    await page.getByLabel('Seed', { exact: true }).fill('1');
    expect(await page.locator('.setting-error').count()).toBe(0);
    // Before any step every position is hatched.
    expect(await canvasOf(page, 'emoji-maskgit').getAttribute('data-step')).toBe('0');
    hashes.push((await canvasPixels(canvasOf(page, 'emoji-maskgit'))).hash);
  });

  it('Step ×3: the canvas changes at every step and the grid fills in', async () => {
    const grid = panel(page, 'emoji-maskgit').getByRole('img', { name: /token grid/ });
    let fixedBefore = 0;
    for (let k = 1; k <= 3; k++) {
      await stepButtonReady(page);
      await page.getByRole('button', { name: 'Step', exact: true }).click();
      await waitForCanvas(page, 'emoji-maskgit', k, 4);
      const px = await canvasPixels(canvasOf(page, 'emoji-maskgit'));
      expect([px.width, px.height]).toEqual([256, 256]);
      expect(hashes, `the canvas at step ${k} differs from every earlier step`).not.toContain(px.hash);
      hashes.push(px.hash);
      const fixed = Number(await grid.getAttribute('data-fixed'));
      expect(fixed).toBeGreaterThan(fixedBefore);
      fixedBefore = fixed;
    }
    expect(await timelineValue(page)).toBe(3);
    await panel(page, 'emoji-maskgit').locator('[data-field="fixed-now"]').waitFor();
  });

  it('Step back shows the previous snapshot again without recomputing', async () => {
    await page.getByRole('button', { name: 'Step back', exact: true }).click();
    await waitForCanvas(page, 'emoji-maskgit', 2, 4);
    expect((await canvasPixels(canvasOf(page, 'emoji-maskgit'))).hash).toBe(hashes[2]);
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    await waitForCanvas(page, 'emoji-maskgit', 3, 4);
    expect((await canvasPixels(canvasOf(page, 'emoji-maskgit'))).hash).toBe(hashes[3]);
  });

  it('Run finishes the run: every position fixed after 12 steps', async () => {
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('.step-status', { hasText: 'run finished' }).waitFor({ timeout: 300_000 });
    const steps = await timelineValue(page);
    expect(steps).toBe(12);
    await waitForCanvas(page, 'emoji-maskgit', steps, 4);
    hashes.push((await canvasPixels(canvasOf(page, 'emoji-maskgit'))).hash);
    expect(await panel(page, 'emoji-maskgit').locator('[data-field="positions-masked"]').textContent()).toBe('0');
  });

  it('the depth slider re-decodes the last step with the first 1, 2 … depths: the image changes', async () => {
    const slider = page.getByRole('slider', { name: 'Depths' });
    await slider.focus();
    await page.keyboard.press('Home');
    expect(await slider.inputValue()).toBe('1');
    await waitForCanvas(page, 'emoji-maskgit', 12, 1);
    const one = (await canvasPixels(canvasOf(page, 'emoji-maskgit'))).hash;
    expect(one).not.toBe(hashes[4]);
    await page.keyboard.press('ArrowRight');
    await waitForCanvas(page, 'emoji-maskgit', 12, 2);
    const two = (await canvasPixels(canvasOf(page, 'emoji-maskgit'))).hash;
    expect(two).not.toBe(one);
    await page.keyboard.press('End');
    await waitForCanvas(page, 'emoji-maskgit', 12, 4);
    expect((await canvasPixels(canvasOf(page, 'emoji-maskgit'))).hash).toBe(hashes[4]);
  });

  it('Export PNG and the contact sheet download PNGs that decode', async () => {
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      panel(page, 'emoji-maskgit').getByRole('button', { name: 'Export PNG', exact: true }).click(),
    ]);
    expect(png.suggestedFilename()).toBe(`emoji-maskgit-${CLASS}-seed1-step12-depth4.png`);
    const image = await readDownload(page, png);
    await png.saveAs(`${ARTIFACTS}image-export.png`);
    expect([...image.bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect([image.width, image.height]).toEqual([256, 256]);

    const [sheet] = await Promise.all([
      page.waitForEvent('download'),
      panel(page, 'emoji-maskgit').getByRole('button', { name: 'Contact sheet PNG', exact: true }).click(),
    ]);
    const contact = await readDownload(page, sheet);
    await sheet.saveAs(`${ARTIFACTS}image-contact-sheet.png`);
    expect([...contact.bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    // 12 steps: 4 tiles of 96 px (+ 8 px gaps) across, 3 rows under the title.
    expect([contact.width, contact.height]).toEqual([8 + 4 * 104, 28 + 8 + 3 * 122]);

    // The grid coloured by step at a middle step, for the screenshot.
    await page.getByRole('radio', { name: 'step fixed' }).check();
    await page.getByRole('slider', { name: 'Timeline' }).focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowRight');
    await waitForCanvas(page, 'emoji-maskgit', 6, 4);
    await screenshot(page, 'image-view.png');
    await page.getByRole('radio', { name: 'confidence' }).check();
  });

  it('plays the run as an animation through every snapshot', async () => {
    await page.getByRole('button', { name: 'Play animation', exact: true }).click();
    await page.locator('.step-status', { hasText: 'playing' }).waitFor();
    await page.getByRole('button', { name: 'Play animation', exact: true }).waitFor({ timeout: 30_000 });
    expect(await timelineValue(page)).toBe(12);
  });

  it('runs emoji-maskgit and emoji-ar side by side on the same class and seed', async () => {
    await page.getByRole('checkbox', { name: /Side by side with emoji-ar/ }).check();
    const arPanel = panel(page, 'emoji-ar');
    await arPanel.waitFor();
    await page.getByRole('button', { name: 'Run', exact: true }).and(page.locator(':enabled')).waitFor({
      timeout: 180_000,
    });
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('.step-status', { hasText: 'run finished' }).waitFor({ timeout: 600_000 });
    // A generator that stopped ends its part of the run too: say why first.
    expect(await page.locator('.image-panel [role="alert"]').allInnerTexts()).toEqual([]);
    // AR: one step per grid position.
    expect(await timelineValue(page)).toBe(64);
    await waitForCanvas(page, 'emoji-ar', 64, 4);
    await waitForCanvas(page, 'emoji-maskgit', 12, 4);
    for (const m of ['emoji-maskgit', 'emoji-ar']) {
      expect(await panel(page, m).locator('[role="alert"]').count()).toBe(0);
      expect(await panel(page, m).locator('[data-field="positions-masked"]').textContent()).toBe('0');
    }
    // Halfway through the autoregressive run: the top half is drawn, the bottom still hatched.
    await page.getByRole('slider', { name: 'Timeline' }).focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < 32; i++) await page.keyboard.press('ArrowRight');
    await waitForCanvas(page, 'emoji-ar', 32, 4);
    expect(await panel(page, 'emoji-ar').locator('[data-field="positions-masked"]').textContent()).toBe('32');
    await screenshot(page, 'image-side-by-side.png');
    watch.assertNone();
  });

  /** Runs emoji-maskgit to the end with the form as it is, compares it with dense attention and
   *  returns the report's fields. */
  async function runAndCompare(): Promise<Record<'rel-l2' | 'different' | 'saved', string>> {
    await page.getByRole('button', { name: 'Run', exact: true }).and(page.locator(':enabled')).waitFor({
      timeout: 180_000,
    });
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('.step-status', { hasText: 'run finished' }).waitFor({ timeout: 300_000 });
    expect(await page.locator('.image-panel [role="alert"]').allInnerTexts()).toEqual([]);
    const compare = page.getByRole('button', { name: 'Compare with dense', exact: true });
    await compare.and(page.locator(':enabled')).waitFor({ timeout: 60_000 });
    await compare.click();
    const region = page.getByRole('region', { name: 'Compare with dense' });
    await region.locator('.compare-report, [role="alert"]').first().waitFor({ timeout: 300_000 });
    expect(await region.locator('[role="alert"]').allInnerTexts()).toEqual([]);
    const field = async (name: string) => (await region.locator(`[data-field="${name}"]`).textContent()) ?? '';
    return { 'rel-l2': await field('rel-l2'), different: await field('different'), saved: await field('saved') };
  }

  it('MaskGIT with block top-K, then token merging at 0.5: Compare with dense reports the cost and the time saved', async () => {
    await page.getByRole('checkbox', { name: /Side by side with emoji-ar/ }).uncheck();
    await page.getByLabel('Attention', { exact: true }).selectOption('block-topk');
    // A block size that does not divide the 64 positions is refused before anything runs.
    await page.getByLabel('Block size', { exact: true }).fill('128');
    await page.getByText('Block size must divide the 64 grid positions.').waitFor();
    expect(await page.getByRole('button', { name: 'Run', exact: true }).isDisabled()).toBe(true);
    await page.getByLabel('Block size', { exact: true }).fill('16');
    await page.getByLabel('Top-K blocks', { exact: true }).fill('2');
    expect(await page.locator('.setting-error').count()).toBe(0);

    const sparse = await runAndCompare();
    expect(await panel(page, 'emoji-maskgit').locator('[data-field="attention"]').textContent()).toBe(
      'Attention: block top-K (B=16, K=2)',
    );
    expect(sparse['rel-l2']).toMatch(/^logits \d\.\d\de[+-]\d+ from dense \(rel\. L2; max \|Δ\| [\d.e+-]+\)$/);
    expect(sparse.different).toMatch(/^\d+\/256 tokens differ \(\d+\.\d %\)$/);
    expect(sparse.saved).toMatch(/^[\d.,]+ ms\/step (saved|slower) \(\d+\.\d\d×\)$/);
    console.log('e2e image block-topk B=16 K=2 vs dense:', JSON.stringify(sparse));

    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await page.getByLabel('Attention', { exact: true }).selectOption('dense');
    await page.getByLabel('Merge ratio', { exact: true }).fill('0.5');
    expect(await page.locator('.setting-error').count()).toBe(0);
    const merged = await runAndCompare();
    expect(await panel(page, 'emoji-maskgit').locator('[data-field="attention"]').textContent()).toBe(
      'Attention: dense, merge ratio 0.5',
    );
    expect(merged['rel-l2']).toMatch(/^logits \d\.\d\de[+-]\d+ /);
    expect(merged.different).toMatch(/^\d+\/256 tokens differ/);
    expect(merged.saved).toMatch(/ms\/step (saved|slower)/);
    console.log('e2e image merge ratio 0.5 vs dense:', JSON.stringify(merged));
    // Merging changes the logits: the deviation is not zero.
    expect(Number(merged['rel-l2'].split(' ')[1])).toBeGreaterThan(0);

    // The Timings panel lists the kernels of the shown step.
    await page
      .getByRole('region', { name: 'Timings', exact: true })
      .locator('[data-field="step-timings"]', { hasText: 'Step 12 · emoji-maskgit' })
      .getByRole('list', { name: 'Kernel times of the selected step' })
      .waitFor();
    await page.getByRole('region', { name: 'Compare with dense' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'image-attention.png');
    watch.assertNone();
  });
});
