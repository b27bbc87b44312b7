// A phone loses its network: the participant page (360×800, touch, Arabic) says it is not live
// at once (the browser's offline event), a hand raised meanwhile waits in the client's queue,
// and goes out by itself when the network is back; the chair (a Node client of the SDK,
// client-sdk/ts/dist, built by ./dev test before this runs) sees the request once, in order.

import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ADMIN_KEY, BASE, SHOTS, TIMEOUT, connected, launchChromium, newPage } from './pages.mjs';

const NAME = 'مريم الحسيني';

async function until(cond, what, timeoutMs = TIMEOUT) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('offline on a phone: not live at once, a raised hand waits and goes out when the network is back',
  { skip: !BASE || !ADMIN_KEY }, async (t) => {
    const sdk = await import('../../client-sdk/ts/dist/index.js');
    const WebSocket = createRequire(new URL('../../client-sdk/ts/package.json', import.meta.url))('ws');
    sdk.setApiBase(BASE);
    const created = await sdk.api.createMeeting(ADMIN_KEY, {
      title: 'جلسة بلا شبكة — offline', languages: ['ar', 'en'], stakeholderGroups: ['civil_society'],
    });
    const meetingId = created.meetingId;
    const person = await sdk.api.issueToken(ADMIN_KEY, meetingId,
      { role: 'participant', name: NAME, stakeholderGroup: 'civil_society', attendance: 'in_room' });

    const chair = new sdk.MajlisClient({ meetingId, token: created.tokens.moderator,
      url: `${BASE.replace(/^http/, 'ws')}/ws`, WebSocket, watchNetwork: false });
    t.after(() => chair.close());
    chair.connect();
    await until(() => chair.live, 'the chair live');
    const send = async (command) => {
      const r = await chair.send(command);
      assert.ok(r.ok, JSON.stringify(r.error));
      await chair.waitForSeq(r.seq);
    };
    await send({ addAgendaItem: { title: 'الميزانية', position: -1 } });
    await send({ startMeeting: {} });
    await send({ startAgendaItem: { itemId: chair.state.agenda[0].id } });
    const waiting = () => chair.state.agenda[0].speakers.waiting.filter((e) => e.participantId === person.participantId);

    const browser = await launchChromium();
    t.after(() => browser.close());
    const page = await newPage(browser,
      { viewport: { width: 360, height: 800 }, locale: 'ar', consoleErrors: false, isMobile: true, hasTouch: true });
    const context = page.context();
    await page.goto(`${BASE}/participant.html?meeting=${meetingId}&lang=ar#token=${person.token}`);
    await connected(page);
    assert.equal(await page.evaluate(() => globalThis.majlis.format), 'binary', 'a page speaks protobuf by default');

    const wentOffline = Date.now();
    await context.setOffline(true);
    await page.waitForFunction(() => document.documentElement.dataset.conn === 'reconnecting', null, { timeout: 3000 });
    assert.ok(Date.now() - wentOffline < 3000, 'not live within a few seconds');

    await page.click('#raise-hand');
    await page.waitForFunction(() => globalThis.majlis.queued.length === 1);
    await page.screenshot({ path: `${SHOTS}/participant-offline-360x800-ar.png` });
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(waiting(), [], 'nothing reached the server while offline');

    await context.setOffline(false);
    await page.waitForFunction(() => globalThis.majlis.status === 'open' && globalThis.majlis.queued.length === 0);
    await until(() => waiting().length === 1, 'the chair sees the raised hand');
    await page.waitForSelector('#my-position');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(waiting().length, 1, 'sent once');
    assert.deepEqual(page.errors, []);
  });
