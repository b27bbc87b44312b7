// The web client's mirror keeps seq order, resumes after a gap or a dropped connection with
// {epoch, seq}, shows "reconnecting…" meanwhile, and answers commands — checked in Chromium
// against a scripted server (scripted_server.mjs), since majlisd cannot produce a gap on demand.

import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startScriptedServer } from './scripted_server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// The built pages (tests/e2e/run.sh builds them; client-sdk/web/scripts/build.sh by hand).
const WEB = process.env.MAJLIS_WEB_DIST ?? path.resolve(HERE, '../../client-sdk/web/dist');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const snapshot = {
  meetingId: 'm1', title: 'المجلس الوطني للسياسة الرقمية', status: 'MEETING_STATUS_SCHEDULED', seq: '5',
  stakeholderGroups: ['government', 'civil_society'],
  participants: [
    { id: 'a', displayName: 'سالم', role: 'ROLE_PARTICIPANT', stakeholderGroup: 'government', attendance: 'ATTENDANCE_IN_ROOM' },
    { id: 'b', displayName: 'Nadia', role: 'ROLE_PARTICIPANT', stakeholderGroup: 'civil_society', attendance: 'ATTENDANCE_REMOTE' },
  ],
  agenda: [{ id: 'i1', title: 'Item', status: 'AGENDA_ITEM_STATUS_ACTIVE' }],
  currentItemId: 'i1',
};
const you = { participantId: 'd1', displayName: 'Room display', role: 'ROLE_DISPLAY' };
const requested = (seq, id, participantId, order) => ({
  seq: String(seq), atMs: '1000', floorRequested: { itemId: 'i1', entry: { id, participantId, kind: 'REQUEST_KIND_SPEAK', requestOrder: String(order) } },
});

test('gap, resume, dropped connection and commands', async (t) => {
  const joins = [];
  let moderatorCommands = [];
  const server = await startScriptedServer({
    staticRoot: WEB,
    onConnection(peer) {
      peer.on('message', (m) => {
        if (m.join) {
          joins.push(m.join);
          if (peer.index === 1) {
            peer.send({ welcome: { you, serverTimeMs: String(Date.now()), epoch: '7', seq: '5', snapshot } });
            peer.send({ events: { events: [{ seq: '6', atMs: '1000', meetingStarted: {} }] } });
            // seq 7 never arrives on this connection: the client must notice and resume.
            setTimeout(() => peer.send({ events: { events: [requested(8, 'e2', 'b', 2)] } }), 200);
          } else if (peer.index === 2) {
            peer.send({ welcome: { you, serverTimeMs: String(Date.now()), epoch: '7', seq: '8', replay: { events: [
              { seq: '7' }, // a redacted stub: only advances seq
              requested(8, 'e2', 'b', 2),
            ] } } });
            // Then the connection drops; the client resumes from seq 8.
            setTimeout(() => peer.close(1012), 400);
          } else {
            peer.send({ welcome: { you, serverTimeMs: String(Date.now()), epoch: '7', seq: '9', replay: { events: [
              requested(9, 'e3', 'a', 3),
            ] } } });
          }
        }
        if (m.command) {
          moderatorCommands.push(m.command);
          peer.send({ result: { requestId: m.command.requestId, ok: false, error: { code: 'ERROR_CODE_PERMISSION_DENIED', message: 'Displays send no commands.' } } });
        }
        if (m.ping) peer.send({ pong: { nonce: m.ping.nonce, serverTimeMs: String(Date.now()) } });
      });
    },
  });
  t.after(() => server.close());

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  t.after(() => browser.close());
  const page = await browser.newPage();
  page.setDefaultTimeout(10000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(() => {
    globalThis.statusLog = [];
    const Original = globalThis.EventTarget.prototype.dispatchEvent;
    globalThis.EventTarget.prototype.dispatchEvent = function (ev) {
      if (ev.type === 'status' && 'status' in ev) globalThis.statusLog.push(ev.status);
      return Original.call(this, ev);
    };
  });
  await page.goto(`${server.url}/display.html?meeting=m1&lang=en&wire=json#token=t`);

  // After the gap the client resumed from 6, got the stub and seq 8, then after the drop from 8.
  await page.waitForFunction(() => globalThis.majlis?.state?.seq === 9 && globalThis.majlis.status === 'open');
  assert.equal(joins.length, 3);
  assert.equal(joins[0].resume, undefined, 'the first join asks for a snapshot');
  assert.deepEqual(joins[1].resume, { epoch: '7', seq: '6' });
  assert.deepEqual(joins[2].resume, { epoch: '7', seq: '8' });
  const statuses = await page.evaluate(() => globalThis.statusLog);
  assert.ok(statuses.includes('reconnecting'), `statuses: ${statuses}`);

  const state = await page.evaluate(() => globalThis.majlis.state);
  assert.equal(state.status, 'MEETING_STATUS_LIVE');
  assert.deepEqual(state.agenda[0].speakers.waiting.map((e) => e.id), ['e2', 'e3']);
  await page.waitForFunction(() => document.querySelectorAll('#d-next li').length === 2);
  assert.match(await page.textContent('#d-next'), /Nadia[\s\S]*سالم/);
  assert.equal(await page.isHidden('.conn-banner'), true);

  const result = await page.evaluate(() => globalThis.majlis.send({ endTurn: {} }));
  assert.equal(result.ok, false);
  assert.equal(result.error.code, 'ERROR_CODE_PERMISSION_DENIED');
  assert.deepEqual(moderatorCommands[0].command, { endTurn: {} });
  assert.deepEqual(errors, []);
});

test('a restart: not live at once, backoff, a new epoch replaces the mirror, 4013 waits, 4001 stops', async (t) => {
  const joins = [];
  const live = { ...snapshot, status: 'MEETING_STATUS_LIVE' };
  const restarted = { ...snapshot, title: 'After the restart', status: 'MEETING_STATUS_LIVE', seq: '3' };
  const added = { seq: '4', atMs: '2000', agendaItemAdded: { item: { id: 'i2', title: 'Second', status: 'AGENDA_ITEM_STATUS_PENDING' }, position: 1 } };
  const participant = { participantId: 'a', displayName: 'سالم', role: 'ROLE_PARTICIPANT', stakeholderGroup: 'government', attendance: 'ATTENDANCE_IN_ROOM' };
  const server = await startScriptedServer({
    staticRoot: WEB,
    onConnection(peer) {
      // The server is down: the upgrade succeeds, then the socket dies without a close frame.
      if (peer.index === 2 || peer.index === 3) { peer.socket.destroy(); return; }
      peer.on('message', (m) => {
        if (m.ping) peer.send({ pong: { nonce: m.ping.nonce, serverTimeMs: String(Date.now()) } });
        if (!m.join) return;
        joins.push(m.join);
        const welcome = (w) => peer.send({ welcome: { you: participant, serverTimeMs: String(Date.now()), ...w } });
        if (peer.index === 1) {
          welcome({ epoch: '7', seq: '5', snapshot: live });
          setTimeout(() => {
            peer.send({ error: { code: 'ERROR_CODE_UNAVAILABLE', message: 'the server is shutting down' } });
            peer.close(1001);
          }, 300);
        } else if (peer.index === 4) {
          welcome({ epoch: '8', seq: '3', snapshot: restarted }); // a new epoch: a snapshot
          setTimeout(() => peer.close(4013), 300);
        } else if (peer.index === 5) {
          welcome({ epoch: '8', seq: '4', replay: { events: [added] } });
          setTimeout(() => peer.close(4001), 300);
        }
      });
    },
  });
  t.after(() => server.close());

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  t.after(() => browser.close());
  const page = await browser.newPage();
  page.setDefaultTimeout(10000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(() => {
    globalThis.statusLog = [];
    const Original = globalThis.EventTarget.prototype.dispatchEvent;
    globalThis.EventTarget.prototype.dispatchEvent = function (ev) {
      if (ev.type === 'status' && 'status' in ev) {
        globalThis.statusLog.push({ status: ev.status, delayMs: ev.delayMs, at: Date.now(), conn: document.documentElement.dataset.conn });
      }
      return Original.call(this, ev);
    };
  });
  await page.goto(`${server.url}/participant.html?meeting=m1&lang=en&wire=json#token=t`);
  await page.waitForFunction(() => document.getElementById('meeting-status')?.textContent === 'Live');

  // 1001, then two refused attempts: reconnecting at once, the badge is not a green Live.
  await page.waitForFunction(() => document.documentElement.dataset.conn === 'reconnecting');
  assert.equal(await page.textContent('#meeting-status'), 'Not live — reconnecting');
  assert.doesNotMatch(await page.getAttribute('#meeting-status', 'class'), /green/);
  assert.equal(await page.isVisible('.conn-banner'), true);

  // The fourth connection resumes with the mirror's epoch and seq and gets a new epoch's snapshot.
  await page.waitForFunction(() => globalThis.majlis.epoch === 8 && globalThis.majlis.status === 'open');
  assert.deepEqual(joins[1].resume, { epoch: '7', seq: '5' });
  assert.equal(await page.evaluate(() => globalThis.majlis.state.title), 'After the restart');
  await page.waitForFunction(() => document.getElementById('meeting-title').textContent === 'After the restart');
  const log = await page.evaluate(() => globalThis.statusLog);
  const reopened = log.findIndex((s, i) => s.status === 'open' && i > log.findIndex((x) => x.status === 'reconnecting'));
  const waits = log.slice(0, reopened).filter((s) => s.status === 'reconnecting' && s.delayMs !== undefined).map((s) => s.delayMs);
  assert.equal(waits.length, 3, `three waits before the snapshot: ${JSON.stringify(log)}`);
  assert.ok(waits[0] >= 250 && waits[0] <= 500, `first wait ${waits[0]}`);
  assert.ok(waits[1] >= 500 && waits[1] <= 1000, `second wait ${waits[1]}`);

  // 4013: come back later (5–10 s) — the banner's "retry now" skips the wait.
  await page.waitForFunction(() => globalThis.statusLog.at(-1).status === 'reconnecting' && globalThis.majlis.epoch === 8);
  const later = await page.evaluate(() => globalThis.statusLog.at(-1).delayMs);
  assert.ok(later >= 5000, `4013 waits longer: ${later}`);
  await page.click('.conn-banner button');

  // The fifth connection resumes from seq 3 and gets a replay; then 4001 stops the page.
  await page.waitForFunction(() => document.documentElement.dataset.conn === 'stopped');
  assert.deepEqual(joins[2].resume, { epoch: '8', seq: '3' });
  assert.equal(await page.evaluate(() => globalThis.majlis.state.agenda.map((i) => i.title).join()), 'Item,Second');
  assert.equal(await page.getAttribute('#conn-stopped', 'data-reason'), 'token');
  assert.match(await page.textContent('#conn-stopped'), /no longer accepts this link/);
  assert.equal(await page.textContent('#meeting-status'), 'Offline');
  await page.selectOption('select.lang-switch', 'ar');
  await page.waitForFunction(() => document.getElementById('conn-stopped')?.textContent.includes('لم يعد الخادم يقبل هذا الرابط'));
  await page.waitForTimeout(1500);
  assert.equal(joins.length, 3, 'no attempt after 4001');
  assert.deepEqual(errors, []);
});
