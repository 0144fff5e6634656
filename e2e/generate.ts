// Helpers for the generation e2e tests: open the app, load a shipped model through the Model select,
// show the Generate tab, move the timeline by keyboard, and read the token spans and cells the step
// views expose as read-only data-* attributes.

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { watchPage, type PageProblems } from './browser.ts';

export const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VIEWPORT = { width: 1440, height: 900 };

export async function openApp(browser: Browser, baseURL: string): Promise<{ page: Page; watch: PageProblems }> {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const watch = watchPage(page);
  await page.goto(baseURL);
  return { page, watch };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}`, fullPage: true });
}

/** Picks `id` in the Model select and waits until it is on the GPU (throws with the page's error). */
export async function pickModel(page: Page, id: string, timeout = 180_000): Promise<void> {
  const select = page.getByRole('combobox', { name: 'Model', exact: true });
  await select.locator(`option[value="${id}"]`).waitFor({ state: 'attached', timeout: 60_000 });
  await select.selectOption(id);
  const status = page.locator('.load-status').filter({ hasText: id });
  await status.locator('.load[data-status="loaded"], [role="alert"]').first().waitFor({ timeout });
  const error = status.locator('[role="alert"]');
  if ((await error.count()) > 0) throw new Error(`e2e: ${id} did not load: ${await error.innerText()}`);
}

export async function showGenerate(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Generate', exact: true }).click();
}

/** Moves the timeline to step `k` with the keyboard (Home, then ArrowRight k times). */
export async function timelineTo(page: Page, k: number): Promise<void> {
  const timeline = page.getByRole('slider', { name: 'Timeline' });
  await timeline.focus();
  await page.keyboard.press('Home');
  for (let i = 0; i < k; i++) await page.keyboard.press('ArrowRight');
}

export async function timelineValue(page: Page): Promise<number> {
  return Number(await page.getByRole('slider', { name: 'Timeline' }).inputValue());
}

export interface TokenSpan {
  step: number;
  token: number;
  branch: number;
  text: string;
}

/** The generated token spans of the text view, in order. */
export async function tokenSpans(page: Page): Promise<TokenSpan[]> {
  return page.locator('.gen-text[aria-label="Generated text"] .tok-gen').evaluateAll((els) =>
    els.map((el) => {
      const e = el as HTMLElement;
      // The tooltip (when shown) is a child of the span: read the span's own text only.
      const own = Array.from(e.childNodes)
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent ?? '')
        .join('');
      return {
        step: Number(e.dataset.step),
        token: Number(e.dataset.token),
        branch: Number(e.dataset.branch),
        text: own,
      };
    }),
  );
}

export interface GridCell {
  token: number;
  state: string; // prompt | masked | new | committed
}

/** The diffusion grid as shown: its step and every cell's token id and state. */
export async function gridCells(page: Page): Promise<{ step: number; cells: GridCell[] }> {
  const grid = page.getByRole('list', { name: 'Sequence' });
  const step = Number(await grid.getAttribute('data-step'));
  const cells = await grid.locator('li').evaluateAll(readCells);
  return { step, cells };
}

function readCells(els: Element[]): GridCell[] {
  return els.map((el) => {
    const data = (el as HTMLElement).dataset;
    return { token: Number(data.token), state: data.state ?? '' };
  });
}
