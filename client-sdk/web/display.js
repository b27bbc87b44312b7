// The in-room screen: read-only, large type, high contrast.

import { currentItem } from './mirror.js';
import { t } from './i18n.js';
import {
  h, patch, userText, linkParams, tabCredential, mountHeader, startPage, showFatalPage, updateClocks, clockElement,
  nameOf, groupLabel, attendanceLabel, reasonLabel, floorClock,
} from './ui.js';
import { hasTally, tallyBars, turnout, kindBadge } from './views.js';

const link = linkParams();
const meetingId = link.meetingId;
const token = meetingId ? tabCredential('token', meetingId, link.token) : '';
mountHeader(document.querySelector('.d-head'));

const el = {
  title: document.getElementById('d-title'),
  item: document.getElementById('d-item'),
  body: document.getElementById('d-body'),
};
let client = null;

// ---- in-room check-in: the current code in large type and as a QR code ----------------------
// The QR code encodes the participant page with the code (participant.html?meeting=ID&checkin=
// CODE, no token: the phone uses the token it already holds), which fills in and sends the code.
// The encoder is the npm package qrcode-generator (client-sdk/web/package-lock.json), served by
// majlisd from node_modules; without it the display shows the code alone.
let qrEncoder = null;
const qrLoad = import('qrcode-generator')
  .then((m) => { qrEncoder = m.default; })
  .catch(() => { qrEncoder = null; });

function checkInUrl(code) {
  const url = new URL('participant.html', location.href);
  url.search = new URLSearchParams({ meeting: meetingId, checkin: code }).toString();
  return url.href;
}

const qrCache = { text: '', node: null };
function qrNode(text) {
  if (!qrEncoder) return null;
  if (qrCache.text !== text) {
    const qr = qrEncoder(0, 'M'); // type 0: the smallest version that holds the text
    qr.addData(text);
    qr.make();
    // Drawn as SVG through the DOM (no markup strings, no data: URL), so it scales to any screen
    // and needs nothing from the page's Content-Security-Policy.
    const n = qr.getModuleCount();
    const quiet = 2; // the light margin scanners need around the code, in modules
    const NS = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', `0 0 ${n + 2 * quiet} ${n + 2 * quiet}`);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', t('checkin.qrAlt'));
    svg.setAttribute('shape-rendering', 'crispEdges');
    let d = '';
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + quiet},${r + quiet}h1v1h-1z`;
    }
    const path = document.createElementNS(NS, 'path');
    path.setAttribute('d', d);
    path.setAttribute('fill', '#000');
    svg.append(path);
    const holder = h('div', { class: 'qr', id: 'd-checkin-qr', dataset: { text } });
    holder.append(svg);
    qrCache.text = text;
    qrCache.node = holder;
  }
  return qrCache.node;
}

function checkInBlock(state) {
  const c = state.checkIn;
  if (!c.open || !c.code) return null;
  return h('section', { class: 'd-checkin', id: 'd-checkin' },
    qrNode(checkInUrl(c.code)),
    h('div', {},
      h('div', { class: 'd-label' }, t('checkin.displayHeading')),
      h('div', { class: 'code', id: 'd-checkin-code', dir: 'ltr' }, c.code),
      h('div', { class: 'd-label' }, t('checkin.displayHint'))));
}
qrLoad.then(() => client?.state && render(client.state));

function participantMeta(state, pid) {
  const p = state.participants.find((x) => x.id === pid);
  return p ? `${groupLabel(p.stakeholderGroup)} · ${attendanceLabel(p.attendance)}` : '';
}

// The poll to show: an open live poll with a tally, else the latest one whose results are out.
function pollToShow(state) {
  const shown = state.polls.filter((p) => p.status !== 'POLL_STATUS_DRAFT' && hasTally(p));
  shown.sort((a, b) => (b.closedAtMs || b.openedAtMs) - (a.closedAtMs || a.openedAtMs));
  return shown[0] || null;
}

function render(state) {
  el.title.replaceChildren(userText(state.title));
  document.title = `${state.title} — Majlis`;
  const item = currentItem(state);
  el.item.replaceChildren(item ? userText(item.title) : t('item.none'));
  el.item.classList.toggle('muted', !item);

  const sp = item?.speakers;
  const speaker = sp?.hasFloor
    ? h('div', { class: 'd-speaker', id: 'd-speaker' },
      h('div', {},
        h('div', { class: 'd-label' }, t('floor.speaking'), ' ', sp.floor.kind !== 'REQUEST_KIND_SPEAK' ? kindBadge(sp.floor.kind) : null),
        userText(nameOf(state, sp.floor.participantId), 'div', 'name'),
        h('div', { class: 'meta' }, participantMeta(state, sp.floor.participantId))),
      h('div', { class: 'd-over', id: 'd-over', hidden: true }, t('floor.overtime')),
      clockElement())
    : h('div', { class: 'd-speaker none', id: 'd-speaker' }, h('div', { class: 'name' }, t('floor.none')));

  const next = (sp?.waiting || []).slice(0, 5);
  const poll = pollToShow(state);
  const nextBlock = next.length ? h('section', {},
    h('div', { class: 'd-label' }, t('disp.next')),
    h('ol', { class: 'd-next', id: 'd-next' }, next.map((e, i) => h('li', { dataset: { entry: e.id } },
      h('span', { class: 'num', dir: 'ltr' }, String(i + 1)),
      h('span', {},
        userText(nameOf(state, e.participantId), 'bdi', 'who'), ' ',
        e.kind !== 'REQUEST_KIND_SPEAK' ? kindBadge(e.kind) : null,
        h('div', { class: 'why' }, [participantMeta(state, e.participantId), reasonLabel(e.reason)].filter(Boolean).join(' — '))))))) : null;
  const results = poll ? h('section', { class: 'd-results', id: 'd-results' },
    h('div', { class: 'd-label' }, t('disp.results')),
    h('div', { class: 'q', dir: 'auto' }, poll.question),
    tallyBars(poll),
    h('div', { class: 'turnout' }, t('poll.turnout', turnout(state, poll)))) : null;

  patch(el.body, h('div', { class: 'stack', style: { gap: '3vh' } },
    checkInBlock(state),
    speaker,
    nextBlock || results ? h('div', { class: `d-grid${nextBlock && results ? '' : ' single'}` }, nextBlock, results) : null));
}

function tick(state) {
  const item = currentItem(state);
  const floor = item?.speakers.hasFloor ? item.speakers.floor : null;
  const now = client.now();
  updateClocks(document, floor, now);
  const over = document.getElementById('d-over');
  if (over) over.hidden = !(floor && floorClock(floor, now).overtime);
}

if (!meetingId || !token) showFatalPage(t('link.incomplete'));
else client = startPage({ meetingId, token, render, tick }).client;
