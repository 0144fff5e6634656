// Loading models in a real browser, against `vite preview` of the built app:
//  (a) a shipped model picked in the Model list: progress reaches 100 % and the tensor table appears;
//  (b) offline: the page reloads from the service worker and the same model loads from IndexedDB;
//  (c) the same model's files through the Open files picker (and Open folder, and a drop on the page)
//      give the same tensor table;
//  (d) URLs: a Range server and a no-Range server load it; a 404 URL and a no-CORS URL give one clear
//      message naming the URL;
//  (e) a truncated model.safetensors through the picker gives one clear error naming the file, and
//      the app still loads a model afterwards;
//  (f) a model of 524 tensors: the inspector shows its tensor table 500 rows a page.
// The steps share one page, in order. Screenshots land in e2e/artifacts/.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { breakModelFiles, makeTestModelFiles, writeModelFolder } from '../scripts/make-test-model.ts';
import { startTestServers, type TestServers } from '../src/formats/testServers.ts';
import { launchBrowser, watchPage, type PageProblems } from './browser.ts';
import {
  barValue,
  filesIn,
  loadErrors,
  modelSelect,
  overallBar,
  shippedTestModel,
  showModelTab,
  tensorRows,
  waitForLoadEnd,
} from './models.ts';

const baseURL = inject('baseURL');
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
const VIEWPORT = { width: 1440, height: 900 };
const model = shippedTestModel();
const STEP_TIMEOUT = 240_000; // per step; a stuck step fails on its own instead of holding the run

// What the browser itself logs for requests that fail on purpose here (404s, CORS refusals, offline).
const EXPECTED_NOISE = [
  /Failed to load resource/,
  /blocked by CORS policy/,
  /net::ERR_INTERNET_DISCONNECTED/,
  /ERR_FAILED/,
];

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}`, fullPage: false });
}

describe(`loading models (${model.id})`, () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watch: PageProblems;
  let servers: TestServers;
  let scratch: string;
  let expectedRows: string[] = [];

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'stepwise-e2e-'));
    servers = await startTestServers(model.dir);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    page = await context.newPage();
    watch = watchPage(page);
    await page.goto(baseURL);
    await page.locator('[data-field="architecture"]').waitFor({ timeout: 60_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await servers?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it(
    '(a) lists the shipped models and loads one picked in Model, with progress to 100 %',
    { timeout: STEP_TIMEOUT },
    async () => {
      const select = modelSelect(page);
      await select.locator(`option[value="${model.id}"]`).waitFor({ state: 'attached' });
      const optionText = (await select.locator(`option[value="${model.id}"]`).textContent()) ?? '';
      expect(optionText).toMatch(new RegExp(`^${model.id} — \\S+ · [\\d.]+ [KMG]?i?B$`));

      await select.selectOption(model.id);
      expect(await waitForLoadEnd(page, model.id)).toBe('loaded');
      expect(await barValue(overallBar(page))).toBe(100);
      expect(await page.locator('[data-field="overall-percent"]').textContent()).toBe('100 %');
      // One bar per file of the model, each complete.
      const fileBars = page.getByRole('list', { name: 'Files' }).getByRole('progressbar');
      expect(await fileBars.count()).toBe(model.loaderFiles.length);
      for (const file of model.loaderFiles) {
        expect(await barValue(page.getByRole('progressbar', { name: `${file} progress` })), file).toBe(100);
      }

      await showModelTab(page);
      expectedRows = await tensorRows(page);
      expect(expectedRows.length).toBeGreaterThan(3);
      expect(expectedRows.some((r) => r.startsWith('wte.weight |'))).toBe(true);
      expect(await page.locator('[data-field="model-type"]').textContent()).toBe('gpt2');
      expect(await page.getByRole('table', { name: 'Configuration' }).getByText('n_embd').count()).toBe(1);
      await screenshot(page, 'models.png');
      watch.assertNone();
    },
  );

  it(
    '(b) starts offline from the service worker and loads the model from the IndexedDB cache',
    { timeout: STEP_TIMEOUT },
    async () => {
      // The service worker has installed (precache complete) and controls the page.
      const controlled = await page.evaluate(async () => {
        const sw = navigator.serviceWorker;
        const timeout = new Promise((r) => setTimeout(r, 60_000));
        await Promise.race([sw.ready, timeout]);
        if (!sw.controller) {
          await Promise.race([new Promise((r) => sw.addEventListener('controllerchange', r, { once: true })), timeout]);
        }
        return sw.controller?.scriptURL ?? 'no service worker controls the page';
      });
      expect(controlled).toMatch(/\/sw\.js$/);

      await context.setOffline(true);
      await page.reload();
      await page.getByRole('banner').getByRole('heading', { name: 'Stepwise' }).waitFor({ timeout: 30_000 });
      await page.locator('[data-field="architecture"]').waitFor({ timeout: 60_000 });
      // Really offline: anything not in the service worker's precache fails, the weights included.
      const probe = await page.evaluate(async (id) => {
        const attempt = async (url: string) => {
          try {
            const res = await fetch(url, { cache: 'no-store' });
            return `HTTP ${res.status}`;
          } catch (e) {
            return `failed: ${(e as Error).name}`;
          }
        };
        return {
          weights: await attempt(`/models/${id}/model.safetensors`),
          other: await attempt(`/not-cached-${Date.now()}.txt`),
          controlled: navigator.serviceWorker.controller !== null,
          online: navigator.onLine,
        };
      }, model.id);
      expect(probe).toEqual({
        weights: 'failed: TypeError',
        other: 'failed: TypeError',
        controlled: true,
        online: false,
      });
      await page.getByRole('banner').getByRole('status').filter({ hasText: 'Offline' }).waitFor();

      await modelSelect(page).selectOption(model.id);
      expect(await waitForLoadEnd(page, model.id)).toBe('loaded');
      expect(await barValue(overallBar(page))).toBe(100);
      await showModelTab(page);
      expect(await tensorRows(page)).toEqual(expectedRows);
      await screenshot(page, 'offline.png');

      // The Cache panel lists it, with its size and a Delete button.
      await page.getByRole('tab', { name: 'Cache' }).click();
      const cached = page.getByRole('table', { name: 'Cached models' }).getByRole('row').filter({ hasText: model.id });
      await cached.waitFor({ timeout: 30_000 });
      expect(await cached.getByRole('button', { name: `Delete ${model.id}` }).isVisible()).toBe(true);
      expect(await page.locator('[data-field="storage-used"]').textContent()).toMatch(/ of /);
      await page.getByRole('button', { name: 'Keep models offline' }).click();
      await page.getByText(/^(Granted|Not granted|This browser cannot be asked)/).waitFor();

      await context.setOffline(false);
      watch.assertNone(EXPECTED_NOISE);
    },
  );

  it(
    '(c) loads the same model from files picked with Open files, a picked folder and a drop',
    { timeout: STEP_TIMEOUT },
    async () => {
      await page.getByLabel('Open files').setInputFiles(filesIn(model.dir));
      expect(await waitForLoadEnd(page, 'picked files')).toBe('loaded');
      expect(await barValue(overallBar(page))).toBe(100);
      await showModelTab(page);
      expect(await tensorRows(page)).toEqual(expectedRows);

      // The folder picker (webkitdirectory): the folder's name becomes the model's.
      await page.getByLabel('Open folder').setInputFiles(model.dir);
      expect(await waitForLoadEnd(page, `folder ${model.id}`)).toBe('loaded');
      expect(await tensorRows(page)).toEqual(expectedRows);

      // Files dropped on the page.
      await page.evaluate(
        async ({ id, names }) => {
          const dt = new DataTransfer();
          for (const name of names) {
            const blob = await (await fetch(`/models/${id}/${name}`)).blob();
            dt.items.add(new File([blob], name));
          }
          for (const type of ['dragenter', 'dragover', 'drop']) {
            document.body.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
          }
        },
        { id: model.id, names: model.loaderFiles },
      );
      expect(await waitForLoadEnd(page, 'dropped files')).toBe('loaded');
      expect(await tensorRows(page)).toEqual(expectedRows);
      watch.assertNone(EXPECTED_NOISE);
    },
  );

  it(
    '(d) loads from URLs with and without Range support, and names the URL when it cannot',
    { timeout: STEP_TIMEOUT },
    async () => {
      const urlField = page.getByRole('textbox', { name: 'Model URL or Hugging Face id' });
      const load = page.getByRole('button', { name: 'Load', exact: true });

      for (const url of [servers.range, servers.whole]) {
        await urlField.fill(url);
        await load.click();
        expect(await waitForLoadEnd(page, url), url).toBe('loaded');
        expect(await barValue(overallBar(page))).toBe(100);
        await showModelTab(page);
        expect(await tensorRows(page)).toEqual(expectedRows);
      }
      expect(servers.requests.some((r) => r.path.startsWith('/range/') && r.status === 206)).toBe(true);
      expect(servers.requests.some((r) => r.path.startsWith('/whole/') && r.status === 200)).toBe(true);

      for (const [url, problem] of [
        [servers.missing, /no such file|missing/],
        [servers.noCors, /CORS/],
      ] as const) {
        await urlField.fill(url);
        await load.click();
        expect(await waitForLoadEnd(page, url), url).toBe('error');
        const errors = await loadErrors(page);
        expect(errors, url).toHaveLength(1);
        expect(errors[0]).toContain(url);
        expect(errors[0]).toMatch(problem);
      }
      watch.assertNone(EXPECTED_NOISE);
    },
  );

  it(
    '(e) shows one clear error for a truncated model.safetensors, and loads a model after it',
    { timeout: STEP_TIMEOUT },
    async () => {
      const dir = join(scratch, 'truncated');
      await writeModelFolder(dir, breakModelFiles(makeTestModelFiles(), 'truncated'));
      await page.getByLabel('Open files').setInputFiles(filesIn(dir));
      expect(await waitForLoadEnd(page, 'picked files')).toBe('error');
      const errors = await loadErrors(page);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('model.safetensors');
      await screenshot(page, 'error.png');

      // Still usable: the shipped model loads again.
      await modelSelect(page).selectOption(model.id);
      expect(await waitForLoadEnd(page, model.id)).toBe('loaded');
      expect(await loadErrors(page)).toEqual([]);
      await showModelTab(page);
      expect(await tensorRows(page)).toEqual(expectedRows);
      watch.assertNone(EXPECTED_NOISE);
    },
  );

  it('(f) pages a long tensor table, 500 rows at a time', { timeout: STEP_TIMEOUT }, async () => {
    // 40 blocks of 13 tensors, plus wte, wpe and ln_f: 524 rows.
    const dir = join(scratch, 'deep');
    await writeModelFolder(dir, makeTestModelFiles({ nLayer: 40, nEmbd: 8, nHead: 2, nPositions: 16 }));
    await page.getByLabel('Open files').setInputFiles(filesIn(dir));
    expect(await waitForLoadEnd(page, 'picked files')).toBe('loaded');
    await showModelTab(page);
    expect(await page.locator('[data-field="tensor-count"]').textContent()).toBe('524');
    const pager = page.getByRole('navigation', { name: 'Tensor pages' });
    await expect.poll(() => pager.getByRole('status').textContent()).toBe('Tensors 1–500 of 524');
    const first = await tensorRows(page);
    expect(first).toHaveLength(500);
    expect(first[0]).toMatch(/^wte\.weight \|/);
    expect(await pager.getByRole('button', { name: 'Previous' }).isDisabled()).toBe(true);
    await pager.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => pager.getByRole('status').textContent()).toBe('Tensors 501–524 of 524');
    const second = await tensorRows(page);
    expect(second).toHaveLength(24);
    expect(second.at(-1)).toMatch(/^ln_f\.bias \|/);
    expect(await pager.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await screenshot(page, 'tensor-pages.png');
    watch.assertNone(EXPECTED_NOISE);
  });
});
