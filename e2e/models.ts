// Helpers for the model-loading e2e tests: which shipped model to test with, its files on disk, and
// reading the page's load progress, tensor table and errors.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const MODELS_DIR = join(ROOT, 'public', 'models');

/** The demo model the tests prefer; when it is not shipped, the first model of models/index.json. */
export const PREFERRED_MODEL = 'brown-gpt2';

export interface TestModel {
  id: string;
  dir: string; // public/models/<id>
  files: string[]; // absolute paths of its files
  loaderFiles: string[]; // the ones a load reads (config, weights, tokenizer), as the index names them
}

export function shippedTestModel(): TestModel {
  const index = JSON.parse(readFileSync(join(MODELS_DIR, 'index.json'), 'utf8')) as {
    models: Array<{ id: string; files: Array<{ path: string }> }>;
  };
  if (index.models.length === 0) {
    throw new Error('e2e: public/models/index.json lists no models: ship one (scripts/make-model-index.ts)');
  }
  const entry = index.models.find((m) => m.id === PREFERRED_MODEL) ?? index.models[0];
  const dir = join(MODELS_DIR, entry.id);
  return {
    id: entry.id,
    dir,
    files: entry.files.map((f) => join(dir, ...f.path.split('/'))),
    loaderFiles: entry.files.map((f) => f.path).filter((p) => /^(config|tokenizer)\.json$|\.safetensors$/.test(p)),
  };
}

/** Absolute paths of the files under `dir` (one level: model folders are flat). */
export function filesIn(dir: string): string[] {
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((p) => statSync(p).isFile())
    .sort();
}

export function modelSelect(page: Page): Locator {
  return page.getByRole('combobox', { name: 'Model', exact: true });
}

export function overallBar(page: Page): Locator {
  return page.getByRole('progressbar', { name: 'Overall progress' });
}

/** The value of a <progress>, or null while it is indeterminate. */
export async function barValue(bar: Locator): Promise<number | null> {
  return bar.evaluate((el) => (el.hasAttribute('value') ? (el as HTMLProgressElement).value : null));
}

/** Waits until the load of `label` finished, successfully or not; returns how. */
export async function waitForLoadEnd(page: Page, label: string, timeout = 120_000): Promise<string> {
  const box = page.locator('.load-status');
  await page
    .locator('.load-status')
    .filter({ hasText: label })
    .filter({ has: page.locator('.load[data-status="loaded"], [role="alert"]') })
    .waitFor({ timeout });
  return (await box.locator('.load[data-status="loaded"]').count()) > 0 ? 'loaded' : 'error';
}

/** The tensor table, row by row: "name | dtype | shape | bytes". */
export async function tensorRows(page: Page): Promise<string[]> {
  const table = page.getByRole('table', { name: 'Tensors' });
  await table.waitFor({ timeout: 30_000 });
  return table
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent?.trim() ?? '').join(' | ')));
}

/** Opens the stage's Model tab (the inspector of the loaded model). */
export async function showModelTab(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Model', exact: true }).click();
}

/** The text of the model area's error boxes. */
export async function loadErrors(page: Page): Promise<string[]> {
  return page
    .getByRole('complementary', { name: 'Models' })
    .getByRole('alert')
    .evaluateAll((els) => els.map((e) => e.textContent?.trim() ?? ''));
}
