// The attention lab in a real browser (the engine in its worker, WebGPU on this machine's adapter):
// open the tab, run dense vs block top-K vs LLSA at N = 1,024, and check that the times, speed-ups and
// errors are shown and that every level's map is drawn with the query block's kept blocks; then run
// again with smaller blocks, two levels and a smaller K and check the maps change; pick another query block by
// clicking the map; the token-merging grid shows its groups. Then load brown-mdlm and run on Q/K/V
// captured from one of its steps (a layer and head over a sentence and [MASK]): the capture is named,
// the maps and the merged sequence are drawn. Any console error fails the test.

import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PageProblems } from './browser.ts';
import { launchBrowser } from './browser.ts';
import { openApp, pickModel, screenshot } from './generate.ts';

const baseURL = inject('baseURL');
const RUN_TIMEOUT = 300_000;

interface MapState {
  level: number;
  query: number;
  selected: number[];
  keptPixels: number; // canvas pixels in the "kept" colour
}

/** Every drawn map: its data-* attributes and how much of it is painted as kept. */
async function maps(page: Page): Promise<MapState[]> {
  return page.locator('figure.lab-map').evaluateAll((figs) =>
    figs.map((fig) => {
      const f = fig as HTMLElement;
      const canvas = f.querySelector('canvas')!;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let keptPixels = 0;
      // #4ea8f0, the kept colour of LabBlockMap.tsx
      for (let i = 0; i < data.length; i += 4)
        if (data[i] === 78 && data[i + 1] === 168 && data[i + 2] === 240) keptPixels++;
      return {
        level: Number(f.dataset.level),
        query: Number(f.dataset.query),
        selected: (f.dataset.selected ?? '').split(',').filter(Boolean).map(Number),
        keptPixels,
      };
    }),
  );
}

/** The results table as method → cells (ms, speed-up, keys, rel. L2, max error). */
async function table(page: Page): Promise<Record<string, string[]>> {
  const rows = await page
    .getByRole('table', { name: 'Dense vs sparse attention' })
    .locator('tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [
        (tr as HTMLElement).dataset.method ?? '',
        ...Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim() ?? ''),
      ]),
    );
  return Object.fromEntries(rows.map(([name, ...cells]) => [name, cells]));
}

async function run(page: Page, n: string): Promise<void> {
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `Ran N = ${n}` })
    .waitFor({ timeout: RUN_TIMEOUT });
}

const field = (page: Page, label: string): Locator => page.getByLabel(label, { exact: true });

describe('attention lab', () => {
  let browser: Browser;
  let page: Page;
  let watch: PageProblems;
  let first: MapState[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    ({ page, watch } = await openApp(browser, baseURL));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('opens the tab with its settings; an invalid K disables Run', async () => {
    await page.locator('[data-field="architecture"]').waitFor({ timeout: 60_000 });
    await page.getByRole('tab', { name: 'Attention lab', exact: true }).click();
    await page.getByRole('heading', { name: 'Attention lab' }).waitFor();
    expect(await field(page, 'Tokens N').inputValue()).toBe('1024');
    await field(page, 'Top-K').fill('0');
    await page.getByText('Top-K must be a whole number from 1 to 64.').waitFor();
    expect(await page.getByRole('button', { name: 'Run', exact: true }).isDisabled()).toBe(true);
    await field(page, 'Top-K').fill('8');
    await field(page, 'LLSA levels L').selectOption('1');
    await field(page, 'Query block').fill('20');
    expect(await page.locator('.setting-error').count()).toBe(0);
  });

  it('runs at N = 1,024: times, speed-ups, errors and one map per level', async () => {
    await run(page, '1,024');
    const t = await table(page);
    expect(Object.keys(t)).toEqual(['dense', 'block top-K', 'LLSA', 'ToMe']);
    for (const cells of Object.values(t)) expect(Number(cells[0])).toBeGreaterThan(0);
    expect(t['block top-K'][1]).toMatch(/^[\d.]+×$/);
    expect(t.LLSA[1]).toMatch(/^[\d.]+×$/);
    expect(t['block top-K'][2]).toBe('128'); // K·B keys per query
    expect(t.LLSA[3]).toMatch(/%|e-/); // an error against dense
    expect(await page.getByRole('img', { name: 'Time per call' }).locator('.chart-bar').count()).toBe(3);

    first = await maps(page);
    expect(first.map((m) => m.level)).toEqual([1, 1]); // block top-K, LLSA level 1
    for (const m of first) {
      expect(m.query).toBe(20);
      expect(m.selected.length).toBe(8);
      expect(new Set(m.selected).size).toBe(8);
      expect(m.keptPixels).toBeGreaterThan(0);
    }
    const tome = page.locator('figure.lab-tome-grid');
    expect(await tome.getAttribute('data-merged')).toBe('512');
    expect(Number(await tome.getAttribute('data-groups'))).toBeGreaterThan(0);
  });

  it('runs again with B = 8, two levels and K = 4: the maps change', async () => {
    await field(page, 'Block size B').selectOption('8');
    await field(page, 'LLSA levels L').selectOption('2');
    await field(page, 'Top-K').fill('4');
    await run(page, '1,024');
    const second = await maps(page);
    expect(second.map((m) => m.level)).toEqual([1, 1, 2]);
    for (const m of second) {
      expect(m.selected.length).toBe(4);
      expect(m.keptPixels).toBeGreaterThan(0);
    }
    expect(second[2].query).toBe(Math.floor(20 / 8)); // the query block's level-2 token
    expect(second[1].selected).not.toEqual(first[1].selected);
    // LLSA's level 1 kept only children of the level-2 blocks it kept.
    for (const b of second[1].selected) expect(second[2].selected).toContain(Math.floor(b / 8));
    await screenshot(page, 'attention-lab.png');
  });

  it('a click on the map picks another query block without a new run', async () => {
    const canvas = page.locator('figure.lab-map').first().locator('canvas');
    const box = (await canvas.boundingBox())!;
    // The top-left cell is block 0 on the Morton grid.
    await canvas.click({ position: { x: 3, y: 3 } });
    expect(box.width).toBeGreaterThan(0);
    expect(await field(page, 'Query block').inputValue()).toBe('0');
    const after = await maps(page);
    expect(after.map((m) => m.query)).toEqual([0, 0, 0]);
    watch.assertNone();
  });

  it('runs on Q/K/V captured from a brown-mdlm step: the capture is named, the maps render', async () => {
    const input = field(page, 'Input');
    expect(await input.locator('option[value="model"]').count()).toBe(0); // no diffusion model yet
    await pickModel(page, 'brown-mdlm');
    await page.getByRole('tab', { name: 'Attention lab', exact: true }).click();
    await input.selectOption('model');
    // N comes down to the model's context; D is the model's head size.
    expect(await field(page, 'Tokens N').inputValue()).toBe('256');
    expect(await field(page, 'Head size D').inputValue()).toBe('32');
    await field(page, 'Layer').selectOption('3');
    await field(page, 'Head').selectOption('5');
    await field(page, 'Query block').fill('2');
    expect(await page.locator('.setting-error').count()).toBe(0);
    await run(page, '256');

    const note = page.locator('.lab-capture');
    expect(await note.getAttribute('data-layer')).toBe('3');
    expect(await note.getAttribute('data-head')).toBe('5');
    const textTokens = Number(await note.getAttribute('data-text-tokens'));
    expect(textTokens).toBeGreaterThan(10);
    expect(await note.innerText()).toContain('The Fulton County Grand Jury');
    expect(await page.locator('.step-status').innerText()).toContain('brown-mdlm layer 3, head 5');

    const t = await table(page);
    expect(Object.keys(t)).toEqual(['dense', 'block top-K', 'LLSA', 'ToMe']);
    for (const cells of Object.values(t)) expect(Number(cells[0])).toBeGreaterThan(0);
    expect(t['block top-K'][2]).toBe('32'); // K·B = 4 · 8 keys per query
    expect(t.LLSA[3]).toMatch(/%|e-/);
    const drawn = await maps(page);
    expect(drawn.map((m) => m.level)).toEqual([1, 1, 2]);
    for (const m of drawn) {
      expect(m.selected.length).toBe(4);
      expect(m.keptPixels).toBeGreaterThan(0);
    }
    expect(drawn.map((m) => m.query)).toEqual([2, 2, 0]);
    // ToMe merged the text sequence (cells of 4 consecutive tokens), drawn in rows.
    const tome = page.locator('figure.lab-tome-grid');
    expect(await tome.getAttribute('data-merged')).toBe('128');
    expect(Number(await tome.getAttribute('data-groups'))).toBeGreaterThan(0);
    expect(await tome.locator('canvas').getAttribute('aria-label')).toContain(
      '256 tokens of the sequence, in rows of 16',
    );
    await screenshot(page, 'attention-lab-model.png');
    watch.assertNone();
  });
});
