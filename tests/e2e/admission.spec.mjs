// End to end (issue 6): admission, roster control, verification and check-in through the web
// pages against a real majlisd in headless Chromium (run.sh starts it).
//  - approval mode: a registrant waits in the lobby (close 4010: a waiting card, never an error
//    or "not live"), the chair admits them from the console lobby, their page goes live;
//  - a participant's change of attendance waits for the chair, who accepts it;
//  - the chair removes a participant: their page says so (close 4003) and stops;
//  - check-in: the display shows the code and its QR code; a wrong code is refused with the
//    translated message; the right one puts the participant in the room, verified, on the console;
//  - a new invite link from the console (GET /links) replaces the old one.
// Screenshots go to $MAJLIS_SCREENSHOTS (default /tmp/majlis-e2e).

import test from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_KEY, BASE, SHOTS, connected, launchChromium, newPage } from './pages.mjs';

const WAITING_NAME = 'سلمى بن عمر';
const SECOND_NAME = 'Karim Haddad';
const REMOVED_TEXT_EN = 'The chair removed you from this meeting.';
const REFUSED_TEXT_AR = 'هذا الرمز غير صحيح أو انتهت صلاحيته';

// The lobby's rejoins are expected closes, so a WebSocket console error is no fault; the chair's
// confirmations are accepted.
async function admissionPage(browser, { viewport, locale } = {}) {
  const page = await newPage(browser, { viewport, locale, ignoreConsole: /WebSocket/ });
  page.on('dialog', (d) => d.accept());
  return page;
}

// Registers through the invite link and waits for the participant page.
// The page's language comes from the browser's (newPage's locale).
async function register(page, inviteLink, { name, group, attendance }) {
  await page.goto(inviteLink);
  await page.waitForSelector('#join-form:not([hidden])');
  await page.fill('#join-name', name);
  if (group) await page.selectOption('#join-group', group);
  await page.check(`input[name="attendance"][value="${attendance}"]`);
  await page.click('#join-submit');
  await page.waitForURL(/participant\.html/);
}

function rosterRow(chair, name) {
  return chair.locator('#roster li[data-participant]').filter({ hasText: name });
}

test('admission, removal, verification and check-in through the pages', { skip: !BASE || !ADMIN_KEY }, async (t) => {
  const browser = await launchChromium();
  t.after(() => browser.close());

  const chair = await admissionPage(browser);
  const links = {};

  await t.test('the chair creates a meeting and sets registration to approval', async () => {
    await chair.goto(`${BASE}/console.html?key=${encodeURIComponent(ADMIN_KEY)}&lang=en`);
    await chair.fill('#create-title', 'Admission — القبول');
    await chair.fill('#create-groups', 'government\ncivil_society\nacademia');
    await chair.click('#create-submit');
    await chair.waitForSelector('#links-view:not([hidden])');
    for (const k of ['participant', 'display', 'observer', 'moderator']) links[k] = await chair.inputValue(`#link-${k}`);
    await connected(chair);
    await chair.click('#start-meeting');
    await chair.waitForSelector('#end-meeting');
    await chair.selectOption('#reg-mode', 'REGISTRATION_MODE_APPROVAL');
    await chair.click('#reg-save');
    await chair.waitForFunction(() => globalThis.majlis.state.settings.admission.mode === 'REGISTRATION_MODE_APPROVAL');
    assert.match(await chair.textContent('#reg-help'), /lobby/);
  });

  const waiting = await admissionPage(browser, { viewport: { width: 420, height: 900 } });
  await t.test('a registrant waits in the lobby: a waiting card, not an error, not "not live"', async () => {
    await register(waiting, links.participant, { name: WAITING_NAME, group: 'civil_society', attendance: 'remote' });
    await waiting.waitForSelector('#lobby');
    await waiting.waitForFunction(() => document.documentElement.dataset.conn === 'lobby');
    assert.match(await waiting.textContent('#lobby'), /Waiting for the chair to admit you/);
    assert.equal(await waiting.locator('#conn-stopped').count(), 0, 'no stop card');
    assert.ok(await waiting.locator('.conn-banner').isHidden(), 'no "connection lost" banner');
    const badge = await waiting.textContent('#meeting-status');
    assert.doesNotMatch(badge, /Not live|Offline/, `badge: ${badge}`);
    // It keeps joining: still waiting after a few rejoins, not stopped.
    await waiting.waitForTimeout(4500);
    assert.equal(await waiting.evaluate(() => globalThis.majlis.status), 'lobby');
    await waiting.screenshot({ path: `${SHOTS}/lobby-participant.png`, fullPage: true });
  });

  await t.test('the chair sees them in the lobby and admits them, correcting the group', async () => {
    const entry = chair.locator('#lobby-list li[data-participant]').filter({ hasText: WAITING_NAME });
    await entry.waitFor();
    assert.equal(await chair.textContent('#lobby-count'), '1');
    assert.match(await entry.textContent(), /Civil society/);
    await chair.screenshot({ path: `${SHOTS}/lobby-console.png`, fullPage: true });
    await entry.locator('select.lobby-group').selectOption('academia');
    await entry.locator('.lobby-admit').click();
    await chair.waitForSelector('#lobby-list li[data-participant]', { state: 'detached' });
    const row = rosterRow(chair, WAITING_NAME);
    await row.waitFor();
    assert.match(await row.textContent(), /Academia/);
  });

  await t.test("the registrant's page goes live by itself", async () => {
    await connected(waiting);
    await waiting.waitForSelector('#lobby', { state: 'detached' });
    assert.equal(await waiting.evaluate(() => document.documentElement.dataset.conn), 'open');
    await waiting.waitForSelector('#my-details:not([hidden])');
  });

  await t.test('a change of attendance waits for the chair, who accepts it', async () => {
    await waiting.click('#details-change summary');
    await waiting.selectOption('#details-attendance', 'ATTENDANCE_IN_ROOM');
    await waiting.click('#details-ask');
    await waiting.waitForSelector('#change-pending');
    assert.match(await waiting.textContent('#change-pending'), /Waiting for the chair to confirm: In the room/);
    const row = rosterRow(chair, WAITING_NAME);
    await row.locator('.change-request').waitFor();
    await row.locator('.request-accept').click();
    await waiting.waitForSelector('#change-pending', { state: 'detached' });
    await chair.waitForFunction((name) => {
      const p = globalThis.majlis.state.participants.find((x) => x.displayName === name);
      return p && p.attendance === 'ATTENDANCE_IN_ROOM' && p.attendanceVerified && !p.requestedAttendance.endsWith('ROOM');
    }, WAITING_NAME);
  });

  await t.test('the chair removes them: their page says so and stops trying', async () => {
    await rosterRow(chair, WAITING_NAME).locator('.remove-participant').click();
    await rosterRow(chair, WAITING_NAME).locator('.badge.removed').waitFor();
    await waiting.waitForSelector('#conn-stopped[data-reason="removed"]');
    assert.match(await waiting.textContent('#conn-stopped'), new RegExp(REMOVED_TEXT_EN));
    await waiting.waitForTimeout(2500);
    assert.equal(await waiting.evaluate(() => globalThis.majlis.status), 'closed', 'no retry');
    await waiting.screenshot({ path: `${SHOTS}/removed-participant.png`, fullPage: true });
    // The chair can admit them again.
    await rosterRow(chair, WAITING_NAME).locator('.readmit').waitFor();
  });

  const display = await admissionPage(browser, { viewport: { width: 1600, height: 900 } });
  const second = await admissionPage(browser, { viewport: { width: 420, height: 900 }, locale: 'ar' });
  let code = '';
  await t.test('check-in: the display shows the code and its QR code', async () => {
    await register(second, links.participant, { name: SECOND_NAME, group: 'government', attendance: 'remote' });
    await second.waitForSelector('#lobby');
    const entry = chair.locator('#lobby-list li[data-participant]').filter({ hasText: SECOND_NAME });
    await entry.locator('select.lobby-group').selectOption('government');
    await entry.locator('.lobby-admit').click();
    await connected(second);
    const row = rosterRow(chair, SECOND_NAME);
    await row.locator('.badge.unverified').waitFor(); // attendance as registered: unverified

    await display.goto(links.display);
    await connected(display);
    await chair.click('#checkin-toggle');
    await chair.waitForSelector('#checkin-code-now');
    await display.waitForSelector('#d-checkin-code');
    code = (await display.textContent('#d-checkin-code')).trim();
    assert.ok(code.length >= 4, `a short code: ${code}`);
    assert.equal((await chair.textContent('#checkin-code-now')).trim(), code, 'the console shows the same code');
    await display.waitForSelector('#d-checkin-qr svg path');
    const qrText = await display.getAttribute('#d-checkin-qr', 'data-text');
    assert.match(qrText, new RegExp(`participant\\.html\\?meeting=.+&checkin=${code}$`));
    assert.doesNotMatch(qrText, /token/, 'no credential in the QR code');
    await display.screenshot({ path: `${SHOTS}/display-checkin.png` });
  });

  await t.test('a wrong code is refused with the translated message', async () => {
    await second.waitForSelector('#checkin-code');
    const wrong = code.split('').map((c) => (/\d/.test(c) ? String((Number(c) + 5) % 10) : (c === 'A' ? 'B' : 'A'))).join('');
    await second.fill('#checkin-code', wrong);
    await second.click('#checkin-submit');
    await second.waitForSelector('#checkin-error');
    assert.match(await second.textContent('#checkin-error'), new RegExp(REFUSED_TEXT_AR));
    assert.equal(await second.evaluate(() => document.documentElement.dir), 'rtl');
    await second.screenshot({ path: `${SHOTS}/checkin-refused-ar.png`, fullPage: true });
  });

  await t.test('the right code checks them in: the console shows them in the room, verified', async () => {
    code = (await display.textContent('#d-checkin-code')).trim(); // it may have rotated
    await second.fill('#checkin-code', code);
    await second.click('#checkin-submit');
    await second.waitForSelector('#checked-in');
    const row = rosterRow(chair, SECOND_NAME);
    await row.locator('.badge.checked-in').waitFor();
    await row.locator('.badge.unverified').waitFor({ state: 'detached' });
    assert.match(await row.textContent(), /In the room/);
    await chair.screenshot({ path: `${SHOTS}/checkin-console.png`, fullPage: true });
  });

  await t.test('a new invite link replaces the old one', async () => {
    const before = await chair.inputValue('#link-participant');
    await chair.click('#rotate-invite');
    await chair.waitForFunction((old) => {
      const v = document.getElementById('link-participant')?.value;
      return v && v !== old;
    }, before);
    const fresh = await admissionPage(browser);
    await fresh.goto(before);
    await fresh.waitForFunction(() => /not valid/.test(document.getElementById('join-status').textContent));
    assert.ok(await fresh.locator('#join-form').isHidden(), 'the old invite link registers nobody');
    await fresh.context().close();
  });

  await t.test('mirrors built from events equal fresh snapshots (console, display)', async () => {
    const comparable = (state) => ({
      ...state,
      seq: 0,
      participants: state.participants.map((p) => ({ ...p, connectionIds: [], connectionCount: 0, online: false })),
      checkIn: { ...state.checkIn, code: '', previousCode: '', rotatedAtMs: 0, nextRotationMs: 0, previousValidUntilMs: 0 },
    });
    for (const [name, page, link] of [['chair', chair, links.moderator], ['display', display, links.display]]) {
      const fresh = await admissionPage(browser);
      await fresh.goto(link);
      await connected(fresh);
      // Compare at one seq: wait for the check-in code to hold still across both.
      const seq = await fresh.evaluate(() => globalThis.majlis.state.seq);
      await page.waitForFunction((s) => globalThis.majlis.state.seq >= s, seq);
      const mirrored = await page.evaluate(() => globalThis.majlis.state);
      const snapshot = await fresh.evaluate(() => globalThis.majlis.state);
      assert.deepEqual(comparable(mirrored), comparable(snapshot), `${name}: mirror vs snapshot`);
      await fresh.context().close();
    }
  });

  await t.test('no page threw', () => {
    for (const [name, page] of [['chair', chair], ['display', display], ['waiting', waiting], ['second', second]]) {
      assert.deepEqual(page.errors, [], `${name} page errors`);
    }
  });
});
