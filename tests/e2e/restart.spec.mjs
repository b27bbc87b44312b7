// A server restart is a reconnect: the console, a participant page, the room display and an
// observer against a majlisd this test starts itself (own port, own folder). It freezes the
// server (SIGSTOP: the pages' pings go unanswered, they notice within ~10 s and resume by replay
// once it thaws), then stops it with SIGTERM and starts it again on the same port with the same
// flags. Every page must show a not-live state at once while it is down.
//  - With --data-dir (when majlisd --help lists it): the pages come back to Live by themselves,
//    the participant resumed by replay in the same epoch, and a change by the chair reaches
//    every page; then the same after SIGKILL.
//  - In memory (--store memory, or a majlisd without a durable store): the meeting is gone
//    after the restart, and every page says so (close 4004 / NOT_FOUND) with a link to the
//    start page and stops retrying; no stale green "Live".

import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, majlisdHasOption, startMajlisd } from './majlisd_process.mjs';
import { SHOTS, TIMEOUT, api, launchChromium, newPage } from './pages.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// The built pages (tests/e2e/run.sh builds them; client-sdk/web/scripts/build.sh by hand).
const WEB = process.env.MAJLIS_WEB_DIST ?? path.resolve(HERE, '../../client-sdk/web/dist');
const MAJLISD = process.env.MAJLISD;

// A page whose console errors are expected (the server goes away) and whose /ws traffic is kept.
async function wiredPage(browser, { locale, viewport = { width: 1300, height: 850 } } = {}) {
  const page = await newPage(browser, { locale, viewport, consoleErrors: false });
  // What the page said and heard on /ws: join frames and the kind of each welcome.
  page.wire = { joins: [], welcomes: [], sockets: 0 };
  page.on('websocket', (ws) => {
    page.wire.sockets += 1;
    ws.on('framesent', (f) => {
      const m = JSON.parse(String(f.payload));
      if (m.join) page.wire.joins.push(m.join);
    });
    ws.on('framereceived', (f) => {
      const m = JSON.parse(String(f.payload));
      if (m.welcome) page.wire.welcomes.push({ epoch: m.welcome.epoch, kind: m.welcome.snapshot ? 'snapshot' : 'replay' });
    });
  });
  return page;
}

const conn = (page) => page.evaluate(() => document.documentElement.dataset.conn);
const live = (page) => page.waitForFunction(() => document.documentElement.dataset.conn === 'open'
  && globalThis.majlis?.status === 'open', null, { timeout: TIMEOUT });

async function notLive(page, name) {
  await page.waitForFunction(() => document.documentElement.dataset.conn !== 'open', null, { timeout: 3000 });
  assert.equal(await page.isVisible('.conn-banner'), true, `${name}: the banner shows`);
  const badge = await page.$('#meeting-status');
  if (badge) {
    assert.doesNotMatch(await badge.getAttribute('class'), /\bgreen\b/, `${name}: no green badge`);
    assert.notEqual((await badge.textContent()).trim(), 'Live', `${name}: no "Live"`);
  }
}

// The chair adds an agenda item and starts it: a change every page shows.
async function chairStartsItem(chair, title) {
  await chair.fill('#agenda-title', title);
  await chair.press('#agenda-title', 'Enter');
  const row = chair.locator('#agenda li[data-item]').filter({ hasText: title });
  await row.getByRole('button', { name: 'Start' }).click();
  await chair.waitForFunction((t) => document.querySelector('#agenda li.current')?.textContent.includes(t), title);
}

async function everyPageShows(pages, title) {
  await pages.chair.waitForFunction((t) => document.querySelector('#agenda li.current')?.textContent.includes(t), title);
  await pages.participant.waitForFunction((t) => document.getElementById('current-item')?.textContent === t, title);
  for (const page of [pages.display, pages.observer]) {
    await page.waitForFunction((t) => document.getElementById('d-item')?.textContent === t, title);
  }
}

// What this majlisd offers: --data-dir and --store arrived with the durable store.
const HAS_DATA_DIR = !!MAJLISD && majlisdHasOption(MAJLISD, '--data-dir');
const HAS_STORE = !!MAJLISD && majlisdHasOption(MAJLISD, '--store');
const NO_MAJLISD = !MAJLISD && 'MAJLISD is not set (run.sh sets it)';

test('a restart with a durable store: every page resumes by replay and is live again',
  { skip: NO_MAJLISD || (!HAS_DATA_DIR && 'this majlisd has no --data-dir') },
  (t) => restartScenario(t, { durable: true }));

test('a restart with the memory store: every page says the meeting is gone and stops',
  { skip: NO_MAJLISD }, (t) => restartScenario(t, { durable: false }));

async function restartScenario(t, { durable }) {
  const work = mkdtempSync(path.join(os.tmpdir(), 'majlis-restart-'));
  const port = await freePort();
  const adminKey = randomBytes(24).toString('hex');  // majlisd refuses short secrets
  const args = ['--listen', `127.0.0.1:${port}`, '--static-root', WEB, '--admin-key', adminKey];
  if (durable) {
    mkdirSync(path.join(work, 'data'));
    args.push('--data-dir', path.join(work, 'data'));
  } else {
    if (HAS_STORE) args.push('--store', 'memory');
    // A fixed secret keeps the tokens valid across the restart, so the pages meet "meeting
    // gone" (4004) rather than "bad token" (4001).
    args.push('--signing-secret', randomBytes(24).toString('hex'));
  }
  const server = await startMajlisd(t, { binary: MAJLISD, args, work });
  const base = server.url;
  t.diagnostic(`majlisd ${durable ? 'with --data-dir' : 'in memory'}; log ${work}/majlisd.log`);

  const created = await api(base, 'POST', '/api/meetings', { key: adminKey, body: { title: 'إعادة التشغيل — restart', languages: ['ar', 'en'] } });
  const meetingId = created.meetingId;
  const invite = created.inviteCode;
  const registered = await api(base, 'POST', `/api/meetings/${meetingId}/register`,
    { body: { invite, name: 'ليلى', stakeholderGroup: 'civil_society', attendance: 'remote' } });

  const browser = await launchChromium();
  t.after(() => browser.close());

  const pages = {
    chair: await wiredPage(browser),
    participant: await wiredPage(browser, { locale: 'ar', viewport: { width: 420, height: 850 } }),
    display: await wiredPage(browser, { viewport: { width: 1400, height: 800 } }),
    observer: await wiredPage(browser, { locale: 'ar' }),
  };
  await pages.chair.goto(`${base}/console.html?meeting=${meetingId}&lang=en&wire=json#token=${created.tokens.moderator}`);
  await pages.participant.goto(`${base}/participant.html?meeting=${meetingId}&lang=ar&wire=json#token=${registered.token}`);
  await pages.display.goto(`${base}/display.html?meeting=${meetingId}&lang=en&wire=json#token=${created.tokens.display}`);
  await pages.observer.goto(`${base}/display.html?meeting=${meetingId}&lang=ar&wire=json#token=${created.tokens.observer}`);
  for (const page of Object.values(pages)) await live(page);

  await t.test('the chair starts the meeting and an item; the header says Live', async () => {
    await pages.chair.click('#start-meeting');
    await pages.chair.waitForSelector('#end-meeting');
    await chairStartsItem(pages.chair, 'Opening');
    await everyPageShows(pages, 'Opening');
    assert.equal(await pages.chair.textContent('#meeting-status'), 'Live');
    assert.match(await pages.chair.getAttribute('#meeting-status', 'class'), /\bgreen\b/);
  });

  // Where the participant stood, to check how it resumes: with this epoch and seq, by replay.
  const position = async () => ({
    ...await pages.participant.evaluate(() => ({ epoch: globalThis.majlis.epoch, seq: globalThis.majlis.state.seq })),
    joins: pages.participant.wire.joins.length,
  });
  const resumedByReplay = async (before) => {
    for (const page of Object.values(pages)) await live(page);
    const join = pages.participant.wire.joins.slice(before.joins).at(-1);
    assert.deepEqual(join?.resume, { epoch: String(before.epoch), seq: String(before.seq) }, 'resumed with the mirror\'s epoch and seq');
    assert.equal(pages.participant.wire.welcomes.at(-1).kind, 'replay', 'a replay, not a snapshot');
    assert.equal(await pages.participant.evaluate(() => globalThis.majlis.lastWelcome), 'replay');
    assert.equal(await pages.participant.evaluate(() => globalThis.majlis.epoch), before.epoch);
    assert.equal(await pages.chair.textContent('#meeting-status'), 'Live');
    assert.match(await pages.chair.getAttribute('#meeting-status', 'class'), /\bgreen\b/);
  };

  await t.test('a frozen server is noticed within ~10 s and the pages resume by replay when it thaws', async () => {
    const before = await position();
    const started = Date.now();
    server.freeze();
    try {
      for (const [name, page] of Object.entries(pages)) {
        await page.waitForFunction(() => document.documentElement.dataset.conn === 'reconnecting', null, { timeout: 12000 });
        await notLive(page, name);
      }
      const noticedMs = Date.now() - started;
      assert.ok(noticedMs < 12000, `noticed after ${noticedMs} ms`);
    } finally {
      server.thaw();
    }
    await resumedByReplay(before);
    await chairStartsItem(pages.chair, 'After the freeze');
    await everyPageShows(pages, 'After the freeze');
  });

  const restart = async (signal, label) => {
    const before = await position();
    await server.stop(signal);
    for (const [name, page] of Object.entries(pages)) await notLive(page, name);
    await pages.chair.screenshot({ path: `${SHOTS}/restart-${label}-console-down.png` });
    await pages.display.screenshot({ path: `${SHOTS}/restart-${label}-display-down.png` });
    await pages.participant.screenshot({ path: `${SHOTS}/restart-${label}-participant-down-ar.png` });
    // Down long enough for a few refused attempts.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const page of Object.values(pages)) assert.notEqual(await conn(page), 'open');
    await server.start();
    return before;
  };

  if (durable) {
    for (const signal of ['SIGTERM', 'SIGKILL']) {
      await t.test(`after ${signal} and a restart every page is live again, resumed by replay`, async () => {
        await resumedByReplay(await restart(signal, signal.toLowerCase()));
        const title = `After ${signal}`;
        await chairStartsItem(pages.chair, title);
        await everyPageShows(pages, title);
        await pages.chair.screenshot({ path: `${SHOTS}/restart-${signal.toLowerCase()}-console-back.png` });
      });
    }
  } else {
    await t.test('after a restart without a durable store every page says the meeting is gone and stops', async () => {
      await restart('SIGTERM', 'memory');
      for (const [name, page] of Object.entries(pages)) {
        await page.waitForFunction(() => document.documentElement.dataset.conn === 'stopped');
        assert.equal(await page.getAttribute('#conn-stopped', 'data-reason'), 'gone', name);
        assert.equal(await page.getAttribute('#conn-stopped a', 'href'), 'index.html', `${name}: a way back`);
        const badge = await page.$('#meeting-status');
        if (badge) assert.doesNotMatch(await badge.getAttribute('class'), /\bgreen\b/, `${name}: no green badge`);
      }
      assert.match(await pages.participant.textContent('#conn-stopped'), /هذا الاجتماع لم يعد موجودًا/);
      assert.match(await pages.chair.textContent('#conn-stopped'), /This meeting no longer exists/);
      assert.equal(await pages.chair.textContent('#meeting-status'), 'Offline');
      assert.equal(await pages.chair.isVisible('#agenda'), false, 'the stale meeting is not shown');
      assert.equal(await pages.chair.isVisible('#end-meeting'), false, 'nor its actions');
      await pages.chair.screenshot({ path: `${SHOTS}/restart-memory-console-gone.png` });
      await pages.participant.screenshot({ path: `${SHOTS}/restart-memory-participant-gone-ar.png` });
      await pages.display.screenshot({ path: `${SHOTS}/restart-memory-display-gone.png` });
      // Stopped means stopped: no further connection attempts.
      const sockets = Object.values(pages).map((p) => p.wire.sockets);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      assert.deepEqual(Object.values(pages).map((p) => p.wire.sockets), sockets);
    });
  }

  await t.test('no page threw', () => {
    for (const [name, page] of Object.entries(pages)) assert.deepEqual(page.errors, [], `${name} page errors`);
  });
}
