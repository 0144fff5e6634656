// Launching the system Chromium for the e2e tests (playwright-core: no browser download), and
// watching a page for console errors and uncaught exceptions.
//
// WebGPU in headless Chromium on this kind of machine (no GPU): `--enable-unsafe-webgpu` is enough;
// Chromium then falls back to SwiftShader (vendor "google", architecture "swiftshader", a fallback
// adapter with timestamp-query and subgroups, no shader-f16). `--enable-webgpu-developer-features`
// additionally fills in the adapter's device and description. Without `--enable-unsafe-webgpu`,
// `navigator.gpu` exists but `requestAdapter()` returns null.

import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROME_PATH = process.env.CHROME_PATH ?? '/usr/bin/chromium';

const BASE_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--enable-webgpu-developer-features'];

export interface LaunchOptions {
  /** Pass the WebGPU switches (default true). Without them, Chromium here has no adapter. */
  webgpu?: boolean;
}

/** Starts headless Chromium. A missing browser fails the test, with or without CI: never a skip. */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  if (!existsSync(CHROME_PATH)) {
    throw new Error(
      `e2e: no Chromium at ${CHROME_PATH}. Install it (Debian: apt-get install -y chromium) or set CHROME_PATH ` +
        `to a Chromium or Chrome binary. The e2e tests fail rather than skip${process.env.CI ? ' (CI=true)' : ''}.`,
    );
  }
  const args = [...BASE_ARGS, ...(options.webgpu === false ? [] : WEBGPU_ARGS)];
  return chromium.launch({ executablePath: CHROME_PATH, headless: true, args });
}

export interface PageProblems {
  /** Console errors and uncaught exceptions (page and workers) seen so far. */
  readonly problems: string[];
  /** Throws if any problem was seen that none of `allowed` matches. */
  assertNone(allowed?: RegExp[]): void;
}

/** Collects console errors and uncaught exceptions from `page` (its workers' console included). */
export function watchPage(page: Page): PageProblems {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.worker() ? 'worker console' : 'console';
    const loc = msg.location();
    problems.push(`${where}: ${msg.text()}${loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.stack ?? err.message}`));
  page.on('crash', () => problems.push('the page crashed'));
  return {
    problems,
    assertNone(allowed = []) {
      const unexpected = problems.filter((p) => !allowed.some((re) => re.test(p)));
      if (unexpected.length > 0) {
        throw new Error(`unexpected errors in the page:\n  ${unexpected.join('\n  ')}`);
      }
    },
  };
}
