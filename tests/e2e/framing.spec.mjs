// Clickjacking: a hostile page on another origin frames the participant page (whose token sits
// in the page's storage) to make the visitor click for it. majlisd's Content-Security-Policy
// (frame-ancestors 'none') and X-Frame-Options: DENY make Chromium refuse the frame. Control: the
// same hostile page frames a page of its own origin, which loads, so the refusal is the headers'.
// The hostile site is a tiny HTTP server on another loopback port started by this test.

import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { chromium } from 'playwright-core';

const BASE = process.env.MAJLIS_URL;
const ADMIN_KEY = process.env.MAJLIS_ADMIN_KEY;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

async function api(method, path, body, key) {
  const headers = { 'content-type': 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(`${BASE}${path}`, { method, headers, body: JSON.stringify(body) });
  const json = await res.json();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

// Serves the attacker's page at / and a harmless page of its own at /own.html.
function hostileSite(victimUrl) {
  const pages = {
    '/': `<!doctype html><title>win a prize</title>
      <iframe id="victim" src="${victimUrl}" width="800" height="600"></iframe>
      <iframe id="own" src="/own.html" width="200" height="100"></iframe>`,
    '/own.html': '<!doctype html><title>own</title><p id="own-content">framed fine</p>',
  };
  const server = http.createServer((req, res) => {
    const page = pages[req.url];
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page || 'not found');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('a hostile page on another origin cannot frame the participant page', { skip: !BASE || !ADMIN_KEY }, async (t) => {
  const created = await api('POST', '/api/meetings', { title: 'Framing test' }, ADMIN_KEY);
  const issued = await api('POST', `/api/meetings/${created.meetingId}/register`,
    { invite: created.inviteCode, name: 'Framed visitor', attendance: 'remote' });
  const victimUrl = `${BASE}/participant.html?meeting=${created.meetingId}&token=${issued.token}`;

  const site = await hostileSite(victimUrl);
  t.after(() => site.close());
  const hostileUrl = `http://127.0.0.1:${site.address().port}/`;
  assert.notEqual(new URL(hostileUrl).origin, new URL(BASE).origin, 'the hostile page is on another origin');

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  t.after(() => browser.close());
  const page = await browser.newPage();
  page.setDefaultTimeout(15000);

  // The browser's refusal, as the victim frame's response arrives.
  const victimResponse = page.waitForResponse((r) => r.url().startsWith(`${BASE}/participant.html`));
  await page.goto(hostileUrl);
  const response = await victimResponse;
  assert.match(response.headers()['content-security-policy'] || '', /frame-ancestors 'none'/);
  assert.equal(response.headers()['x-frame-options'], 'DENY');

  // Control: the hostile site's own frame loads.
  const own = await (await page.waitForSelector('#own')).contentFrame();
  await own.waitForSelector('#own-content');

  // The victim frame holds no participant page: no script of it ran, none of its markup is there.
  const victim = await (await page.waitForSelector('#victim')).contentFrame();
  await page.waitForLoadState('load');
  const loaded = await victim.evaluate(() => ({
    form: document.getElementById('contrib-form') !== null,
    majlis: typeof globalThis.majlis !== 'undefined',
    title: document.title,
  })).catch(() => ({ form: false, majlis: false, title: '' }));
  assert.equal(loaded.form, false, 'the participant page rendered inside the hostile frame');
  assert.equal(loaded.majlis, false, "the participant page's script ran inside the hostile frame");
  assert.doesNotMatch(loaded.title, /Majlis/);
});
