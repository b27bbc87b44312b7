// The chair console at 1920×1080 and 1280×720, in English and Arabic (issue 8): the links panel
// with three links and their QR codes, named-poll ballots by voter name, a turnout that leaves out
// the chair (who does not vote by default), the roster's search and counts, the current item's
// clock against its plan, a header that names the meeting and the chair once, a due date in one
// explicit format, and the admin-key link listing the existing meeting with "Open".
// Three participants and a second chair connection are driven from a "bots" page through the
// pages' own client module. Screenshots: console-WxH-LANG.png in $MAJLIS_SCREENSHOTS.

import test from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_KEY, BASE, SHOTS, api, connected, launchChromium, newPage } from './pages.mjs';

const TITLE = 'Digital policy consultation — مشاورة السياسات الرقمية';
const ITEM = 'Data protection law — قانون حماية البيانات';
const PEOPLE = [
  { key: 'ahmed', name: 'أحمد المبروك', group: 'government', attendance: 'in_room' },
  { key: 'sarah', name: 'Sarah Jones', group: 'academia', attendance: 'remote' },
  { key: 'omar', name: 'Omar Ali', group: 'civil_society', attendance: 'in_room' },
];
const VIEWPORTS = [{ width: 1920, height: 1080 }, { width: 1280, height: 720 }];
const LANGS = ['en', 'ar'];
// The browser's locale for each page language.
const LOCALE = { en: 'en-US', ar: 'ar-LY' };

// Sends a command from one of the bots' clients and waits for it to be applied.
async function botSend(bots, who, command) {
  const r = await bots.evaluate(async ({ who, command }) => {
    const c = globalThis.bots[who];
    const result = await c.send(command);
    if (result.ok) await c.waitForSeq(result.seq);
    return result;
  }, { who, command });
  assert.ok(r.ok, `${who}: ${JSON.stringify(command)} → ${JSON.stringify(r.error)}`);
  return r;
}

// Every box inside the viewport horizontally, and the page does not scroll sideways.
async function assertFitsWidth(page, what) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `${what}: the page scrolls sideways (${scrollWidth} > ${innerWidth})`);
}

async function inViewportX(locator, viewport, what) {
  const box = await locator.boundingBox();
  assert.ok(box, `${what}: not rendered`);
  assert.ok(box.x >= 0 && box.x + box.width <= viewport.width + 0.5, `${what}: outside the viewport ${JSON.stringify(box)}`);
  return box;
}

test('the chair console: links, ballots, turnout, roster, item clock, header, meetings list', { skip: !BASE || !ADMIN_KEY }, async (t) => {
  const browser = await launchChromium();
  t.after(() => browser.close());

  // ---- the meeting: created through the API, three participants connected by the bots page ----
  const created = await api(BASE, 'POST', '/api/meetings',
    { key: ADMIN_KEY, body: { title: TITLE, languages: ['ar', 'en'] } });
  const meetingId = created.meetingId;
  const chairToken = created.tokens.moderator;
  const tokens = { chair: chairToken };
  const ids = {};
  for (const p of PEOPLE) {
    const r = await api(BASE, 'POST', `/api/meetings/${meetingId}/tokens`, { key: ADMIN_KEY,
      body: { role: 'participant', name: p.name, stakeholderGroup: p.group, attendance: p.attendance } });
    tokens[p.key] = r.token;
    ids[p.key] = r.participantId;
  }
  const bots = await newPage(browser, { viewport: { width: 800, height: 600 }, locale: LOCALE.en });
  // The SDK's client class, as the built pages bundle it: borrowed from a participant page,
  // whose own connection is closed at once.
  const lender = PEOPLE[0].key;
  await bots.goto(`${BASE}/participant.html?meeting=${meetingId}&lang=en#token=${encodeURIComponent(tokens[lender])}`);
  await bots.waitForFunction(() => globalThis.majlis?.constructor);
  await bots.evaluate(async ({ meetingId, tokens }) => {
    const MajlisClient = globalThis.majlis.constructor;
    globalThis.majlis.close();
    globalThis.bots = {};
    for (const [who, token] of Object.entries(tokens)) {
      const c = new MajlisClient({ meetingId, token });
      c.connect();
      globalThis.bots[who] = c;
    }
  }, { meetingId, tokens });
  await bots.waitForFunction(() => Object.values(globalThis.bots).every((c) => c.status === 'open' && c.state));

  await botSend(bots, 'chair', { startMeeting: {} });
  const added = await botSend(bots, 'chair', { addAgendaItem: { title: ITEM, plannedMinutes: 5, position: -1 } });
  const itemId = await bots.evaluate(() => globalThis.bots.chair.state.agenda[0].id);
  assert.ok(itemId && added.ok);
  await botSend(bots, 'chair', { startAgendaItem: { itemId } });
  await botSend(bots, 'sarah', { requestFloor: { kind: 'REQUEST_KIND_SPEAK' } });

  // ---- the poll is made in the console's form with its defaults: the chair does not vote ----
  const setup = await newPage(browser, { viewport: VIEWPORTS[0], locale: LOCALE.en });
  await setup.goto(`${BASE}/console.html?meeting=${meetingId}&lang=en#token=${encodeURIComponent(chairToken)}`);
  await connected(setup);
  await setup.click('#poll-create summary');
  assert.equal(await setup.isChecked('#poll-chair-votes'), false, 'the chair votes only when asked');
  await setup.fill('#poll-question', 'Which draft should we adopt? أي مسودة نعتمد؟');
  await setup.selectOption('#poll-kind', 'POLL_KIND_SINGLE');
  await setup.selectOption('#poll-secrecy', 'POLL_SECRECY_NAMED');
  await setup.selectOption('#poll-visibility', 'RESULTS_VISIBILITY_LIVE');
  await setup.fill('#poll-options', 'Draft A\nDraft B\nالمسودة ج');
  await setup.click('#poll-form button[type="submit"]');
  const pollCard = setup.locator('#polls .poll').first();
  await pollCard.getByRole('button', { name: 'Open' }).click();
  await setup.waitForFunction(() => globalThis.majlis.state.polls.some((p) => p.status === 'POLL_STATUS_OPEN'));
  const poll = await setup.evaluate(() => globalThis.majlis.state.polls.find((p) => p.status === 'POLL_STATUS_OPEN'));
  assert.deepEqual(poll.eligibleRoles, ['ROLE_PARTICIPANT']);
  await botSend(bots, 'ahmed', { castBallot: { pollId: poll.id, choices: [2] } });
  await botSend(bots, 'sarah', { castBallot: { pollId: poll.id, choices: [0] } });
  await setup.waitForFunction(() => globalThis.majlis.state.polls[0].ballots.length === 2);
  // A due date in the one explicit format, whatever the browser's locale.
  assert.equal(await setup.getAttribute('#action-due', 'type'), 'text');
  await setup.fill('#action-text', 'Circulate the draft');
  await setup.fill('#action-due', '2026/3/31');
  await setup.click('#action-form button[type="submit"]');
  await setup.waitForFunction(() => globalThis.majlis.state.agenda[0].actionItems.some((a) => a.dueDate === '2026-03-31'));
  assert.deepEqual(setup.errors, []);
  await setup.context().close();

  for (const viewport of VIEWPORTS) {
    for (const lang of LANGS) {
      const tag = `${viewport.width}x${viewport.height}-${lang}`;
      await t.test(`console ${tag}`, async () => {
        const chair = await newPage(browser, { viewport, locale: LOCALE[lang] });
        await chair.goto(`${BASE}/console.html?meeting=${meetingId}&lang=${lang}#token=${encodeURIComponent(chairToken)}`);
        await connected(chair);
        await chair.waitForSelector('#roster li[data-participant]');
        const ar = lang === 'ar';

        // Header: the meeting's title once, the chair once (no "Chair · Chair").
        assert.equal(await chair.textContent('#meeting-title'), TITLE);
        assert.equal((await chair.textContent('#me')).trim(), ar ? 'رئيس الجلسة' : 'Chair');
        const header = await chair.locator('header.topbar').boundingBox();
        assert.ok(header.height <= 64, `${tag}: the header wraps (${header.height}px)`);

        // Agenda: the title is not styled as a link; the clock runs against the plan.
        const title = chair.locator('#agenda .agenda-item .item-title').first();
        const style = await title.evaluate((el) => {
          const s = getComputedStyle(el);
          return { decoration: s.textDecorationLine, color: s.color };
        });
        assert.equal(style.decoration, 'none', `${tag}: agenda title underlined`);
        assert.notEqual(style.color, 'rgb(29, 78, 216)', `${tag}: agenda title in link blue`);
        const clock = chair.locator('#agenda .item-clock');
        await chair.waitForFunction(() => /^\d+:\d\d \/ 5:00$/.test(document.querySelector('#agenda .item-clock')?.textContent || ''));
        const first = await clock.textContent();
        await chair.waitForFunction((before) => document.querySelector('#agenda .item-clock').textContent !== before, first);
        assert.equal(await clock.getAttribute('class'), 'item-clock', `${tag}: over plan too early`);
        await inViewportX(clock, viewport, `${tag} item clock`);
        // Six minutes later (the page's server clock moved on, no test waits that long): over plan.
        await chair.evaluate(() => {
          const c = globalThis.majlis;
          const real = c.now.bind(c);
          c.now = () => real() + 6 * 60000;
        });
        await chair.waitForSelector('#agenda .item-clock.over');
        assert.match(await clock.textContent(), /^6:\d\d \/ 5:00$/);
        assert.ok(await chair.locator('#agenda .over-plan').isVisible(), `${tag}: no over-plan badge`);
        assert.match(await chair.locator('#agenda .over-plan').textContent(), ar ? /تجاوز المخطط/ : /Over plan by 1:\d\d/);

        // Named poll: who voted what, by name; turnout leaves the chair out (3 participants online).
        const ballots = chair.locator('#polls .ballot-list li');
        await chair.waitForFunction(() => document.querySelectorAll('#polls .ballot-list li').length === 2);
        const rows = await ballots.evaluateAll((lis) => lis.map((li) => ({
          voter: li.querySelector('.voter').textContent, choice: li.querySelector('.ballot-choice').textContent,
        })));
        const byVoter = Object.fromEntries(rows.map((r) => [r.voter, r.choice]));
        assert.deepEqual(byVoter, { 'أحمد المبروك': 'المسودة ج', 'Sarah Jones': 'Draft A' });
        const turnout = (await chair.textContent('#polls .turnout')).trim();
        assert.match(turnout, ar ? /صوّت 2 من 3 / : /^2 voted \/ 3 eligible online/, `${tag}: ${turnout}`);
        await inViewportX(ballots.first(), viewport, `${tag} ballot row`);

        // Roster: counts, raised hands, search by name (Arabic without hamza) and by group in either language.
        assert.match(await chair.textContent('[data-count="hands"]'), /1/);
        assert.match(await chair.textContent('[data-count="in_room"]'), /3/); // the chair, Ahmed, Omar
        assert.match(await chair.textContent('[data-count="remote"]'), /1/);
        assert.equal(await chair.locator('#hands-count').textContent(), ar ? '1 بانتظار الكلمة' : '1 waiting');
        const names = () => chair.locator('#roster li[data-participant]').evaluateAll((lis) => lis.map((li) => li.dataset.participant));
        assert.equal((await names()).length, 4);
        await chair.fill('#roster-search', 'احمد');
        await chair.waitForFunction(() => document.querySelectorAll('#roster li[data-participant]').length === 1);
        assert.deepEqual(await names(), [ids.ahmed]);
        await chair.fill('#roster-search', ar ? 'الأكاديمية' : 'academia');
        await chair.waitForFunction(() => document.querySelectorAll('#roster li[data-participant]').length === 1);
        assert.deepEqual(await names(), [ids.sarah]);
        await chair.fill('#roster-search', 'المجتمع المدني'); // the Arabic label finds the group in either UI
        await chair.waitForFunction((id) => [...document.querySelectorAll('#roster li[data-participant]')].map((li) => li.dataset.participant).join() === id, ids.omar);
        await chair.fill('#roster-search', '');
        await chair.selectOption('#roster-filter', 'hand');
        await chair.waitForFunction(() => document.querySelectorAll('#roster li[data-participant]').length === 1);
        assert.deepEqual(await names(), [ids.sarah]);
        await chair.selectOption('#roster-filter', 'all');
        await chair.waitForFunction(() => document.querySelectorAll('#roster li[data-participant]').length === 4);
        // The admission controls stay there.
        assert.ok(await chair.locator('#admission #reg-mode').isVisible());
        assert.ok(await chair.locator(`#roster li[data-participant="${ids.omar}"] .remove-participant`).isVisible());

        await assertFitsWidth(chair, tag);
        await chair.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
        await chair.screenshot({ path: `${SHOTS}/console-${tag}.png` });

        // Links panel: three links, each with a QR code and a copy button, inside the viewport.
        assert.ok(await chair.locator('#links-view').isHidden(), `${tag}: links open without asking`);
        await chair.click('#links-toggle');
        await chair.waitForSelector('#links-view:not([hidden]) .link-qr svg');
        await chair.waitForFunction(() => document.querySelectorAll('#links .link-qr svg').length === 3);
        for (const kind of ['participant', 'display', 'observer']) {
          const value = await chair.inputValue(`#link-${kind}`);
          assert.ok(value.startsWith(`${BASE}/`), `${tag}: ${kind} link ${value}`);
          assert.match(value, kind === 'participant' ? /join\.html\?meeting=[^&#]+#invite=./ : /display\.html\?meeting=[^&#]+#token=./);
          const qr = await inViewportX(chair.locator(`#link-card-${kind} .link-qr svg`), viewport, `${tag} ${kind} QR`);
          assert.ok(qr.width >= 100 && qr.height >= 100, `${tag}: ${kind} QR code too small ${JSON.stringify(qr)}`);
          assert.ok(qr.y + qr.height <= viewport.height, `${tag}: ${kind} QR code below the fold`);
          assert.ok(await chair.locator(`#copy-${kind}`).isVisible());
        }
        assert.match(await chair.inputValue('#link-moderator'), /console\.html\?meeting=[^&#]+#token=[^&]+$/, `${tag}: chair link without its token`);
        await assertFitsWidth(chair, `${tag} with links`);
        await chair.screenshot({ path: `${SHOTS}/console-links-${tag}.png` });
        assert.deepEqual(chair.errors, []);
        await chair.context().close();
      });
    }
  }

  await t.test('the admin-key link lists the existing meeting and opens it as its chair', async () => {
    for (const lang of LANGS) {
      const page = await newPage(browser, { viewport: VIEWPORTS[1], locale: LOCALE[lang] });
      await page.goto(`${BASE}/console.html?lang=${lang}#key=${encodeURIComponent(ADMIN_KEY)}`);
      assert.doesNotMatch(page.url(), /key=/);
      const row = page.locator(`#meeting-list li[data-meeting="${meetingId}"]`);
      await row.waitFor();
      assert.match(await row.textContent(), /Digital policy consultation/);
      assert.ok(await page.locator('#create-view').isVisible(), 'create stays offered');
      await page.screenshot({ path: `${SHOTS}/console-meetings-1280x720-${lang}.png` });
      await row.locator('button.open-meeting').click();
      await connected(page);
      assert.equal(await page.evaluate(() => globalThis.majlis.state.meetingId), meetingId);
      assert.match(page.url(), new RegExp(`console\\.html\\?meeting=${meetingId}$`));
      // The same chair as before, not a second one.
      const moderators = await page.evaluate(() => globalThis.majlis.state.participants.filter((p) => p.role === 'ROLE_MODERATOR').length);
      assert.equal(moderators, 1);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    }
  });
});
