// The pages' side of admission and check-in against a scripted server (scripted_server.mjs),
// so the client's handling of each close code and answer is pinned down whatever the server
// does around it: close 4010 is the lobby (a waiting card, rejoins every few seconds, never
// "not live" or an error), an error frame followed by 4003 is "removed" (not "refused"), a
// refused check-in code is shown translated, and the display draws the check-in code and its
// QR code.

import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startScriptedServer } from './scripted_server.mjs';
import { SHOTS, launchChromium, newPage } from './pages.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// The built pages (tests/e2e/run.sh builds them; client-sdk/web/scripts/build.sh by hand).
const WEB = process.env.MAJLIS_WEB_DIST ?? path.resolve(HERE, '../../client-sdk/web/dist');

const me = {
  id: 'p1', displayName: 'ليلى', role: 'ROLE_PARTICIPANT', stakeholderGroup: 'civil_society',
  attendance: 'ATTENDANCE_REMOTE', admission: 'ADMISSION_STATUS_ADMITTED', groupVerified: true, selfRegistered: true,
};
const snapshot = {
  meetingId: 'm1', title: 'Check-in', status: 'MEETING_STATUS_LIVE', seq: '5',
  stakeholderGroups: ['government', 'civil_society'],
  participants: [me],
  checkIn: { open: true },
};
const you = { participantId: 'p1', displayName: 'ليلى', role: 'ROLE_PARTICIPANT', stakeholderGroup: 'civil_society', attendance: 'ATTENDANCE_REMOTE' };

async function launch(t) {
  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await newPage(browser, { viewport: { width: 1280, height: 720 }, consoleErrors: false });
  await page.addInitScript(() => {
    globalThis.statusLog = [];
    const Original = globalThis.EventTarget.prototype.dispatchEvent;
    globalThis.EventTarget.prototype.dispatchEvent = function (ev) {
      const result = Original.call(this, ev);
      // What the page shows once the status listeners have run.
      if (ev.type === 'status' && 'status' in ev) {
        globalThis.statusLog.push({ status: ev.status, delayMs: ev.delayMs, conn: document.documentElement.dataset.conn,
          badge: document.getElementById('meeting-status')?.textContent || '' });
      }
      return result;
    };
  });
  return page;
}

test('lobby, check-in and removal on the participant page', async (t) => {
  const joins = [];
  const checkIns = [];
  let live = null;
  const server = await startScriptedServer({
    staticRoot: WEB,
    onConnection(peer) {
      peer.on('message', (m) => {
        if (m.ping) peer.send({ pong: { nonce: m.ping.nonce, serverTimeMs: String(Date.now()) } });
        if (m.join) {
          joins.push(m.join);
          if (peer.index === 1) {
            // Whatever error frame precedes it, 4010 means "wait in the lobby".
            peer.send({ error: { code: 'ERROR_CODE_PERMISSION_DENIED', message: 'waiting for the chair to admit you' } });
            peer.close(4010);
          } else if (peer.index === 2) {
            peer.close(4010);
          } else {
            peer.send({ welcome: { you, serverTimeMs: String(Date.now()), epoch: '3', seq: '5', snapshot } });
            live = peer;
          }
        }
        if (m.command?.command?.checkIn) {
          checkIns.push(m.command.command.checkIn.code);
          const { requestId } = m.command;
          if (m.command.command.checkIn.code !== '482913') {
            peer.send({ result: { requestId, ok: false, error: { code: 'ERROR_CODE_INVALID_ARGUMENT', message: 'wrong or expired check-in code' } } });
          } else {
            peer.send({ events: { events: [{ seq: '6', atMs: '5000', participantCheckedIn: { participantId: 'p1' } }] } });
            peer.send({ result: { requestId, ok: true, seq: '6' } });
          }
        }
      });
    },
  });
  t.after(() => server.close());
  const page = await launch(t);

  await page.goto(`${server.url}/participant.html?meeting=m1&token=t&lang=en&wire=json`);
  await page.waitForSelector('#lobby');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.conn), 'lobby');
  assert.match(await page.textContent('#lobby'), /Waiting for the chair to admit you/);
  assert.equal(await page.textContent('#meeting-status'), 'Waiting for admission');
  assert.ok(await page.isHidden('.conn-banner'), 'no "connection lost" banner');
  await page.screenshot({ path: `${SHOTS}/scripted-lobby.png`, fullPage: true });

  // Two lobby closes, then admitted: the page goes live without a reload.
  await page.waitForFunction(() => globalThis.majlis?.status === 'open' && globalThis.majlis.state);
  await page.waitForSelector('#lobby', { state: 'detached' });
  assert.equal(joins.length, 3);
  const log = await page.evaluate(() => globalThis.statusLog);
  const waits = log.filter((s) => s.status === 'lobby' && s.delayMs !== undefined).map((s) => s.delayMs);
  assert.equal(waits.length, 2, JSON.stringify(log));
  for (const w of waits) assert.ok(w >= 2000 && w <= 4000, `a lobby rejoin every few seconds: ${w}`);
  assert.ok(!log.some((s) => s.status === 'reconnecting' || s.status === 'closed'), `never lost, never stopped: ${JSON.stringify(log)}`);
  const fromLobby = log.slice(log.findIndex((s) => s.status === 'lobby'));
  assert.ok(fromLobby.every((s) => s.status === 'open' || (s.conn === 'lobby' && s.badge === 'Waiting for admission')),
    `from the first 4010 on, the page waits, never "not live": ${JSON.stringify(fromLobby)}`);

  // Check-in: a refused code is shown in the page's language (Arabic here), the right one checks in.
  await page.selectOption('select.lang-switch', 'ar');
  await page.waitForSelector('#checkin-code');
  await page.fill('#checkin-code', '111111');
  await page.click('#checkin-submit');
  await page.waitForSelector('#checkin-error');
  assert.match(await page.textContent('#checkin-error'), /هذا الرمز غير صحيح أو انتهت صلاحيته/);
  await page.screenshot({ path: `${SHOTS}/scripted-checkin-refused-ar.png`, fullPage: true });
  await page.fill('#checkin-code', '482913');
  await page.click('#checkin-submit');
  await page.waitForSelector('#checked-in');
  assert.deepEqual(checkIns, ['111111', '482913']);
  const self = await page.evaluate(() => globalThis.majlis.state.participants[0]);
  assert.equal(self.attendance, 'ATTENDANCE_IN_ROOM');
  assert.equal(self.attendanceVerified, true);
  assert.equal(self.checkedInAtMs, 5000);

  // Removed: an error frame, then 4003. The page says the chair removed them and stops.
  live.send({ error: { code: 'ERROR_CODE_PERMISSION_DENIED', message: 'removed from the meeting' } });
  live.close(4003);
  await page.waitForSelector('#conn-stopped[data-reason="removed"]');
  assert.match(await page.textContent('#conn-stopped'), /أخرجك رئيس الجلسة من هذا الاجتماع/);
  await page.selectOption('select.lang-switch', 'en');
  await page.waitForFunction(() => document.getElementById('conn-stopped')?.textContent.includes('The chair removed you from this meeting.'));
  await page.waitForTimeout(3000);
  assert.equal(joins.length, 3, 'no attempt after 4003');
  assert.deepEqual(page.errors, []);
});

test('a change request waits for the chair; a QR link fills in and sends the code once', async (t) => {
  const commands = [];
  const server = await startScriptedServer({
    staticRoot: WEB,
    onConnection(peer) {
      peer.on('message', (m) => {
        if (m.ping) peer.send({ pong: { nonce: m.ping.nonce, serverTimeMs: String(Date.now()) } });
        if (m.join) peer.send({ welcome: { you, serverTimeMs: String(Date.now()), epoch: '3', seq: '5', snapshot } });
        if (!m.command) return;
        commands.push(m.command.command);
        const { requestId } = m.command;
        if (m.command.command.updateParticipant) {
          peer.send({ events: { events: [{ seq: '6', atMs: '6000', participantChangeRequested: { participantId: 'p1', attendance: 'ATTENDANCE_IN_ROOM' } }] } });
          peer.send({ result: { requestId, ok: true, seq: '6' } });
          setTimeout(() => peer.send({ events: { events: [{ seq: '7', atMs: '7000', participantRequestAnswered: { participantId: 'p1', accepted: true } }] } }), 700);
        } else {
          peer.send({ result: { requestId, ok: false, error: { code: 'ERROR_CODE_INVALID_ARGUMENT', message: 'wrong or expired check-in code' } } });
        }
      });
    },
  });
  t.after(() => server.close());
  const page = await launch(t);
  await page.goto(`${server.url}/participant.html?meeting=m1&token=t&checkin=777000&lang=en&wire=json`);
  await page.waitForSelector('#checkin-error');
  assert.deepEqual(commands[0], { checkIn: { code: '777000' } }, 'the code from the link is sent once');
  assert.doesNotMatch(page.url(), /checkin=/, 'and leaves the address bar');
  assert.match(await page.textContent('#checkin-error'), /wrong or has expired/);

  assert.ok(await page.locator('#details-attendance-now .unverified').isVisible(), 'attendance as registered: unverified');
  await page.click('#details-change summary');
  await page.selectOption('#details-attendance', 'ATTENDANCE_IN_ROOM');
  await page.click('#details-ask');
  await page.waitForSelector('#change-pending');
  await page.screenshot({ path: `${SHOTS}/scripted-change-pending.png`, fullPage: true });
  assert.match(await page.textContent('#change-pending'), /Waiting for the chair to confirm: In the room/);
  assert.deepEqual(commands[1], { updateParticipant: { participantId: 'p1', attendance: 'ATTENDANCE_IN_ROOM' } });
  await page.waitForSelector('#change-pending', { state: 'detached' });
  assert.equal(await page.locator('#details-attendance-now .unverified').count(), 0, 'accepted: verified');
  assert.match(await page.textContent('#details-attendance-now'), /In the room/);
  assert.equal(commands.length, 2);
  assert.deepEqual(page.errors, []);
});

test('the display shows the check-in code and a QR code of the participant link', async (t) => {
  const display = { participantId: 'd1', displayName: 'Room', role: 'ROLE_DISPLAY' };
  const withCode = { ...snapshot, checkIn: { open: true, code: '482913', nextRotationMs: String(Date.now() + 30000) } };
  let peerOf = null;
  const server = await startScriptedServer({
    staticRoot: WEB,
    onConnection(peer) {
      peerOf = peer;
      peer.on('message', (m) => {
        if (m.ping) peer.send({ pong: { nonce: m.ping.nonce, serverTimeMs: String(Date.now()) } });
        if (m.join) peer.send({ welcome: { you: display, serverTimeMs: String(Date.now()), epoch: '3', seq: '5', snapshot: withCode } });
      });
    },
  });
  t.after(() => server.close());
  const page = await launch(t);
  await page.goto(`${server.url}/display.html?meeting=m1&token=t&lang=en&wire=json`);
  await page.waitForSelector('#d-checkin-code');
  assert.equal((await page.textContent('#d-checkin-code')).trim(), '482913');
  await page.waitForSelector('#d-checkin-qr svg path');
  assert.equal(await page.getAttribute('#d-checkin-qr', 'data-text'), `${server.url}/participant.html?meeting=m1&checkin=482913`);
  await page.setViewportSize({ width: 1600, height: 900 });
  await page.screenshot({ path: `${SHOTS}/scripted-display-checkin.png` });
  // The next code replaces both; closing check-in removes them.
  peerOf.send({ events: { events: [{ seq: '6', atMs: '9000', checkInCodeRotated: { code: '105577', nextRotationMs: '39000', previousValidUntilMs: '19000' } }] } });
  await page.waitForFunction(() => document.getElementById('d-checkin-qr')?.dataset.text.endsWith('checkin=105577'));
  assert.equal((await page.textContent('#d-checkin-code')).trim(), '105577');
  const previous = await page.evaluate(() => globalThis.majlis.state.checkIn.previousCode);
  assert.equal(previous, '482913');
  peerOf.send({ events: { events: [{ seq: '7', atMs: '9500', checkInChanged: {} }] } });
  await page.waitForSelector('#d-checkin', { state: 'detached' });
  assert.deepEqual(page.errors, []);
});
