// The participant page on a phone (360×800, touch, mobile), in English and Arabic, against a
// scripted server (scripted_server.mjs) so the meeting is exactly what the checks need: an open
// poll, a published 4-option poll, a queue with me third, a long page. Checked with bounding
// boxes and computed styles: the status strip (open vote, "you have the floor", my place and
// who is ahead) stays in the viewport wherever the page is scrolled; every visible control is at
// least 44×44 px (a radio or checkbox through its label); all visible text is at least 16 px and
// upright; no sideways scroll; "?" at the right end of mixed-script text; results stacked; overtime
// readable (≥ 4.5:1); offline shown within 10 s of the network dropping; after the meeting ends
// no writing box and no request buttons; a refused token gets one language and a way back.

import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startScriptedServer } from './scripted_server.mjs';
import { SHOTS, launchChromium, newPage } from './pages.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// The built pages (run.sh builds them): the sources import @majlis/client, which only the build resolves.
const WEB = path.resolve(HERE, '../../client-sdk/web/dist');

const VIEWPORT = { width: 360, height: 800 };
const AR_QUESTION = 'هل توافق على مسودة GDPR?';
const EN_CONTRIBUTION = 'What about المادة الخامسة?';

const person = (id, displayName, stakeholderGroup, attendance) => ({
  id, displayName, role: 'ROLE_PARTICIPANT', stakeholderGroup, attendance, admission: 'ADMISSION_STATUS_ADMITTED',
  groupVerified: true, attendanceVerified: true, online: true,
});
const entry = (id, participantId, kind, order, reason) => ({
  id, participantId, kind, requestOrder: String(order), requestedAtMs: '1000', reason,
});

function snapshot(now) {
  return {
    meetingId: 'm1', title: 'الحوار الوطني — Digital policy consultation', status: 'MEETING_STATUS_LIVE', seq: '10',
    stakeholderGroups: ['government', 'civil_society', 'academia', 'private_sector'],
    participants: [
      person('p1', 'ليلى بن علي', 'civil_society', 'ATTENDANCE_REMOTE'),
      person('p2', 'Nadia Haddad', 'government', 'ATTENDANCE_IN_ROOM'),
      person('p3', 'سالم التريكي', 'academia', 'ATTENDANCE_IN_ROOM'),
      person('p4', 'Omar Farouk', 'private_sector', 'ATTENDANCE_REMOTE'),
      person('p5', 'عبد الرحمن الترهوني', 'government', 'ATTENDANCE_IN_ROOM'),
    ],
    agenda: [
      { id: 'i1', title: 'Opening', status: 'AGENDA_ITEM_STATUS_DONE', plannedMinutes: 10 },
      {
        id: 'i2', title: 'حماية البيانات الشخصية', status: 'AGENDA_ITEM_STATUS_ACTIVE', plannedMinutes: 45,
        description: 'Draft law on personal data — المسودة الثانية',
        speakers: {
          waiting: [
            entry('e1', 'p2', 'REQUEST_KIND_SPEAK', 1, 'first time on this item'),
            entry('e2', 'p3', 'REQUEST_KIND_SPEAK', 2, 'academia has spoken least'),
            entry('e3', 'p1', 'REQUEST_KIND_SPEAK', 3, 'in order of request'),
            entry('e4', 'p4', 'REQUEST_KIND_REPLY', 4, 'in order of request'),
          ],
          hasFloor: true,
          // Over its 60 s: the countdown shows overtime.
          floor: { participantId: 'p5', entryId: 'e0', kind: 'REQUEST_KIND_SPEAK', startedAtMs: String(now - 75000),
            resumedAtMs: String(now - 75000), timeLimitMs: '60000' },
        },
      },
      { id: 'i3', title: 'Next steps and the road map', status: 'AGENDA_ITEM_STATUS_PENDING', plannedMinutes: 20 },
    ],
    currentItemId: 'i2',
    polls: [
      { id: 'q1', itemId: 'i2', question: AR_QUESTION, kind: 'POLL_KIND_YES_NO_ABSTAIN', secrecy: 'POLL_SECRECY_NAMED',
        visibility: 'RESULTS_VISIBILITY_AFTER_CLOSE', status: 'POLL_STATUS_OPEN', openedAtMs: String(now - 20000), voterIds: ['p2'] },
      { id: 'q0', itemId: 'i1', question: 'Which priorities should the road map address first?', kind: 'POLL_KIND_MULTIPLE',
        secrecy: 'POLL_SECRECY_SECRET', visibility: 'RESULTS_VISIBILITY_AFTER_CLOSE', status: 'POLL_STATUS_PUBLISHED',
        options: ['Data protection and privacy of citizens', 'حوكمة الذكاء الاصطناعي في القطاع العام', 'Broadband access in rural areas', 'Digital skills'],
        minChoices: 1, maxChoices: 2, openedAtMs: String(now - 900000), closedAtMs: String(now - 800000),
        voterIds: ['p1', 'p2', 'p3', 'p4'], tally: [3, 2, 2, 1], tallyVisible: true, eligibleOnlineAtClose: 5 },
    ],
    contributions: [
      { id: 'c1', itemId: 'i2', authorId: 'p2', text: EN_CONTRIBUTION, createdAtMs: String(now - 60000), upvoterIds: ['p3'], upvotes: 1 },
      { id: 'c2', itemId: 'i2', authorId: 'p3', text: 'نقترح إشراك المجتمع المدني في صياغة اللائحة التنفيذية، مع نشر المسودة للتعليق العام لمدة ثلاثين يومًا على الأقل.', createdAtMs: String(now - 50000), upvotes: 0, answered: true },
      { id: 'c3', itemId: 'i1', authorId: 'p4', text: 'Could the secretariat circulate the comparative study of the regional data-protection laws before the next session?', createdAtMs: String(now - 40000), upvotes: 0 },
      { id: 'c4', itemId: 'i2', authorId: 'p5', text: 'ما هي الجهة المستقلة التي ستشرف على تطبيق القانون؟', createdAtMs: String(now - 30000), upvotes: 0 },
    ],
  };
}
const you = { participantId: 'p1', displayName: 'ليلى بن علي', role: 'ROLE_PARTICIPANT', stakeholderGroup: 'civil_society', attendance: 'ATTENDANCE_REMOTE' };

// One scripted meeting per test: every connection is welcomed with the snapshot (or refused,
// for the token 'bad'); push(events) sends events to the live connection.
async function scriptedMeeting(t) {
  const now = Date.now();
  const meeting = { seq: 10, live: null, commands: [] };
  const server = await startScriptedServer({
    staticRoot: WEB,
    onConnection(peer) {
      peer.on('message', (m) => {
        if (m.ping) peer.send({ pong: { nonce: m.ping.nonce, serverTimeMs: String(Date.now()) } });
        if (m.join) {
          if (m.join.token === 'bad') {
            peer.send({ error: { code: 'ERROR_CODE_UNAUTHENTICATED', message: 'token signature does not verify' } });
            peer.close(4001);
            return;
          }
          const snap = snapshot(now);
          snap.seq = String(meeting.seq);
          if (meeting.ended) snap.status = 'MEETING_STATUS_ENDED';
          if (meeting.floorMine) snap.agenda[1].speakers = meeting.floorMine;
          peer.send({ welcome: { you, serverTimeMs: String(Date.now()), epoch: '1', seq: String(meeting.seq), snapshot: snap } });
          meeting.live = peer;
        }
        if (m.command) {
          meeting.commands.push(m.command.command);
          peer.send({ result: { requestId: m.command.requestId, ok: true, seq: String(meeting.seq) } });
        }
      });
    },
  });
  t.after(() => server.close());
  meeting.url = server.url;
  meeting.now = now;
  meeting.push = (body) => {
    meeting.seq += 1;
    meeting.live.send({ events: { events: [{ seq: String(meeting.seq), atMs: String(Date.now()), ...body }] } });
  };
  return meeting;
}

async function phone(t, lang) {
  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await newPage(browser, { viewport: VIEWPORT, locale: lang === 'ar' ? 'ar' : 'en-US', consoleErrors: false,
    isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const context = page.context();
  await context.addInitScript(() => {
    // Counts the page's vibration requests (headless Chromium has no motor).
    globalThis.vibrations = 0;
    Object.defineProperty(navigator, 'vibrate', { configurable: true, value: () => { globalThis.vibrations += 1; return true; } });
  });
  return { context, page };
}

// Inside the viewport: the whole box of `selector` lies within 0..800 vertically, 0..360 across.
// Measured in the page in one step: a render between finding the element and measuring it
// (every state change re-renders) would leave a detached node and no box.
async function inViewport(page, selector) {
  await page.waitForSelector(selector);
  const box = await page.evaluate((s) => {
    const r = document.querySelector(s)?.getBoundingClientRect();
    return r && r.width > 0 && r.height > 0 ? { x: r.x, y: r.y, width: r.width, height: r.height } : null;
  }, selector);
  assert.ok(box, `${selector} is rendered`);
  const ok = box.y >= -0.5 && box.y + box.height <= VIEWPORT.height + 0.5 && box.x >= -0.5 && box.x + box.width <= VIEWPORT.width + 0.5;
  assert.ok(ok, `${selector} lies in the viewport: ${JSON.stringify(box)}`);
  return box;
}

// Scrolls again on every poll: the page can still grow after one scroll (a clock, a late
// render), and a single scroll then leaves it short of the bottom for good.
async function scrollToBottom(page) {
  await page.waitForFunction(() => {
    const root = document.scrollingElement || document.documentElement;
    window.scrollTo({ top: root.scrollHeight, behavior: 'instant' });
    return Math.abs(window.scrollY + window.innerHeight - root.scrollHeight) < 2;
  }, null, { polling: 100 });
}

// Every visible control at least 44×44 (a radio or checkbox: it or its label); every visible
// text at least 16 px and not italic; no sideways scroll.
async function assertPhoneFriendly(page, what) {
  const report = await page.evaluate(() => {
    const visible = (el) => el.checkVisibility ? el.checkVisibility({ checkOpacity: false, checkVisibilityCSS: true }) : !!el.offsetParent;
    const small = [];
    for (const el of document.querySelectorAll('button, a, select, summary, input[type="radio"], input[type="checkbox"], input:not([type]), input[type="text"], textarea')) {
      if (!visible(el)) continue;
      const target = el.matches('input[type="radio"], input[type="checkbox"]') ? (el.closest('label') || el) : el;
      const r = target.getBoundingClientRect();
      if (r.width < 44 || r.height < 44) small.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} "${(el.textContent || el.value || '').trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
    const tiny = [];
    const italic = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || !el || !visible(el) || el.closest('select')) continue;
      const cs = getComputedStyle(el);
      if (parseFloat(cs.fontSize) < 16) tiny.push(`${el.tagName.toLowerCase()}.${el.className} ${cs.fontSize} "${n.textContent.trim().slice(0, 30)}"`);
      if (cs.fontStyle !== 'normal') italic.push(`${el.tagName.toLowerCase()}.${el.className} "${n.textContent.trim().slice(0, 30)}"`);
    }
    for (const el of document.querySelectorAll('select, input, textarea, button')) {
      if (visible(el) && parseFloat(getComputedStyle(el).fontSize) < 16) tiny.push(`${el.tagName.toLowerCase()}#${el.id} ${getComputedStyle(el).fontSize}`);
    }
    const doc = document.documentElement;
    return { small, tiny, italic, scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth };
  });
  assert.deepEqual(report.small, [], `${what}: tap targets under 44×44`);
  assert.deepEqual(report.tiny, [], `${what}: text under 16 px`);
  assert.deepEqual(report.italic, [], `${what}: italic text`);
  assert.ok(report.scrollWidth <= report.clientWidth, `${what}: no sideways scroll (${report.scrollWidth} > ${report.clientWidth})`);
}

// WCAG contrast of an element's text against the first opaque background behind it.
async function contrastOf(page, selector) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const c = [r, g, b].map((v) => { const x = v / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    let bg = null;
    for (let e = el; e && !bg; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length >= 3 && (c.length === 3 || c[3] > 0.9)) bg = c;
    }
    const fg = rgb(getComputedStyle(el).color);
    const [a, b] = [lum(fg), lum(bg || [255, 255, 255])].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  }, selector);
}

// Where the "?" of a mixed-script text lands: it must end the text in the text's own direction
// (left end for Arabic-first text, right end for English-first text).
async function questionMarkAtEnd(page, selector) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    const node = [...el.childNodes].find((n) => n.nodeType === Node.TEXT_NODE) || el.firstChild;
    const text = node.textContent;
    const rectOf = (i) => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1); return r.getBoundingClientRect(); };
    const q = rectOf(text.lastIndexOf('?'));
    const first = rectOf(0);
    const rtlFirst = /[\u0600-\u06FF]/.test(text.match(/[A-Za-z\u0600-\u06FF]/)[0]);
    return { rtlFirst, ok: rtlFirst ? q.left < first.left : q.left > first.left, dir: getComputedStyle(el).direction };
  }, selector);
}

for (const lang of ['en', 'ar']) {
  test(`participant page on a phone, ${lang}`, async (t) => {
    const meeting = await scriptedMeeting(t);
    const { context, page } = await phone(t, lang);
    await page.goto(`${meeting.url}/participant.html?meeting=m1&wire=json&lang=${lang}#token=t`);
    await page.waitForFunction(() => globalThis.majlis?.status === 'open' && document.querySelector('#queue-list'));
    assert.equal(await page.getAttribute('html', 'dir'), lang === 'ar' ? 'rtl' : 'ltr');

    await t.test('a compact header; the whole queue and the whole agenda', async () => {
      const header = await page.locator('header.topbar').boundingBox();
      assert.ok(header.height <= 64, `header height ${header.height}`);
      assert.equal(await page.locator('#queue-list > li').count(), 4);
      assert.equal(await page.locator('#queue-list > li.mine').count(), 1);
      assert.equal(await page.locator('#agenda-list > li').count(), 3);
      assert.equal(await page.getAttribute('#agenda-list > li.current', 'data-item'), 'i2');
    });

    await t.test('scrolled to the bottom, the open vote and my place (who is ahead) stay in view', async () => {
      await scrollToBottom(page);
      assert.ok(await page.evaluate(() => window.scrollY) > 800, 'the page is longer than two screens');
      await inViewport(page, '#status-strip');
      await inViewport(page, '.strip-vote[data-poll="q1"]');
      const position = await page.textContent('#strip-position');
      assert.match(position, /3/);
      assert.match(position, /Nadia Haddad/);
      assert.match(position, /سالم التريكي/);
      // Raise hand and point of order stay reachable while requests wait.
      await inViewport(page, '#point-of-order');
      await inViewport(page, '#raise-hand');
      assert.match(await page.title(), /^● /, 'an open vote I have not cast is in the tab title');
    });

    await t.test('tapping the vote in the strip brings the ballot into view', async () => {
      await page.tap('.strip-vote[data-poll="q1"]');
      await page.waitForFunction(() => {
        const r = document.querySelector('#poll-q1').getBoundingClientRect();
        const strip = document.getElementById('p-sticky').getBoundingClientRect();
        return r.top >= strip.bottom - 1 && r.top < window.innerHeight - 100;
      });
    });

    await t.test('tap targets, text size, no italics, no sideways scroll; bidi; stacked results; overtime contrast', async () => {
      await assertPhoneFriendly(page, `${lang} live`);
      for (const sel of ['#poll-q1 .question', '[data-contribution="c1"] .contrib-text']) {
        const q = await questionMarkAtEnd(page, sel);
        assert.ok(q.ok, `${sel}: "?" ends the text (${JSON.stringify(q)})`);
      }
      const label = await page.locator('[data-poll="q0"] .bar[data-option="1"] .label').boundingBox();
      const track = await page.locator('[data-poll="q0"] .bar[data-option="1"] .track').boundingBox();
      assert.ok(label.width >= 250, `a result label has the width of the card: ${label.width}`);
      assert.ok(label.y + label.height <= track.y + 1, 'the label sits above its bar');
      await page.waitForSelector('#now .clock.overtime');
      const c = await contrastOf(page, '#now .clock.overtime');
      assert.ok(c >= 4.5, `overtime contrast ${c.toFixed(2)}`);
    });

    await t.test('given the floor while scrolled down: the strip says so, the title changes, the phone vibrates', async () => {
      await scrollToBottom(page);
      const floor = { participantId: 'p1', entryId: 'e3', kind: 'REQUEST_KIND_SPEAK', startedAtMs: String(Date.now() - 65000),
        resumedAtMs: String(Date.now() - 65000), timeLimitMs: '60000' };
      meeting.push({ turnEnded: { intervention: { participantId: 'p5', itemId: 'i2', kind: 'REQUEST_KIND_SPEAK',
        startedAtMs: String(meeting.now - 75000), endedAtMs: String(Date.now()), durationMs: '75000', stakeholderGroup: 'government',
        attendance: 'ATTENDANCE_IN_ROOM', timeLimitMs: '60000' } } });
      meeting.push({ floorGranted: { itemId: 'i2', floor } });
      await page.waitForSelector('#you-have-floor');
      await scrollToBottom(page);
      await inViewport(page, '#you-have-floor');
      await inViewport(page, '.strip-vote[data-poll="q1"]');
      assert.match(await page.title(), lang === 'ar' ? /^● الكلمة لك الآن/ : /^● You have the floor/);
      assert.equal(await page.evaluate(() => globalThis.vibrations), 1);
      await page.waitForSelector('#you-have-floor .clock.overtime');
      const c = await contrastOf(page, '#you-have-floor .clock.overtime');
      assert.ok(c >= 4.5, `overtime contrast in the strip ${c.toFixed(2)}`);
      await assertPhoneFriendly(page, `${lang} floor`);
      await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
      await page.screenshot({ path: `${SHOTS}/participant-360x800-${lang}.png` });
    });

    await t.test('offline shows within 10 s of the network dropping; back online, live again', async () => {
      const started = Date.now();
      await context.setOffline(true);
      await page.waitForSelector('#strip-offline', { timeout: 10000 });
      const shownMs = Date.now() - started;
      await inViewport(page, '#strip-offline');
      const queues = await page.evaluate(() => 'queued' in globalThis.majlis);
      if (queues) {
        // A client that queues: the controls say "will be sent when back online"; a text sent
        // now leaves the box at once and shows as queued.
        await page.waitForSelector('#sends-later');
        await page.fill('#contrib-text', 'sent while offline');
        await page.click('#contrib-form button[type="submit"]');
        assert.equal(await page.inputValue('#contrib-text'), '');
        await page.waitForSelector('#contrib-list .outbox-entry .queued');
      } else {
        // An older client refuses commands offline: the controls wait, disabled.
        assert.ok(await page.isDisabled('#point-of-order'), 'point of order waits for the network');
        assert.ok(await page.isDisabled('#contrib-form button[type="submit"]'), 'Send waits for the network');
      }
      // The client itself notices too (its pings go unanswered), within the same 10 s.
      await page.waitForFunction(() => globalThis.majlis.status !== 'open', null, { timeout: Math.max(1, 10000 - (Date.now() - started)) });
      const clientMs = Date.now() - started;
      t.diagnostic(`offline shown after ${shownMs} ms; client status ${await page.evaluate(() => globalThis.majlis.status)} after ${clientMs} ms (queueing client: ${queues})`);
      await context.setOffline(false);
      await page.waitForFunction(() => globalThis.majlis.status === 'open', null, { timeout: 15000 });
      await page.waitForSelector('#strip-offline', { state: 'detached' });
      if (queues) await page.waitForSelector('#contrib-list .outbox-entry', { state: 'detached' });
    });

    await t.test('the meeting ends: no writing box, no request buttons, a clear "ended"', async () => {
      meeting.push({ meetingEnded: {} });
      await page.waitForSelector('#strip-ended');
      await scrollToBottom(page);
      await inViewport(page, '#strip-ended');
      assert.ok(await page.isHidden('#contrib-form'), 'the writing box is gone');
      assert.ok(await page.isHidden('#action-bar'), 'the request buttons are gone');
      assert.equal(await page.locator('#you-have-floor, .strip-vote, #strip-position, button.withdraw').count(), 0);
      await page.waitForSelector('#ended-note');
      await assertPhoneFriendly(page, `${lang} ended`);
      await page.screenshot({ path: `${SHOTS}/participant-ended-360x800-${lang}.png` });
    });
    assert.deepEqual(page.errors, []);
  });

  test(`a refused token on a phone, ${lang}: one language and a way back to the join page`, async (t) => {
    const meeting = await scriptedMeeting(t);
    const { context, page } = await phone(t, lang);
    // This tab registered through the invite link before (join.html keeps the code for the tab).
    await context.addInitScript(() => sessionStorage.setItem('majlis.invite.join.html.m1', 'inv'));
    await page.goto(`${meeting.url}/participant.html?meeting=m1&wire=json&lang=${lang}#token=bad`);
    await page.waitForSelector('#conn-stopped[data-reason="token"]');
    // All visible text but the language switch (which names both languages by design).
    const text = await page.evaluate(() => {
      const parts = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (n.textContent.trim() && el.checkVisibility() && !el.closest('select')) parts.push(n.textContent.trim());
      }
      return parts.join(' | ');
    });
    if (lang === 'ar') assert.doesNotMatch(text, /[A-Za-z]/, `Arabic only: ${text}`);
    else assert.doesNotMatch(text, /[\u0600-\u06FF]/, `English only: ${text}`);
    assert.equal(await page.getAttribute('#conn-home', 'href'), 'join.html?meeting=m1');
    assert.equal(await page.evaluate(() => localStorage.getItem('majlis.token.m1')), null, 'the refused token is forgotten');
    assert.match(await page.getAttribute('#conn-stopped', 'title'), /token signature does not verify/, 'the server text as a detail only');
    await assertPhoneFriendly(page, `${lang} refused token`);
    await page.screenshot({ path: `${SHOTS}/participant-bad-token-360x800-${lang}.png` });
    assert.deepEqual(page.errors, []);
  });
}

for (const lang of ['en', 'ar']) {
  test(`the join page on a phone, ${lang}: an invite the server does not know, said in one language`, async (t) => {
    // The scripted server has no HTTP API: the meeting's summary answers 404 "not found".
    const meeting = await scriptedMeeting(t);
    const { page } = await phone(t, lang);
    await page.goto(`${meeting.url}/join.html?meeting=m1&lang=${lang}#invite=abc`);
    await page.waitForSelector('#join-status.error-line');
    const status = await page.textContent('#join-status .error-text');
    assert.equal(status, lang === 'ar' ? 'هذا العنصر غير موجود (أو لم يعد موجودًا): ربما حُذف.' : 'That does not exist (any more): it may have been removed.');
    assert.equal(await page.textContent('#join-status .error-detail'), 'not found', "the server's text, as a detail");
    assert.match(await page.textContent('#join-status strong'), lang === 'ar' ? /رابط الدعوة هذا لا يعمل/ : /This invite link does not work/);
    assert.equal(await page.getAttribute('#join-home', 'href'), 'index.html');
    await assertPhoneFriendly(page, `join ${lang}`);
    assert.deepEqual(page.errors, []);
  });
}

// The page's side of a client that keeps commands while offline (client.queued, a 'queue'
// event, send() pending until back online). Until that client is merged, a stand-in wraps the
// current one with the same contract; a client that has `queued` is used as it is.
test('with a client that queues while offline: controls marked, sent text leaves the box, queued items shown, then sent', async (t) => {
  const meeting = await scriptedMeeting(t);
  const { context, page } = await phone(t, 'en');
  await page.goto(`${meeting.url}/participant.html?meeting=m1&wire=json&lang=en#token=t`);
  await page.waitForFunction(() => globalThis.majlis?.status === 'open' && document.querySelector('#queue-list'));
  await page.evaluate(() => {
    const c = globalThis.majlis;
    if ('queued' in c) return;
    const direct = c.send.bind(c);
    const queue = [];
    const changed = () => c.dispatchEvent(new Event('queue'));
    c.queued = queue;
    c.send = (command) => (c.status === 'open' && navigator.onLine
      ? direct(command)
      : new Promise((resolve) => { queue.push({ command, resolve }); changed(); }));
    const flush = () => {
      if (c.status !== 'open' || !navigator.onLine || !queue.length) return;
      for (const { command, resolve } of queue.splice(0)) direct(command).then(resolve);
      changed();
    };
    // Back online: the connection came back (status), or never dropped at all (online).
    c.addEventListener('status', flush);
    globalThis.addEventListener('online', flush);
  });
  await context.setOffline(true);
  await page.waitForSelector('#strip-offline', { timeout: 10000 });
  await page.waitForSelector('#sends-later');
  assert.ok(await page.isEnabled('#point-of-order'), 'point of order can be queued');
  await page.fill('#contrib-text', 'Sent while the train was in a tunnel');
  await page.click('#contrib-form button[type="submit"]');
  assert.equal(await page.inputValue('#contrib-text'), '', 'the box empties at once');
  await page.waitForSelector('#contrib-list .outbox-entry .queued');
  await page.tap('#point-of-order');
  await page.waitForSelector('#queue-list .outbox-entry .queued');
  assert.ok(await page.isDisabled('#point-of-order'), 'a queued point of order is not asked twice');
  await page.waitForFunction(() => /2/.test(document.querySelector('#strip-queued')?.textContent || ''));
  await inViewport(page, '#strip-queued');
  await page.screenshot({ path: `${SHOTS}/participant-queued-360x800-en.png` });
  assert.equal(meeting.commands.length, 0, 'nothing reached the server while offline');

  await context.setOffline(false);
  await page.waitForFunction(() => globalThis.majlis.status === 'open', null, { timeout: 15000 });
  await page.waitForSelector('.outbox-entry', { state: 'detached' });
  await page.waitForSelector('#strip-queued', { state: 'detached' });
  assert.deepEqual(meeting.commands.map((c) => Object.keys(c)[0]).sort(), ['requestFloor', 'submitContribution']);
  assert.equal(await page.inputValue('#contrib-text'), '', 'accepted: the box stays empty');
  assert.deepEqual(page.errors, []);
});
