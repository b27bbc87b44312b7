// The in-room screen: read from the back of the hall, no controls, no scrolling. One grid sized to
// the viewport (display.css): the meeting and its current item on top; the speaker with the
// countdown in its own box and the next speakers on one side; an open vote, published results,
// the written contribution the chair put on screen and the check-in code on the other.
// Language: &lang=ar|en from the link, else the meeting's first language; &lang=both writes every
// label in Arabic and English side by side.

import { currentItem, findContribution } from '@majlis/client';
import { t, getLang, setLang, loadLang, dirOf, inLang, applyStatic, onLangChange, STRINGS } from './i18n.js';
import {
  h, patch, userText, linkParams, tabCredential, startPage, showFatalPage, updateClocks, clockElement,
  nameOf, groupLabel, attendanceLabel, reasonLabel, kindLabel, floorClock, connState,
} from './ui.js';
import { hasTally, turnout, optionLabel, optionCount } from './views.js';
import { qrSvg, qrReady, qrAvailable } from './qr.js';

const link = linkParams();
const meetingId = link.meetingId;
const token = meetingId ? tabCredential('token', meetingId, link.token) : '';

const langParam = (new URLSearchParams(location.search).get('lang') || '').toLowerCase();
const both = langParam === 'both';
const fixedLang = STRINGS[langParam] ? langParam : '';
if (fixedLang && getLang() !== fixedLang) await setLang(fixedLang, { persist: false });
// &lang=both writes every label in both languages: both dictionaries before the first render.
if (both) await Promise.all(Object.keys(STRINGS).map(loadLang));
document.documentElement.dataset.both = both ? '1' : '';
applyStatic();

// How many waiting requests the list has room for (display.css sizes its rows to match); beyond
// that the last row says how many more wait.
const NEXT_ROWS = 8;

const el = {
  title: document.getElementById('d-title'),
  itemLabel: document.getElementById('d-item-label'),
  item: document.getElementById('d-item'),
  body: document.getElementById('d-body'),
  notLive: document.getElementById('d-notlive'),
};
let client = null;

// A label in the page's language, or in both (the page's first) when the link says &lang=both.
// fn builds the text with t() and friends; it runs once per language.
function L(fn) {
  if (!both) return fn();
  const first = getLang();
  const second = first === 'ar' ? 'en' : 'ar';
  return h('span', { class: 'bi' },
    h('span', { lang: first, dir: dirOf(first) }, fn()),
    h('span', { class: 'bi-sep', 'aria-hidden': 'true' }, ' · '),
    h('span', { lang: second, dir: dirOf(second) }, inLang(second, fn)));
}

function label(key, params, extra = {}) {
  return h('div', { class: 'd-label', ...extra }, L(() => t(key, params)));
}

function kindBadge(kind) {
  return h('span', { class: `badge d-kind kind-${kind}` }, L(() => kindLabel(kind)));
}

// The meeting's own language when the link names none (its first one the pages can show).
function followMeetingLanguage(state) {
  if (fixedLang) return;
  const wanted = state.languages.find((l) => STRINGS[l]) || '';
  if (wanted && wanted !== getLang()) setLang(wanted, { persist: false });
}

// ---- in-room check-in: the current code in large type and as a QR code ----------------------
// The QR code encodes the participant page with the code (participant.html?meeting=ID&checkin=
// CODE, no token: the phone uses the token it already holds), which fills in and sends the code.
// Drawn by qr.js; without its encoder the display shows the code alone.

function checkInUrl(code) {
  const url = new URL('participant.html', location.href);
  url.search = new URLSearchParams({ meeting: meetingId, checkin: code }).toString();
  return url.href;
}

const qrCache = { text: '', node: null };
function qrNode(text) {
  if (!qrAvailable()) return null;
  if (qrCache.text !== text) {
    const svg = qrSvg(text, t('checkin.qrAlt'));
    const holder = h('div', { class: 'qr', id: 'd-checkin-qr', dataset: { text } });
    holder.append(svg);
    qrCache.text = text;
    qrCache.node = holder;
  }
  return qrCache.node;
}

function checkInPanel(state) {
  const c = state.checkIn;
  if (!c.open || !c.code) return null;
  return h('section', { class: 'd-panel d-checkin', id: 'd-checkin' },
    qrNode(checkInUrl(c.code)),
    h('div', { class: 'd-checkin-text' },
      label('checkin.displayHeading'),
      h('div', { class: 'code', id: 'd-checkin-code', dir: 'ltr' }, c.code),
      label('checkin.displayHint')));
}
qrReady.then(() => client?.state && render(client.state));

// ---- the floor and the list of speakers ---------------------------------------------------------

function participantMeta(state, pid) {
  const p = state.participants.find((x) => x.id === pid);
  return p ? `${groupLabel(p.stakeholderGroup)} · ${attendanceLabel(p.attendance)}` : '';
}

// The name and the countdown are separate boxes, so in Arabic the digits never read as part of
// the name.
function speakerBlock(state, item) {
  const sp = item?.speakers;
  if (!sp?.hasFloor) {
    return h('section', { class: 'd-speaker none', id: 'd-speaker' },
      h('div', { class: 'd-who' }, h('div', { class: 'name' }, L(() => t('floor.none')))));
  }
  const floor = sp.floor;
  return h('section', { class: 'd-speaker', id: 'd-speaker' },
    h('div', { class: 'd-who' },
      h('div', { class: 'd-label' }, L(() => t('floor.speaking')),
        floor.kind !== 'REQUEST_KIND_SPEAK' ? kindBadge(floor.kind) : null),
      h('div', { class: 'name' }, userText(nameOf(state, floor.participantId))),
      h('div', { class: 'meta' }, participantMeta(state, floor.participantId))),
    h('div', { class: 'd-clockbox', id: 'd-clockbox' },
      label(floor.timeLimitMs ? 'disp.timeLeft' : 'disp.timeTaken'),
      clockElement(),
      floor.paused ? h('div', { class: 'd-paused' }, L(() => t('floor.paused'))) : null,
      h('div', { class: 'd-over', id: 'd-over', hidden: true }, L(() => t('floor.overtime')))));
}

function nextBlock(state, item) {
  const waiting = item?.speakers.waiting || [];
  const fits = waiting.length <= NEXT_ROWS;
  const shown = fits ? waiting : waiting.slice(0, NEXT_ROWS - 1);
  const more = waiting.length - shown.length;
  return h('section', { class: 'd-queue', id: 'd-queue' },
    label('disp.next'),
    shown.length
      ? h('ol', { class: `d-next${more > 0 ? ' with-more' : ''}`, id: 'd-next' }, shown.map((e, i) => h('li', { dataset: { entry: e.id, kind: e.kind } },
        h('span', { class: 'num', dir: 'ltr' }, String(i + 1)),
        h('div', { class: 'd-entry' },
          h('div', { class: 'd-entry-line' },
            userText(nameOf(state, e.participantId), 'bdi', 'who'),
            e.kind !== 'REQUEST_KIND_SPEAK' ? kindBadge(e.kind) : null),
          h('div', { class: 'why' },
            [participantMeta(state, e.participantId), reasonLabel(e.reason)].filter(Boolean).join(' — '))))))
      : h('div', { class: 'd-empty' }, L(() => t('disp.noneWaiting'))),
    more > 0 ? h('div', { class: 'd-more', id: 'd-more', dataset: { more } }, L(() => t('disp.more', { n: more }))) : null);
}

// ---- polls and written input --------------------------------------------------------------------

function latest(polls, at) {
  return [...polls].sort((a, b) => at(b) - at(a))[0] || null;
}

// The poll people vote in now: the one opened last.
function openPoll(state) {
  return latest(state.polls.filter((p) => p.status === 'POLL_STATUS_OPEN'), (p) => p.openedAtMs);
}

// Results the room may see: the poll closed last whose tally is out.
function resultsPoll(state) {
  const out = state.polls.filter((p) => (p.status === 'POLL_STATUS_CLOSED' || p.status === 'POLL_STATUS_PUBLISHED') && hasTally(p));
  return latest(out, (p) => p.closedAtMs || p.openedAtMs);
}

// One bar per option: the label and the count on one line, the bar under them, so labels keep
// the panel's whole width instead of wrapping in a narrow column.
function bars(poll) {
  const n = Math.max(optionCount(poll), poll.tally.length);
  const counts = Array.from({ length: n }, (_, i) => poll.tally[i] || 0);
  const total = counts.reduce((a, b) => a + b, 0);
  const max = Math.max(1, ...counts);
  const fixedLabels = poll.kind === 'POLL_KIND_YES_NO_ABSTAIN';
  return h('div', { class: 'd-bars' }, counts.map((c, i) => {
    const pct = total ? Math.round((c * 100) / total) : 0;
    return h('div', { class: 'bar', dataset: { option: i } },
      h('span', { class: 'label' }, fixedLabels ? L(() => optionLabel(poll, i)) : userText(optionLabel(poll, i))),
      h('span', { class: 'num', dir: 'ltr' }, `${c} · ${pct}%`),
      h('div', { class: 'track' }, h('div', { class: 'fill', style: { width: `${(c * 100) / max}%` } })));
  }));
}

function votePanel(state, poll) {
  const { voted, eligible } = turnout(state, poll);
  const share = eligible ? Math.min(100, (voted * 100) / eligible) : 0;
  return h('section', { class: 'd-panel d-vote', id: 'd-vote', dataset: { poll: poll.id } },
    h('div', { class: 'd-vote-head' },
      h('span', { class: 'd-pulse', 'aria-hidden': 'true' }),
      h('span', { class: 'd-vote-title' }, L(() => t('disp.voteOpen')))),
    h('div', { class: 'q', dir: 'auto' }, poll.question),
    h('div', { class: 'd-turnout', id: 'd-turnout', dataset: { voted, eligible } },
      h('span', { class: 'd-turnout-text' }, L(() => t('disp.turnout', { voted, eligible })))),
    h('div', { class: 'track d-turnout-bar' }, h('div', { class: 'fill', style: { width: `${share}%` } })),
    hasTally(poll) ? bars(poll) : label('disp.voteHint', null, { class: 'd-label d-vote-hint' }));
}

function resultsPanel(state, poll) {
  const { voted, eligible } = turnout(state, poll);
  return h('section', { class: 'd-panel d-results', id: 'd-results', dataset: { poll: poll.id } },
    label('disp.results'),
    h('div', { class: 'q', dir: 'auto' }, poll.question),
    bars(poll),
    h('div', { class: 'turnout' }, L(() => t('disp.turnout', { voted, eligible }))));
}

function contributionPanel(state) {
  const c = state.onScreenContributionId ? findContribution(state, state.onScreenContributionId) : null;
  if (!c || c.hidden || !c.text) return null;
  return h('section', { class: 'd-panel d-contribution', id: 'd-contribution', dataset: { contribution: c.id } },
    label('disp.contribution'),
    h('div', { class: 'd-ctext', dir: 'auto' }, c.text),
    h('div', { class: 'd-cauthor' }, '— ', userText(nameOf(state, c.authorId))));
}

// ---- the page -----------------------------------------------------------------------------------

function render(state) {
  followMeetingLanguage(state);
  el.title.replaceChildren(userText(state.title));
  document.title = `${state.title} — Majlis`;
  const item = currentItem(state);
  const ended = state.status === 'MEETING_STATUS_ENDED';
  el.itemLabel.replaceChildren(L(() => t('item.current')));
  el.item.replaceChildren(item ? userText(item.title) : L(() => t(ended ? 'disp.ended' : 'item.none')));
  el.item.classList.toggle('muted', !item);

  const open = openPoll(state);
  const results = open ? null : resultsPoll(state);
  const side = [
    open ? votePanel(state, open) : null,
    results ? resultsPanel(state, results) : null,
    contributionPanel(state),
    checkInPanel(state),
  ].filter(Boolean);

  patch(el.body,
    h('div', { class: 'd-col d-floor' }, speakerBlock(state, item), nextBlock(state, item)),
    side.length ? h('div', { class: `d-col d-side panels-${side.length}`, id: 'd-side' }, side) : null);
  el.body.classList.toggle('solo', !side.length);
}

function tick(state) {
  const item = currentItem(state);
  const floor = item?.speakers.hasFloor ? item.speakers.floor : null;
  const now = client.now();
  updateClocks(document, floor, now);
  const over = document.getElementById('d-over');
  if (over) over.hidden = !(floor && floorClock(floor, now).overtime);
}

// Not live: the whole screen dims and a band across it says so in large type (display.css shows
// it for <html data-conn="connecting|reconnecting|closed">), so a stale screen never looks live.
const notLiveTitle = h('div', { class: 'd-notlive-title' });
const notLiveHint = h('div', { class: 'd-notlive-hint' });
el.notLive.append(h('div', { class: 'd-notlive-band' }, notLiveTitle, notLiveHint));
function renderNotLive() {
  const conn = connState(client);
  const hint = conn === 'connecting' ? 'conn.connecting' : conn === 'closed' ? 'conn.closed' : 'disp.notLiveHint';
  notLiveTitle.replaceChildren(L(() => t('disp.notLive')));
  notLiveHint.replaceChildren(L(() => t(hint)));
}

if (!meetingId || !token) showFatalPage(t('link.incomplete'));
else {
  client = startPage({ meetingId, token, render, tick }).client;
  client.addEventListener('status', renderNotLive);
  onLangChange(renderNotLive);
  renderNotLive();
}
