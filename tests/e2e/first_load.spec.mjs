// First load on a phone, measured on the wire (issue 8): the invite link opens the join page,
// the participant registers and lands on the live participant page. Chromium's own network
// log (CDP Network.loadingFinished: encodedDataLength, headers included) sums every HTTP byte
// received — pages, scripts, style, API calls; the WebSocket's frames are not HTTP and are
// counted apart. Then a reload: no asset may come over the network again (immutable assets
// come from the cache, the HTML is revalidated: 304).
// Prints the figures; run.sh serves the built pages (client-sdk/web/dist).

import test from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_KEY, BASE, connected, launchChromium, newPage } from './pages.mjs';

const FIRST_LOAD_BUDGET = 60 * 1024;

// Every HTTP exchange of one page (across its navigations), from the DevTools protocol.
async function recordNetwork(page) {
  const cdp = await page.context().newCDPSession(page);
  const byId = new Map();
  const entry = (id) => {
    if (!byId.has(id)) byId.set(id, { id, url: '', status: 0, bytes: 0, fromCache: false, done: false, encoding: '' });
    return byId.get(id);
  };
  const ws = { received: 0, frames: 0 };
  let acceptEncoding = '';
  cdp.on('Network.requestWillBeSent', (e) => { entry(e.requestId).url = e.request.url; });
  // The headers Chromium really sent (Accept-Encoding is added below the page's view).
  cdp.on('Network.requestWillBeSentExtraInfo', (e) => {
    for (const [name, value] of Object.entries(e.headers)) if (name.toLowerCase() === 'accept-encoding') acceptEncoding = value;
  });
  cdp.on('Network.requestServedFromCache', (e) => { entry(e.requestId).fromCache = true; });
  cdp.on('Network.responseReceived', (e) => {
    const x = entry(e.requestId);
    x.url = e.response.url;
    x.status = e.response.status;
    x.fromCache ||= Boolean(e.response.fromDiskCache || e.response.fromMemoryCache);
    const headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    x.encoding = headers['content-encoding'] || '';
  });
  // The status on the wire: a revalidated response is reported above as the cached 200, here
  // as the 304 that came.
  cdp.on('Network.responseReceivedExtraInfo', (e) => { entry(e.requestId).wireStatus = e.statusCode; });
  cdp.on('Network.loadingFinished', (e) => {
    const x = entry(e.requestId);
    x.bytes = e.encodedDataLength;
    x.done = true;
  });
  cdp.on('Network.webSocketFrameReceived', (e) => {
    ws.frames += 1;
    // Text frames arrive as text, binary ones base64-encoded.
    ws.received += e.response.opcode === 1 ? Buffer.byteLength(e.response.payloadData) : Buffer.from(e.response.payloadData, 'base64').length;
  });
  await cdp.send('Network.enable');
  return {
    ws,
    acceptEncoding: () => acceptEncoding,
    // The exchanges so far, and forget them (the next phase starts from zero).
    take() {
      const list = [...byId.values()].filter((x) => x.url.startsWith('http'));
      byId.clear();
      return list;
    },
  };
}

function kb(bytes) { return `${(bytes / 1024).toFixed(1)} KB`; }

function report(title, list) {
  console.log(`# ${title}`);
  for (const x of list) {
    const how = x.fromCache ? 'cache' : `${x.wireStatus ?? x.status}${x.encoding ? ` ${x.encoding}` : ''}`;
    const shown = new URL(x.url);
    console.log(`#   ${String(x.bytes).padStart(7)} B  ${how.padEnd(9)} ${shown.pathname}${shown.pathname.endsWith(".html") ? shown.search : ""}`);
  }
  const total = list.reduce((sum, x) => sum + x.bytes, 0);
  console.log(`#   ${kb(total)} in ${list.length} HTTP responses`);
  return total;
}

const isStatic = (x) => { const p = new URL(x.url).pathname; return !p.startsWith('/api') && p !== '/ws'; };

test('first load of the invite link fits the budget, a reload downloads no asset', { skip: !BASE || !ADMIN_KEY }, async (t) => {
  const created = await fetch(`${BASE}/api/meetings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'First load — التحميل الأول', stakeholderGroups: ['government', 'academia'] }),
  });
  assert.equal(created.status, 201);
  const { links } = await created.json();

  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await newPage(browser,
    { viewport: { width: 360, height: 800 }, consoleErrors: false, isMobile: true, hasTouch: true });
  const network = await recordNetwork(page);

  await page.goto(`${links.participant}`.replace('#', '&lang=en#'));
  await page.waitForSelector('#join-form:not([hidden])');
  await page.waitForLoadState('networkidle');
  // The join page talks HTTP only: no WebSocket client nor protobuf code (the 'live' chunk),
  // and the strings of its language only.
  const joinPage = network.take();
  const joinAssets = joinPage.filter(isStatic).map((x) => new URL(x.url).pathname);
  report('join page', joinPage);
  assert.deepEqual(joinAssets.filter((p) => /\/assets\/(live|wire-json)-/.test(p)), [], 'the join page loaded the live client');
  assert.deepEqual(joinAssets.filter((p) => /\/assets\/i18n-/.test(p)).map((p) => p.replace(/-[^-]+\.js$/, '')),
    ['/assets/i18n-en'], 'the join page loads English strings only');
  await page.fill('#join-name', 'Nadia Farouk');
  await page.selectOption('#join-group', 'academia');
  await page.click('#join-submit');
  await page.waitForURL(/participant\.html/);
  await connected(page);
  await page.waitForLoadState('networkidle');

  const first = [...joinPage, ...network.take()];
  const firstStatic = first.filter(isStatic);
  assert.ok(firstStatic.every((x) => x.done), 'every response finished');
  const total = report('first load: invite link → join page → registered → live participant page', first);
  console.log(`#   WebSocket: ${network.ws.frames} frames, ${kb(network.ws.received)} of payload (not counted)`);
  console.log(`#   Accept-Encoding sent: ${network.acceptEncoding() || '(not reported)'}`);
  // Scripts, style and pages come compressed.
  for (const x of firstStatic) {
    if (/\.(js|css|html)$/.test(new URL(x.url).pathname)) {
      assert.match(x.encoding, /^(br|gzip)$/, `${x.url} came uncompressed`);
    }
  }
  // The participant page reuses the join page's shared chunks: no URL is fetched twice.
  const paths = firstStatic.filter((x) => !x.fromCache).map((x) => new URL(x.url).pathname);
  assert.deepEqual(paths.filter((p, i) => paths.indexOf(p) !== i), [], 'an asset downloaded twice');
  assert.ok(total <= FIRST_LOAD_BUDGET, `first load ${kb(total)} > ${kb(FIRST_LOAD_BUDGET)}`);

  await page.reload();
  await connected(page);
  await page.waitForLoadState('networkidle');
  const again = network.take();
  report('reload of the live participant page', again);
  const againStatic = again.filter(isStatic);
  assert.ok(againStatic.length > 0, 'the reload loaded the page');
  for (const x of againStatic) {
    const path = new URL(x.url).pathname;
    assert.ok(x.fromCache || x.wireStatus === 304, `${path} downloaded again (status ${x.wireStatus ?? x.status})`);
    if (path.startsWith('/assets/')) assert.ok(x.fromCache, `${path} was not taken from the cache`);
  }
  assert.deepEqual(page.errors, []);
});
