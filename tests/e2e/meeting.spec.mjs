// End to end: the web clients against a real majlisd in headless Chromium (run.sh starts it).
// A chair creates a meeting from console.html#key=, a participant registers with an Arabic
// name from the invite link, raises a hand, the room display shows them as next speaker, the
// chair gives the floor, the display shows the speaker; then a poll runs through to published
// results. Screenshots go to $MAJLIS_SCREENSHOTS (default /tmp/majlis-e2e).

import test from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_KEY, BASE, SHOTS, connected, launchChromium, newPage, withLang } from './pages.mjs';

const ARABIC_NAME = 'فاطمة الزهراء بن علي';
const MEETING_TITLE = 'الاجتماع التمهيدي الثاني — Digital policy reform';
const ITEM_TITLE = 'حماية البيانات الشخصية';

// The credential has left the address bar: no token, invite or key in the query or fragment.
function assertCleanUrl(page, secret, what) {
  const url = page.url();
  assert.ok(!url.includes(secret), `${what}: the credential is still in the address bar: ${url}`);
  assert.doesNotMatch(url, /[?&#](token|invite|key)=/, `${what}: ${url}`);
}

test('chair, participant and room display run a meeting together', { skip: !BASE || !ADMIN_KEY }, async (t) => {
  const browser = await launchChromium();
  t.after(() => browser.close());

  const chair = await newPage(browser);
  const links = {};

  await t.test('the chair creates a meeting from console.html#key=', async () => {
    await chair.goto(`${BASE}/console.html?lang=en#key=${encodeURIComponent(ADMIN_KEY)}`);
    assertCleanUrl(chair, ADMIN_KEY, 'console with the admin key');
    await chair.fill('#create-title', MEETING_TITLE);
    await chair.click('#create-submit');
    await chair.waitForSelector('#links-view:not([hidden])');
    for (const k of ['participant', 'display', 'observer', 'moderator']) {
      links[k] = await chair.inputValue(`#link-${k}`);
      assert.match(links[k], /^https?:\/\//, `${k} link`);
    }
    // The credential rides in the fragment, which no server and no Referer sees.
    assert.match(links.participant, /join\.html\?meeting=[^&#]+#invite=[^&]+$/);
    for (const k of ['moderator', 'display', 'observer']) {
      assert.match(links[k], /\.html\?meeting=[^&#]+#token=[^&]+$/, `${k} link`);
    }
    assertCleanUrl(chair, ADMIN_KEY, 'console after creating');
    await connected(chair);
    await chair.waitForFunction((title) => document.getElementById('meeting-title').textContent === title, MEETING_TITLE);
  });

  await t.test('the chair starts the meeting and its first item', async () => {
    await chair.click('#start-meeting');
    await chair.waitForSelector('#end-meeting');
    await chair.fill('#agenda-title', ITEM_TITLE);
    await chair.fill('#agenda-minutes', '20');
    await chair.press('#agenda-title', 'Enter');
    const row = chair.locator('#agenda li[data-item]').filter({ hasText: ITEM_TITLE });
    await row.waitFor();
    await row.getByRole('button', { name: 'Start' }).click();
    await chair.waitForSelector('#agenda li.current');
    await chair.waitForSelector('#floor-card');
  });

  const display = await newPage(browser, { viewport: { width: 1600, height: 900 } });
  await t.test('the room display connects', async () => {
    const token = new URL(links.display).hash.replace(/^#token=/, '');
    await display.goto(withLang(links.display, 'en'));
    await connected(display);
    assertCleanUrl(display, token, 'display');
    // The token is kept for this tab: a reload, without it in the URL, still joins.
    await display.reload();
    await connected(display);
    assertCleanUrl(display, token, 'display after a reload');
    await display.waitForFunction((title) => document.getElementById('d-item').textContent === title, ITEM_TITLE);
  });

  await t.test('an old link with ?token= in the query still opens, and is rewritten', async () => {
    const observer = await newPage(browser);
    const url = new URL(links.observer);
    const token = url.hash.replace(/^#token=/, '');
    url.hash = '';
    url.searchParams.set('token', token);
    url.searchParams.set('lang', 'en');
    await observer.goto(url.href);
    await connected(observer);
    assertCleanUrl(observer, token, 'observer from an old link');
    assert.equal(new URL(observer.url()).searchParams.get('lang'), 'en', 'other parameters stay');
    assert.deepEqual(observer.errors, [], 'observer page errors');
    await observer.context().close();
  });

  const participant = await newPage(browser, { viewport: { width: 420, height: 900 }, locale: 'ar' });
  await t.test('a participant registers with an Arabic name from the invite link', async () => {
    await participant.goto(withLang(links.participant, 'ar'));
    assert.equal(await participant.getAttribute('html', 'dir'), 'rtl');
    assert.equal(await participant.getAttribute('html', 'lang'), 'ar');
    await participant.waitForSelector('#join-form:not([hidden])');
    assertCleanUrl(participant, new URL(links.participant).hash.replace(/^#invite=/, ''), 'join page');
    const groups = await participant.$$eval('#join-group option', (os) => os.map((o) => o.value));
    assert.ok(groups.includes('civil_society'), `groups from the meeting: ${groups}`);
    await participant.fill('#join-name', ARABIC_NAME);
    await participant.selectOption('#join-group', 'civil_society');
    await participant.check('input[name="attendance"][value="remote"]');
    await participant.screenshot({ path: `${SHOTS}/join-ar.png`, fullPage: true });
    await participant.click('#join-submit');
    await participant.waitForURL(/participant\.html/);
    await connected(participant);
    assertCleanUrl(participant, await participant.evaluate(() => globalThis.majlis.token), 'participant page');
    const you = await participant.evaluate(() => globalThis.majlis.you);
    assert.equal(you.displayName, ARABIC_NAME);
    assert.equal(you.role, 'ROLE_PARTICIPANT');
    const stored = await participant.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('majlis.token.')));
    assert.equal(stored.length, 1, 'the token is kept per meeting');
  });

  await t.test('the participant raises a hand and sees their place and why', async () => {
    await participant.waitForSelector('#raise-hand:not([disabled])');
    await participant.click('#raise-hand');
    await participant.waitForSelector('#my-position');
    const text = await participant.textContent('#my-position');
    assert.match(text, /1/);
    await participant.waitForSelector('#raise-hand[disabled]');
  });

  await t.test('the display shows them as next speaker; the chair sees the reason', async () => {
    const next = display.locator('#d-next li').first();
    await next.waitFor();
    assert.match(await next.textContent(), new RegExp(ARABIC_NAME));
    const entry = chair.locator('#queue li[data-entry]').first();
    await entry.waitFor();
    assert.match(await entry.textContent(), new RegExp(ARABIC_NAME));
    assert.match(await entry.textContent(), /in order of request/);
    await display.screenshot({ path: `${SHOTS}/display-next.png` });
  });

  await t.test('the chair gives the floor; everyone sees the speaker and the countdown', async () => {
    await chair.click('#next-speaker');
    await chair.waitForFunction((name) => document.querySelector('#floor-card .speaker')?.textContent.includes(name), ARABIC_NAME);
    await display.waitForFunction((name) => document.querySelector('#d-speaker .name')?.textContent.includes(name), ARABIC_NAME);
    await display.waitForFunction(() => /^\d+:\d\d$/.test(document.querySelector('#d-speaker .clock')?.textContent || ''));
    await participant.waitForSelector('#you-have-floor');
    assert.equal(await display.locator('#d-next li').count(), 0);
    await chair.waitForTimeout(1200); // let the clock tick
    const clock = await display.textContent('#d-speaker .clock');
    assert.match(clock, /^[23]:\d\d$/, `a 3-minute default turn counts down: ${clock}`);
    await display.screenshot({ path: `${SHOTS}/display-speaker.png` });
    await participant.screenshot({ path: `${SHOTS}/participant-floor-ar.png`, fullPage: true });
  });

  await t.test('the speaker ends the turn; the equity figures count it', async () => {
    await participant.getByRole('button', { name: 'إنهاء مداخلتي' }).click();
    await chair.waitForSelector('#floor-card:not(.active)');
    await chair.waitForFunction(() => globalThis.majlis.state.interventions.length === 1);
    const equity = await chair.textContent('#equity');
    assert.match(equity, /1 turn\b/);
  });

  await t.test('the chair adds a walk-in and queues them; the display lists them', async () => {
    await chair.fill('#walkin-name', 'عبد الرحمن الترهوني');
    await chair.selectOption('#walkin-group', 'academia');
    await chair.click('#walkin-queue');
    await chair.waitForFunction(() => document.querySelector('#queue li[data-entry]')?.textContent.includes('عبد الرحمن الترهوني'));
    const row = chair.locator('#roster li').filter({ hasText: 'عبد الرحمن الترهوني' });
    await row.locator('.badge', { hasText: 'walk-in' }).waitFor();
    await display.waitForFunction(() => document.querySelector('#d-next li')?.textContent.includes('عبد الرحمن الترهوني'));
  });

  await t.test('a named live poll: the participant votes, the chair closes and publishes', async () => {
    await chair.click('#poll-create summary');
    await chair.fill('#poll-question', 'هل نعتمد مسودة خارطة الطريق؟');
    await chair.selectOption('#poll-kind', 'POLL_KIND_YES_NO_ABSTAIN');
    await chair.selectOption('#poll-secrecy', 'POLL_SECRECY_NAMED');
    await chair.selectOption('#poll-visibility', 'RESULTS_VISIBILITY_LIVE');
    await chair.click('#poll-form button[type="submit"]');
    const poll = chair.locator('#polls .poll').first();
    await poll.getByRole('button', { name: 'Open' }).click();
    await participant.waitForSelector('#polls .poll input[type="radio"]:not([disabled])');
    await participant.check('#polls .poll input[type="radio"][value="0"]');
    await participant.getByRole('button', { name: 'تصويت', exact: true }).click(); // not the strip's "التصويت مفتوح"
    await participant.waitForSelector('#polls [id^="my-vote-"]');
    assert.match(await participant.textContent('#polls [id^="my-vote-"]'), /نعم/);
    await chair.waitForFunction(() => document.querySelector('#polls .poll .bar .num')?.textContent.startsWith('1 '));
    assert.match(await poll.locator('.turnout').textContent(), /^1 voted/);
    await poll.getByRole('button', { name: 'Close' }).click();
    await poll.getByRole('button', { name: 'Publish results' }).click();
    await display.waitForSelector('#d-results .bar');
    assert.match(await display.textContent('#d-results'), /1 · 100%/);
    await display.screenshot({ path: `${SHOTS}/display-results.png` });
    await participant.screenshot({ path: `${SHOTS}/participant-poll-ar.png`, fullPage: true });
  });

  await t.test('written input: the participant writes, the chair marks it answered', async () => {
    await participant.fill('#contrib-text', 'نقترح إشراك المجتمع المدني في صياغة اللائحة التنفيذية.');
    await participant.click('#contrib-form button[type="submit"]');
    const item = chair.locator('#contributions li[data-contribution]').first();
    await item.waitFor();
    await item.getByRole('button', { name: 'Mark answered' }).click();
    await participant.waitForSelector('#contrib-list .answered');
    await item.getByRole('button', { name: 'Hide' }).click();
    await participant.waitForSelector('#contrib-list li[data-contribution]', { state: 'detached' });
    await item.getByRole('button', { name: 'Show' }).waitFor();
  });

  await t.test('screenshots of the console in English and Arabic', async () => {
    await chair.screenshot({ path: `${SHOTS}/console-en.png`, fullPage: true });
    await chair.selectOption('select.lang-switch', 'ar');
    assert.equal(await chair.getAttribute('html', 'dir'), 'rtl');
    await chair.waitForSelector('text=جدول الأعمال');
    await chair.screenshot({ path: `${SHOTS}/console-ar.png`, fullPage: true });
  });

  await t.test('a dropped display connection resumes from its seq against majlisd', async () => {
    const before = await display.evaluate(() => ({ seq: globalThis.majlis.state.seq, epoch: globalThis.majlis.epoch }));
    await display.evaluate(() => {
      globalThis.majlis.addEventListener('welcome', (e) => { globalThis.lastWelcome = e.welcome.snapshot ? 'snapshot' : 'replay'; });
      globalThis.majlis.dropConnection('test');
    });
    await chair.fill('#agenda-title', 'Next steps');
    await chair.press('#agenda-title', 'Enter');
    await display.waitForFunction(() => globalThis.majlis.status === 'open'
      && globalThis.majlis.state.agenda.some((i) => i.title === 'Next steps'));
    const after = await display.evaluate(() => ({ seq: globalThis.majlis.state.seq, epoch: globalThis.majlis.epoch }));
    const chairSeq = await chair.evaluate(() => globalThis.majlis.state.seq);
    assert.equal(after.epoch, before.epoch);
    assert.equal(await display.evaluate(() => globalThis.lastWelcome), 'replay', 'resumed, not reloaded');
    assert.ok(after.seq > before.seq);
    await chair.waitForFunction((seq) => globalThis.majlis.state.seq >= seq, after.seq);
    assert.ok(chairSeq >= before.seq);
  });

  await t.test('queue policies reorder the list with reasons; a moved entry stays put', async () => {
    await chair.selectOption('select.lang-switch', 'en');
    for (const id of ['#policy-first', '#policy-alternate', '#policy-balance']) {
      await chair.check(id);
      await chair.waitForFunction((sel) => {
        const p = globalThis.majlis.state.settings.queuePolicy;
        return { '#policy-first': p.firstTimeFirst, '#policy-alternate': p.alternateAttendance, '#policy-balance': p.stakeholderBalance }[sel];
      }, id);
    }
    await participant.click('#raise-hand');
    await chair.locator('#roster li').filter({ hasText: 'Chair' }).getByRole('button', { name: 'Queue' }).click();
    await chair.waitForFunction(() => document.querySelectorAll('#queue li[data-entry]').length === 3);
    const reasons = await chair.evaluate(() => globalThis.majlis.state.agenda.find((i) => i.id === globalThis.majlis.state.currentItemId).speakers.waiting.map((e) => e.reason));
    assert.ok(reasons.some((r) => r !== 'in order of request'), `policies explain the order: ${reasons}`);
    const last = chair.locator('#queue li[data-entry]').last();
    const movedId = await last.getAttribute('data-entry');
    await last.getByRole('button', { name: 'Move up' }).click();
    await chair.waitForFunction((id) => document.querySelectorAll('#queue li[data-entry]')[1]?.dataset.entry === id, movedId);
    await display.waitForFunction(() => document.querySelector('#d-next')?.textContent.includes('moved by the chair'));
    await display.screenshot({ path: `${SHOTS}/display-policies.png` });
  });

  await t.test("each mirror, built from events, equals a fresh snapshot of the same audience", async () => {
    // Connection bookkeeping differs by design (the fresh page is one more connection).
    const comparable = (state) => ({
      ...state,
      seq: 0,
      participants: state.participants.map((p) => ({ ...p, connectionIds: [], connectionCount: 0, online: false })),
    });
    for (const [name, page] of [['chair', chair], ['participant', participant], ['display', display]]) {
      const fresh = await newPage(browser);
      // The participant page keeps its token in localStorage, which a new context lacks.
      const url = new URL(page.url());
      const token = await page.evaluate(() => globalThis.majlis.token);
      url.hash = new URLSearchParams({ token }).toString();
      await fresh.goto(url.href);
      await connected(fresh);
      assertCleanUrl(fresh, token, `${name} opened afresh`);
      const seq = await fresh.evaluate(() => globalThis.majlis.state.seq);
      await page.waitForFunction((s) => globalThis.majlis.state.seq >= s, seq);
      const mirrored = await page.evaluate(() => globalThis.majlis.state);
      const snapshot = await fresh.evaluate(() => globalThis.majlis.state);
      assert.deepEqual(comparable(mirrored), comparable(snapshot), `${name}: mirror vs snapshot`);
      await fresh.context().close();
    }
  });

  await t.test('no page threw', () => {
    for (const [name, page] of [['chair', chair], ['display', display], ['participant', participant]]) {
      assert.deepEqual(page.errors, [], `${name} page errors`);
    }
  });
});
