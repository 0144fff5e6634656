// A new deployment while the app is open: the new service worker installs and waits; the header says
// "Update ready — reload"; the page is not reloaded by itself (a marker set in the page survives);
// while something is in flight the reload button is disabled and says so; a click when idle reloads
// the page onto the new version.
//
// The app is served here by a small static server over dist/ whose /sw.js can be swapped for a
// "new build" (the same script with one precache revision changed), as a new deployment would.

import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, watchPage, type PageProblems } from './browser.ts';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

/** The built sw.js as a "next deployment": its first precache revision with one hex digit changed. */
function nextBuild(sw: string): string {
  const m = /revision:"([0-9a-f]+)"/.exec(sw) ?? /"revision":"([0-9a-f]+)"/.exec(sw);
  if (!m) throw new Error('e2e: no precache revision found in dist/sw.js');
  const old = m[1];
  const changed = (old[0] === 'a' ? 'b' : 'a') + old.slice(1);
  return sw.replace(old, changed);
}

async function serveDist(): Promise<{ url: string; server: Server; deploy(): void }> {
  const original = readFileSync(join(DIST, 'sw.js'), 'utf8');
  let sw = original;
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split(/[?#]/)[0]);
    if (path === '/sw.js') {
      res.writeHead(200, { 'Content-Type': TYPES['.js'], 'Cache-Control': 'no-cache' });
      res.end(sw);
      return;
    }
    let file = resolve(DIST, `.${path === '/' ? '/index.html' : path}`);
    if (!file.startsWith(DIST) || !isFile(file)) {
      if (path.startsWith('/models/') || extname(path) !== '') {
        res.writeHead(404).end();
        return;
      }
      file = join(DIST, 'index.html'); // the single-page app's fallback
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, server, deploy: () => (sw = nextBuild(original)) };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Waits until a service worker controls the page. */
async function controlled(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 });
}

describe('a new version while the app is open', () => {
  let browser: Browser;
  let page: Page;
  let watch: PageProblems;
  let site: Awaited<ReturnType<typeof serveDist>>;

  beforeAll(async () => {
    site = await serveDist();
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    watch = watchPage(page);
    await page.goto(site.url);
    await controlled(page);
    await page.locator('[data-field="architecture"]').waitFor({ timeout: 60_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => site?.server.close(r));
  });

  it('waits for the person: "Update ready — reload" in the header, and no reload by itself', async () => {
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'before the update'));
    site.deploy();
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration?.update();
    });
    const badge = page.getByRole('banner').getByRole('status').filter({ hasText: 'Update ready' });
    await badge.waitFor({ timeout: 60_000 });
    // Give a reload (the old behaviour: skipWaiting + clientsClaim + reload) every chance to happen.
    await page.waitForTimeout(3000);
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('before the update');
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting !== null)).toBe(
      true,
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}update-ready.png` });
  });

  it('while the self-test runs, the reload button is disabled and says why', async () => {
    await page.getByRole('tab', { name: 'Self-test' }).click();
    await page.getByRole('button', { name: 'Run self-test' }).click();
    const button = page.getByRole('banner').getByRole('button', { name: 'reload when done' });
    await button.waitFor({ timeout: 30_000 });
    expect(await button.isDisabled()).toBe(true);
    expect(await button.getAttribute('title')).toBe('Reload once it is done: the self-test is running');
    await page.screenshot({ path: `${ARTIFACTS}update-busy.png` });
    // The self-test on SwiftShader takes minutes: a fresh page for the last step.
  });

  it('a click on an idle page reloads it onto the new version', async () => {
    await page.goto(site.url); // the old version still controls: the update is still waiting
    await page.locator('[data-field="architecture"]').waitFor({ timeout: 60_000 });
    const badge = page.getByRole('banner').getByRole('status').filter({ hasText: 'Update ready' });
    await badge.waitFor({ timeout: 60_000 });
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'idle page'));
    await Promise.all([
      page.waitForEvent('load', { timeout: 60_000 }),
      badge.getByRole('button', { name: 'reload' }).click(),
    ]);
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBeUndefined();
    await controlled(page);
    expect(
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null),
    ).toBeNull();
    expect(await badge.count()).toBe(0);
    watch.assertNone([/Failed to load resource/]);
  });
});
