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
const WEB = path.resolve(HERE, '../../client-sdk/web');
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
  await page.goto(`${server.url}/display.html?meeting=m1&token=t&lang=en`);

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
