// End to end (issue 8): the chair's minutes view. A meeting with one participant in the room and
// one remote (admin-issued tokens), a room display and an observer; decisions, an action item, a
// closed and published named poll, written input with an upvote and two turns. The console's
// "Minutes" button shows the minutes in English and in Arabic with the attendance, decisions,
// poll results (who voted what), written input and speaking time (singular and plural turns);
// in print only the minutes remain (emulateMedia print). Screenshots minutes-en.png,
// minutes-ar.png and a PDF of the Arabic minutes go to $MAJLIS_SCREENSHOTS.

import test from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_KEY, BASE, SHOTS, api, connected, launchChromium, newPage } from './pages.mjs';

const ROOM_NAME = 'أمينة الخطيب';
const REMOTE_NAME = 'Layla Haddad';
const DECISIONS = ['Publish the draft law for public comment', 'إنشاء هيئة مستقلة لحماية البيانات'];
const ACTION = 'Circulate the draft to all members';
const QUESTION = 'Adopt the draft?';
const CONTRIBUTION = 'What about small firms and start-ups?';

const post = (path, body) => api(BASE, 'POST', path, { key: ADMIN_KEY, body });

// A page that has connected; the chair's confirmations are accepted.
async function open(browser, url) {
  const page = await newPage(browser, { viewport: { width: 1280, height: 900 }, consoleErrors: false });
  page.on('dialog', (d) => d.accept());
  await page.goto(url);
  await connected(page);
  return page;
}

// Sends a command through the page's client; fails the test on a refusal. Returns the result.
async function send(page, command) {
  const result = await page.evaluate(async (c) => {
    const r = await globalThis.majlis.send(c);
    if (r.ok) await globalThis.majlis.waitForSeq(r.seq);
    return { ok: r.ok, error: r.error?.message || r.error?.code || '' };
  }, command);
  assert.ok(result.ok, `${Object.keys(command)[0]} refused: ${result.error}`);
  return result;
}

const stateOf = (page, fn, arg) => page.evaluate(fn, arg);

// Gives `participantId` the floor until one full second has passed on the server's clock.
async function turn(chair, participantId) {
  await send(chair, { grantFloor: { participantId } });
  await chair.waitForFunction(() => {
    const item = globalThis.majlis.state.agenda.find((i) => i.id === globalThis.majlis.state.currentItemId);
    return item?.speakers.hasFloor && globalThis.majlis.now() - Number(item.speakers.floor.startedAtMs) >= 1200;
  });
  await send(chair, { endTurn: {} });
}

test('the minutes: both languages, printable, with attendance, decisions, polls, written input and speaking time',
  { skip: !BASE || !ADMIN_KEY }, async (t) => {
    const browser = await launchChromium();
    t.after(() => browser.close());

    const created = await post('/api/meetings', {
      title: 'Data law hearing — جلسة قانون البيانات', languages: ['ar', 'en'],
      stakeholderGroups: ['private_sector', 'civil_society', 'Youth councils'],
    });
    const id = created.meetingId;
    const room = await post(`/api/meetings/${id}/tokens`, { role: 'participant', name: ROOM_NAME, stakeholderGroup: 'private_sector', attendance: 'in_room' });
    const remote = await post(`/api/meetings/${id}/tokens`, { role: 'participant', name: REMOTE_NAME, stakeholderGroup: 'civil_society', attendance: 'remote' });
    const link = (page, token) => `${BASE}/${page}?meeting=${encodeURIComponent(id)}&lang=en#token=${encodeURIComponent(token)}`;

    const chair = await open(browser, link('console.html', created.tokens.moderator));
    const roomPage = await open(browser, link('participant.html', room.token));
    const remotePage = await open(browser, link('participant.html', remote.token));
    // The room display and an observer join too: they are not attendees.
    const display = await open(browser, link('display.html', created.tokens.display));
    const observer = await open(browser, link('display.html', created.tokens.observer));

    await t.test('the chair runs an item: decisions, an action, a named poll, written input, two turns', async () => {
      await send(chair, { startMeeting: {} });
      await send(chair, { addAgendaItem: { title: 'Data protection law', plannedMinutes: 30, position: -1 } });
      const itemId = await stateOf(chair, () => globalThis.majlis.state.agenda[0].id);
      await send(chair, { startAgendaItem: { itemId } });
      for (const text of DECISIONS) await send(chair, { recordDecision: { itemId, text } });
      await send(chair, { recordActionItem: { itemId, text: ACTION, owner: 'Secretariat', dueDate: '2026-12-31' } });

      await send(chair, { createPoll: { question: QUESTION, kind: 'POLL_KIND_YES_NO_ABSTAIN', secrecy: 'POLL_SECRECY_NAMED', visibility: 'RESULTS_VISIBILITY_ON_PUBLISH' } });
      const pollId = await stateOf(chair, () => globalThis.majlis.state.polls[0].id);
      await send(chair, { openPoll: { pollId } });
      await roomPage.waitForFunction((p) => globalThis.majlis.state.polls.some((x) => x.id === p && x.status === 'POLL_STATUS_OPEN'), pollId);
      await remotePage.waitForFunction((p) => globalThis.majlis.state.polls.some((x) => x.id === p && x.status === 'POLL_STATUS_OPEN'), pollId);
      await send(roomPage, { castBallot: { pollId, choices: [0] } });
      await send(remotePage, { castBallot: { pollId, choices: [1] } });
      await send(chair, { closePoll: { pollId } });
      await send(chair, { publishPoll: { pollId } });

      await send(remotePage, { submitContribution: { text: CONTRIBUTION } });
      await roomPage.waitForFunction(() => globalThis.majlis.state.contributions.length === 1);
      const contributionId = await stateOf(roomPage, () => globalThis.majlis.state.contributions[0].id);
      await send(roomPage, { upvoteContribution: { contributionId } });
      await send(chair, { markContribution: { contributionId, answered: true, hidden: false } });

      await turn(chair, room.participantId);
      await turn(chair, remote.participantId);
      await turn(chair, remote.participantId);
      await send(chair, { closeAgendaItem: { itemId } });
      await chair.waitForFunction(() => globalThis.majlis.state.interventions.length === 3);
    });

    await t.test('the minutes in English', async () => {
      await chair.click('#open-minutes');
      const doc = chair.locator('#minutes-view #minutes-doc');
      await doc.waitFor();
      assert.equal(await doc.getAttribute('dir'), 'ltr');
      const text = await doc.innerText();
      for (const piece of [...DECISIONS, ACTION, 'Secretariat', QUESTION, CONTRIBUTION, ROOM_NAME, REMOTE_NAME,
        'Attendance', '2 participants: 1 in the room, 1 remote', 'Who voted what', '2 people voted',
        '1 upvote', 'Answered', 'Private sector', 'Civil society', 'Youth councils', 'In the room and remote']) {
        assert.ok(text.includes(piece), `the English minutes miss "${piece}":\n${text}`);
      }
      // Who is where: the room participant under "In the room", the remote one under "Remote".
      assert.match(await doc.locator('[data-attendance="in_room"]').innerText(), new RegExp(`In the room \\(1\\)[\\s\\S]*${ROOM_NAME}[\\s\\S]*Private sector`));
      assert.match(await doc.locator('[data-attendance="remote"]').innerText(), new RegExp(`Remote \\(1\\)[\\s\\S]*${REMOTE_NAME}`));
      // Displays and observers are not participants; no raw group keys.
      for (const absent of ['Room display', 'Observer', 'private_sector', 'civil_society', '1 turns']) {
        assert.ok(!text.includes(absent), `the English minutes show "${absent}"`);
      }
      // Poll results: Yes 1, No 1; the named ballots.
      const results = await doc.locator('table.poll-results tbody tr').allInnerTexts();
      assert.deepEqual(results.map((r) => r.replace(/\s+/g, ' ').trim()), ['Yes 1 · 50%', 'No 1 · 50%', 'Abstain 0 · 0%']);
      const ballots = (await doc.locator('table.ballots tbody tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
      assert.deepEqual(ballots.sort(), [`${REMOTE_NAME} No`, `${ROOM_NAME} Yes`].sort());
      // Speaking time: one turn in the room (singular), two remote (plural), minutes:seconds.
      const byAttendance = (await doc.locator('table.by-attendance tbody tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
      assert.match(byAttendance[0], /^In the room 0:0[1-9] 1 turn$/);
      assert.match(byAttendance[1], /^Remote 0:0[2-9] 2 turns$/);
      const byGroup = (await doc.locator('table.by-group tbody tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
      assert.ok(byGroup.includes('Youth councils 0:00 0 turns'), byGroup.join(' | '));
      assert.match(text, /\d{1,2}:\d{2}/, 'a start time');
      assert.ok(text.includes('2026'), 'the date');
      await chair.screenshot({ path: `${SHOTS}/minutes-en.png`, fullPage: true });
    });

    await t.test('the minutes in Arabic, right to left, with Arabic plural forms', async () => {
      await chair.selectOption('#minutes-lang', 'ar');
      const doc = chair.locator('#minutes-view #minutes-doc');
      await chair.waitForFunction(() => document.querySelector('#minutes-doc')?.getAttribute('dir') === 'rtl');
      const text = await doc.innerText();
      for (const piece of [...DECISIONS, ACTION, QUESTION, CONTRIBUTION, ROOM_NAME, REMOTE_NAME, 'محضر الاجتماع', 'الحضور',
        'القرارات', 'المهام', 'اختيار كل مصوّت', 'صوّت شخصان', 'تأييد واحد', 'القطاع الخاص', 'المجتمع المدني',
        'مشاركان: 1 في القاعة و1 عن بُعد', 'نعم', 'امتناع']) {
        assert.ok(text.includes(piece), `the Arabic minutes miss "${piece}":\n${text}`);
      }
      const byAttendance = (await doc.locator('table.by-attendance tbody tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
      assert.match(byAttendance[0], /^في القاعة 0:0[1-9] مداخلة واحدة$/);
      assert.match(byAttendance[1], /^عن بُعد 0:0[2-9] مداخلتان$/);
      const byGroup = (await doc.locator('table.by-group tbody tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
      assert.ok(byGroup.includes('Youth councils 0:00 لا مداخلات'), byGroup.join(' | '));
      // Right to left: the heading of a section starts at the right edge of the paper.
      const paper = await chair.locator('.minutes-paper').boundingBox();
      const heading = await doc.locator('#minutes-attendance h2').boundingBox();
      const headingText = await doc.locator('#minutes-attendance h2').evaluate((el) => {
        const r = document.createRange();
        r.selectNodeContents(el);
        return r.getBoundingClientRect().right;
      });
      assert.ok(heading && paper && paper.x + paper.width - headingText < paper.width / 4, 'the Arabic heading sits on the right');
      await chair.screenshot({ path: `${SHOTS}/minutes-ar.png`, fullPage: true });
    });

    await t.test('in print only the minutes remain', async () => {
      // On screen: the minutes' toolbar (language, print, close) and no console.
      assert.ok(await chair.locator('.minutes-toolbar').isVisible());
      assert.equal(await chair.locator('#console-view').isVisible(), false);
      await chair.emulateMedia({ media: 'print' });
      for (const selector of ['.topbar', '#console-view', '.minutes-toolbar', '#minutes-print']) {
        assert.equal(await chair.locator(selector).first().isVisible(), false, `${selector} prints`);
      }
      const doc = await chair.locator('#minutes-doc').boundingBox();
      assert.ok(doc && doc.y < 50 && doc.height > 300, `the minutes print from the top: ${JSON.stringify(doc)}`);
      assert.equal(await chair.evaluate(() => getComputedStyle(document.querySelector('#minutes-doc')).direction), 'rtl');
      await chair.pdf({ path: `${SHOTS}/minutes-ar.pdf`, format: 'A4', preferCSSPageSize: true });
      await chair.emulateMedia({ media: 'screen' });
      // Closing the minutes gives the console back.
      await chair.click('#minutes-close');
      await chair.locator('#minutes-view').waitFor({ state: 'detached' });
      assert.ok(await chair.locator('#console-view').isVisible());
    });

    for (const page of [chair, roomPage, remotePage, display, observer]) assert.deepEqual(page.errors, []);
  });
