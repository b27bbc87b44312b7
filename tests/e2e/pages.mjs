// What the Chromium specs share: the environment run.sh sets, one headless Chromium, a page
// that collects its own errors, the HTTP API and the live-page wait.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const BASE = process.env.MAJLIS_URL;
export const ADMIN_KEY = process.env.MAJLIS_ADMIN_KEY;
export const SHOTS = process.env.MAJLIS_SCREENSHOTS || '/tmp/majlis-e2e';
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const TIMEOUT = 15000;

mkdirSync(SHOTS, { recursive: true });

export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// A page in its own context (page.context(); other options, e.g. isMobile, go to newContext);
// page.errors collects uncaught exceptions and, unless consoleErrors is false, console errors
// whose text ignoreConsole (a RegExp) does not match.
export async function newPage(browser, { viewport = { width: 1400, height: 900 }, locale = 'en-US',
  consoleErrors = true, ignoreConsole = null, ...contextOptions } = {}) {
  const context = await browser.newContext({ viewport, locale, ...contextOptions });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  if (consoleErrors) {
    page.on('console', (m) => {
      if (m.type() === 'error' && !ignoreConsole?.test(m.text())) page.errors.push(`console: ${m.text()}`);
    });
  }
  return page;
}

// One HTTP API call that must succeed; the JSON answer, {} when the body is empty.
export async function api(base, method, route, { key, body } = {}) {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(key ? { Authorization: `Bearer ${key}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${route}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

export function withLang(link, lang) {
  const url = new URL(link);
  url.searchParams.set('lang', lang);
  return url.href;
}

// Until the page's client is open with a state.
export async function connected(page) {
  await page.waitForFunction(() => globalThis.majlis && globalThis.majlis.status === 'open' && globalThis.majlis.state);
}

// Until the page's client is open with a state and the page shows it as connected.
export async function live(page) {
  await page.waitForFunction(() => globalThis.majlis?.status === 'open' && globalThis.majlis.state
    && document.documentElement.dataset.conn === 'open');
}
