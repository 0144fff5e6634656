// The application shell in a real browser: it loads, opens a real WebGPU adapter in the worker,
// offers the Model selector, runs the kernel self-test on the GPU with every row passing — and,
// without WebGPU, explains what to do instead of showing a blank page. Any console error or uncaught
// exception (including Content-Security-Policy violations) fails the test.

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, watchPage, type PageProblems } from './browser.ts';

const baseURL = inject('baseURL');
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
const VIEWPORT = { width: 1440, height: 900 };

async function openApp(browser: Browser, init?: () => void): Promise<{ page: Page; watch: PageProblems }> {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  const watch = watchPage(page);
  await page.goto(baseURL);
  return { page, watch };
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}`, fullPage: true });
}

describe('the shell, with WebGPU', () => {
  let browser: Browser;
  let page: Page;
  let watch: PageProblems;

  beforeAll(async () => {
    browser = await launchBrowser();
    ({ page, watch } = await openApp(browser));
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads, with its title and header', async () => {
    expect(await page.title()).toMatch(/^Stepwise/);
    await page.getByRole('banner').getByRole('heading', { level: 1, name: 'Stepwise' }).waitFor();
  });

  it('shows a real adapter in the adapter panel', async () => {
    const architecture = page.locator('[data-field="architecture"]');
    await architecture.waitFor({ timeout: 60_000 });
    const text = (await architecture.textContent())?.trim() ?? '';
    expect(text).not.toBe('');
    expect(text).not.toBe('not reported');
    const adapterClass = (await page.locator('[data-field="class"] .pill').textContent())?.trim();
    expect(['cpu', 'gpu']).toContain(adapterClass);
    expect(await page.getByRole('list', { name: 'Key features' }).getByRole('listitem').count()).toBe(3);
  });

  it('has a Model selector with that accessible name', async () => {
    const select = page.getByRole('combobox', { name: 'Model', exact: true });
    expect(await select.count()).toBe(1);
    // A disabled placeholder first ("Choose a model…", or "No models yet" when none are shipped).
    const placeholder = select.locator('option').first();
    expect(await placeholder.textContent()).toMatch(/^(Choose a model…|No models yet)$/);
    expect(await placeholder.isDisabled()).toBe(true);
  });

  it('runs the self-test in the browser, and every row passes', async () => {
    await page.getByRole('tab', { name: 'Self-test' }).click();
    await page.getByRole('button', { name: 'Run self-test' }).click();
    // The table fills row by row; SwiftShader on a few cores needs a minute or two for all of it.
    const summary = page.getByRole('status').filter({ hasText: /^\d+\/\d+ passed/ });
    await summary.waitFor({ timeout: 540_000 });
    await screenshot(page, 'shell.png');

    const rows = await page
      .locator('table.results tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent?.trim() ?? '').join(' | ')));
    const failed = rows.filter((r) => !r.includes('| pass |'));
    const [, passed, total] = /^(\d+)\/(\d+) passed/.exec((await summary.textContent()) ?? '') ?? [];
    expect(rows.length).toBeGreaterThan(0);
    expect(Number(total)).toBe(rows.length);
    expect(failed, `failing self-test rows:\n${failed.join('\n')}`).toEqual([]);
    expect(passed).toBe(total);
  });

  it('logs no console errors and throws no uncaught exceptions', () => {
    watch.assertNone();
  });
});

describe('the shell, without WebGPU', () => {
  let browser: Browser | undefined;

  afterAll(async () => {
    await browser?.close();
  });

  it('explains what to do when the browser finds no adapter (WebGPU switches off)', async () => {
    browser = await launchBrowser({ webgpu: false });
    const { page, watch } = await openApp(browser);
    await page.getByRole('heading', { name: 'WebGPU is not available in this browser' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-field="error-message"]').textContent()).toBe('no WebGPU adapter was found');
    expect(await page.getByText('--enable-unsafe-webgpu').count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'Try again' }).isVisible()).toBe(true);
    await screenshot(page, 'unavailable.png');
    watch.assertNone();
    await page.context().close();
  });

  it('enforces its Content-Security-Policy: an injected inline script is refused', async () => {
    // (Eval cannot be probed from here: code run through the DevTools protocol is exempt from the
    // policy's eval check. Without 'unsafe-eval' in script-src, the page itself cannot eval.)
    browser ??= await launchBrowser({ webgpu: false });
    const { page } = await openApp(browser);
    await page.getByRole('banner').getByRole('heading', { name: 'Stepwise' }).waitFor();
    const verdict = await page.evaluate(async () => {
      const violation = new Promise<string>((resolve) =>
        document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective), { once: true }),
      );
      const script = document.createElement('script');
      script.textContent = 'window.inlineRan = true';
      document.head.append(script);
      const directive = await Promise.race([violation, new Promise((r) => setTimeout(() => r('none'), 2000))]);
      return { directive, inlineRan: (window as unknown as { inlineRan?: boolean }).inlineRan === true };
    });
    expect(verdict).toEqual({ directive: 'script-src-elem', inlineRan: false });
    await page.context().close();
  });

  it('explains what to do when navigator.gpu is missing', async () => {
    browser ??= await launchBrowser({ webgpu: false });
    const { page, watch } = await openApp(browser, () => {
      Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
    });
    await page.getByRole('heading', { name: 'WebGPU is not available in this browser' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-field="error-message"]').textContent()).toContain('navigator.gpu is missing');
    expect(await page.getByRole('banner').getByRole('heading', { name: 'Stepwise' }).isVisible()).toBe(true);
    watch.assertNone();
    await page.context().close();
  });
});
