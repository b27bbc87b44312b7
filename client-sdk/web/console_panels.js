// The chair console's panels of issue 8, kept apart from console.js so they merge cleanly:
// the links panel (invite, display, observer with QR codes, plus the chair's own link), the
// meetings list of an admin-key link, named-poll ballots and who may vote, the roster's search,
// filter and counts, and the current agenda item's clock against its plan.

import { admissionOf } from '@majlis/client';
import { t, STRINGS, getLang, loadLang } from './i18n.js';
import { h, patch, userText, nameOf, groupLabel, toast, fmtClock } from './ui.js';
import { eligibleRoles, choicesText } from './views.js';
import { qrSvg, qrReady, qrAvailable } from './qr.js';

// The search matches role and group names in either language: both dictionaries.
await Promise.all(Object.keys(STRINGS).map(loadLang));

// ---- QR codes: qr.js ---------------------------------------------------------------------------

// ---- links panel ---------------------------------------------------------------------------------

const SHARED = ['participant', 'display', 'observer'];

async function copyText(text, input) {
  try { await navigator.clipboard.writeText(text); } catch { input.select(); document.execCommand?.('copy'); }
  toast(t('common.copied'), 'ok');
}

function linkInput(kind, value) {
  return h('input', { readonly: true, value, id: `link-${kind}`, dir: 'ltr', onfocus: (e) => e.target.select() });
}

// links: {participant, display, observer, moderator?}. Three cards with a QR code each (what a
// chair shows or re-shares in the room), then the chair's own link, without a QR code.
export function renderLinksPanel(container, links) {
  const cards = SHARED.map((kind) => {
    const input = linkInput(kind, links[kind] || '');
    const qr = links[kind] ? qrSvg(links[kind], t('links.qrAlt', { what: t(`links.${kind}`) })) : null;
    const holder = h('div', { class: 'link-qr', dataset: { link: kind } });
    if (qr) holder.append(qr);
    return h('div', { class: 'link-card', id: `link-card-${kind}` },
      h('div', { class: 'link-label' }, t(`links.${kind}`)),
      h('div', { class: 'small muted' }, t(`links.help.${kind}`)),
      holder,
      h('div', { class: 'link-copy' }, input,
        h('button', { class: 'small', type: 'button', id: `copy-${kind}`, onclick: () => copyText(links[kind], input) }, t('common.copy'))));
  });
  let chairRow = null;
  if (links.moderator) {
    const input = linkInput('moderator', links.moderator);
    chairRow = h('div', { class: 'linkrow chair-link' },
      h('span', {}, t('links.moderator')), input,
      h('button', { class: 'small', type: 'button', onclick: () => copyText(links.moderator, input) }, t('common.copy')));
  }
  patch(container, h('div', { class: 'link-cards' }, cards), chairRow);
  // The encoder loads once; draw the codes when it arrives.
  if (!qrAvailable()) qrReady.then(() => qrAvailable() && renderLinksPanel(container, links));
}

// ---- meetings of an admin key --------------------------------------------------------------------

function fmtDate(ms) {
  if (!ms) return '';
  const locale = getLang() === 'ar' ? 'ar-u-nu-latn' : 'en-GB';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(Number(ms)));
}

async function adminFetch(method, path, adminKey, body) {
  const res = await fetch(path, {
    method,
    headers: { Authorization: `Bearer ${adminKey}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(json?.error?.message || res.statusText);
  return json;
}

// GET /api/meetings with the admin key: the meetings on this server, newest first.
export function listMeetings(adminKey) {
  return adminFetch('GET', '/api/meetings', adminKey).then((r) => r.meetings || []);
}

// A chair token for an existing meeting: the chair who joined before (same participant id), or
// a new "Chair" when nobody has chaired it yet.
export async function chairTokenFor(adminKey, meeting) {
  const body = { role: 'moderator', name: meeting.chairName || 'Chair', attendance: 'in_room' };
  if (meeting.chairId) body.participantId = meeting.chairId;
  const r = await adminFetch('POST', `/api/meetings/${encodeURIComponent(meeting.meetingId)}/tokens`, adminKey, body);
  return r.token;
}

// The list with an "Open" button per meeting; onOpen(meeting) runs it.
export function renderMeetingList(container, meetings, onOpen) {
  patch(container,
    h('h2', {}, t('meetings.heading')),
    meetings.length
      ? h('ul', { class: 'list meeting-list', id: 'meeting-list' }, meetings.map((m) => h('li', { dataset: { meeting: m.meetingId } },
        h('div', { class: 'line' },
          h('span', { class: 'grow meeting-name' }, userText(m.title)),
          h('span', { class: `badge ${m.status === 'live' ? 'green' : ''}` }, t(`meetings.status.${m.status}`)),
          h('button', { class: 'primary open-meeting', type: 'button', onclick: () => onOpen(m) }, t('meetings.open'))),
        h('div', { class: 'small muted' }, h('bdi', {}, fmtDate(m.createdAtMs)), ' · ', h('bdi', { dir: 'ltr' }, m.meetingId)))))
      : h('p', { class: 'empty' }, t('meetings.none')));
}

// ---- header --------------------------------------------------------------------------------------

// "Name · Chair", or just "Chair" when the name is the default one (no "Chair · Chair").
export function whoAmI(you) {
  const role = t(`role.${you.role}`);
  const name = (you.displayName || '').trim();
  const defaults = [role, STRINGS.en[`role.${you.role}`], STRINGS.ar[`role.${you.role}`]]
    .filter(Boolean).map((s) => s.toLowerCase());
  if (!name || defaults.includes(name.toLowerCase())) return [role];
  return [userText(name), ' · ', role];
}

// ---- polls: who may vote, who voted what ---------------------------------------------------------

export function chairVotes(poll) {
  return eligibleRoles(poll).includes('ROLE_MODERATOR');
}

// The eligible roles the poll form sends: participants, and the chair only when asked.
export function eligibleRolesFor(chairVotesToo) {
  return chairVotesToo ? ['ROLE_PARTICIPANT', 'ROLE_MODERATOR'] : ['ROLE_PARTICIPANT'];
}

const closedBallots = new Set(); // poll ids whose ballot list the chair folded

// A named poll's ballots, by voter name (the moderator's state holds them from the first vote).
export function ballotList(state, poll) {
  if (poll.secrecy !== 'POLL_SECRECY_NAMED' || !poll.ballots.length) return null;
  const rows = [...poll.ballots]
    .map((b) => ({ id: b.voterId, name: nameOf(state, b.voterId), choices: choicesText(poll, b.choices) }))
    .sort((a, b) => a.name.localeCompare(b.name, getLang()));
  return h('details', {
    class: 'ballots', dataset: { poll: poll.id }, open: !closedBallots.has(poll.id),
    ontoggle: (e) => { if (e.target.open) closedBallots.delete(poll.id); else closedBallots.add(poll.id); },
  },
  h('summary', {}, t('poll.ballots', { n: rows.length })),
  h('ul', { class: 'ballot-list' }, rows.map((r) => h('li', { dataset: { voter: r.id } },
    userText(r.name, 'bdi', 'voter'), h('span', { class: 'ballot-choice', dir: 'auto' }, r.choices)))));
}

export function eligibleLine(poll) {
  return h('span', { class: 'eligible-who' }, chairVotes(poll) ? t('poll.eligible.withChair') : t('poll.eligible.participants'));
}

// ---- roster: search, filter, counts --------------------------------------------------------------

// Case, Arabic diacritics and letter variants folded, so "احمد" finds "أحمد" and "ACADEMIA"
// finds "Academia".
export function fold(text) {
  return String(text || '').toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f\u064b-\u065f\u0670\u0640]/g, '')
    .replace(/[أإآٱ]/g, 'ا').replace(/ة/g, 'ه').replace(/ى/g, 'ي').replace(/ؤ/g, 'و').replace(/ئ/g, 'ي');
}

function groupWords(group) {
  if (!group) return '';
  const norm = group.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return [group, STRINGS.en[`group.${norm}`], STRINGS.ar[`group.${norm}`]].filter(Boolean).join(' ');
}

export const ROSTER_FILTERS = ['all', 'online', 'in_room', 'remote', 'hand', 'unverified', 'removed'];

// Waiting requests of the current item by participant: {participantId: position (1-based)}.
export function raisedHands(item) {
  const out = new Map();
  if (!item) return out;
  item.speakers.waiting.forEach((e, i) => { if (!out.has(e.participantId)) out.set(e.participantId, i + 1); });
  return out;
}

export function rosterMatches(p, query, filter, hands) {
  const q = fold(query).trim();
  if (q) {
    const hay = fold(`${p.displayName} ${groupWords(p.stakeholderGroup)}`);
    if (!q.split(/\s+/).every((word) => hay.includes(word))) return false;
  }
  const removed = admissionOf(p) === 'ADMISSION_STATUS_REMOVED';
  switch (filter) {
    case 'online': return p.online;
    case 'in_room': return p.attendance === 'ATTENDANCE_IN_ROOM' && !removed;
    case 'remote': return p.attendance === 'ATTENDANCE_REMOTE' && !removed;
    case 'hand': return hands.has(p.id);
    case 'unverified': return p.role === 'ROLE_PARTICIPANT' && (!p.groupVerified || !p.attendanceVerified) && !removed;
    case 'removed': return removed;
    default: return true;
  }
}

// The counts line above the roster: online, in the room / remote, lobby, removed, raised hands.
export function rosterCounts(state, item) {
  const people = state.participants.filter((p) => p.role === 'ROLE_PARTICIPANT' || p.role === 'ROLE_MODERATOR');
  const active = people.filter((p) => admissionOf(p) === 'ADMISSION_STATUS_ADMITTED');
  const count = (pred) => active.filter(pred).length;
  const c = {
    online: count((p) => p.online),
    total: active.length,
    inRoom: count((p) => p.attendance === 'ATTENDANCE_IN_ROOM'),
    remote: count((p) => p.attendance === 'ATTENDANCE_REMOTE'),
    lobby: people.filter((p) => admissionOf(p) === 'ADMISSION_STATUS_LOBBY').length,
    removed: people.filter((p) => admissionOf(p) === 'ADMISSION_STATUS_REMOVED').length,
    hands: item ? item.speakers.waiting.length : 0,
  };
  const chip = (key, text, cls = '') => h('span', { class: `count-chip ${cls}`, dataset: { count: key } }, text);
  return {
    counts: c,
    node: h('div', { class: 'roster-counts', id: 'roster-counts' },
      chip('online', t('roster.c.online', { n: c.online, total: c.total })),
      chip('in_room', t('roster.c.inRoom', { n: c.inRoom })),
      chip('remote', t('roster.c.remote', { n: c.remote })),
      chip('lobby', t('roster.c.lobby', { n: c.lobby }), c.lobby ? 'amber' : ''),
      c.removed ? chip('removed', t('roster.c.removed', { n: c.removed })) : null,
      chip('hands', t('roster.c.hands', { n: c.hands }), c.hands ? 'blue' : '')),
  };
}

export function fillRosterFilter(select) {
  const value = select.value || 'all';
  select.replaceChildren(...ROSTER_FILTERS.map((f) => h('option', { value: f }, t(`roster.filter.${f}`))));
  select.value = value;
}

// ---- agenda item clock ---------------------------------------------------------------------------

// Elapsed time of an item (running while active) against its planned minutes.
export function itemClock(item, nowMs) {
  if (!item || !item.startedAtMs || Number(item.startedAtMs) <= 0) return null;
  const start = Number(item.startedAtMs);
  const end = item.status === 'AGENDA_ITEM_STATUS_ACTIVE' || !Number(item.endedAtMs) ? nowMs : Number(item.endedAtMs);
  const elapsed = Math.max(0, end - start);
  const planned = (item.plannedMinutes || 0) * 60000;
  return { elapsed, planned, over: planned > 0 && elapsed > planned };
}

function paintItemClock(el, badge, item, nowMs) {
  const c = itemClock(item, nowMs);
  el.textContent = !c ? '' : c.planned ? `${fmtClock(c.elapsed)} / ${fmtClock(c.planned)}` : fmtClock(c.elapsed);
  el.classList.toggle('over', !!c?.over);
  el.title = c?.over ? t('agenda.overPlan', { by: fmtClock(c.elapsed - c.planned) })
    : c?.planned ? t('agenda.elapsedOfPlan') : t('agenda.elapsed');
  if (badge) {
    badge.hidden = !c?.over;
    badge.textContent = c?.over ? t('agenda.overPlan', { by: fmtClock(c.elapsed - c.planned) }) : '';
  }
}

// The current item's clock (<span class="item-clock">) and its "over plan" badge, painted at
// once (no blank frame after a re-render); tickItemClocks() keeps them running.
export function itemClockNodes(item, nowMs) {
  const clock = h('span', { class: 'item-clock', dir: 'ltr', dataset: { itemClock: item.id } });
  const badge = h('div', { class: 'badge red over-plan' });
  paintItemClock(clock, badge, item, nowMs);
  return { clock, badge };
}

export function tickItemClocks(state, nowMs) {
  for (const el of document.querySelectorAll('[data-item-clock]')) {
    const item = state.agenda.find((i) => i.id === el.dataset.itemClock);
    paintItemClock(el, el.closest('li')?.querySelector('.over-plan'), item, nowMs);
  }
}

