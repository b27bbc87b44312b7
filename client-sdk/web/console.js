// The chair console: creates a meeting (#key=ADMINKEY) or runs one (?meeting=ID#token=TOKEN).

import { api, storeToken } from '@majlis/client';
import { currentItem, findItem } from '@majlis/client';
import { t, groupLabel, onLangChange } from './i18n.js';
import {
  h, patch, userText, run, linkParams, tabCredential, mountHeader, startPage, updateClocks, clockElement,
  nameOf, reasonLabel, attendanceLabel, toast, fmtClock, floorClock, apiErrorMessage,
} from './ui.js';
import { hasTally, tallyBars, turnout, pollMeta, personLine, kindBadge, figureBars, optionLabel, optionCount } from './views.js';
import {
  initAdmission, renderAdmission, tickAdmission, renderLobby, inRoster, rosterBadges, rosterControls,
} from './console_admission.js';
import {
  renderLinksPanel, listMeetings, chairTokenFor, renderMeetingList, whoAmI, ballotList, eligibleLine,
  eligibleRolesFor, raisedHands, rosterMatches, rosterCounts, fillRosterFilter, itemClockNodes, tickItemClocks,
} from './console_panels.js';
import { openMinutes } from './minutes.js';

const $ = (id) => document.getElementById(id);
const params = linkParams();
mountHeader(document.querySelector('.topbar'));

let client = null;
const ui = {
  editingItemId: '',   // agenda item whose title is being edited
  selectedItemId: '',  // agenda item whose outcomes are shown (default: current)
};

const minutesToMs = (v) => Math.round(Number(v || 0) * 60000);
const msToMinutes = (ms) => (ms ? String(Math.round((ms / 60000) * 10) / 10) : '');

// ---- creating a meeting ------------------------------------------------------------------------

function absoluteLink(link) {
  try { return new URL(link, location.href).href; } catch { return link; }
}

function linksFrom(res) {
  const base = location.href.replace(/[^/]*$/, '');
  const id = encodeURIComponent(res.meetingId);
  const l = res.links || {};
  const tok = res.tokens || {};
  return {
    moderator: absoluteLink(l.moderator || `${base}console.html?meeting=${id}#token=${encodeURIComponent(tok.moderator || '')}`),
    participant: absoluteLink(l.participant || `${base}join.html?meeting=${id}#invite=${encodeURIComponent(res.inviteCode || '')}`),
    display: absoluteLink(l.display || `${base}display.html?meeting=${id}#token=${encodeURIComponent(tok.display || '')}`),
    observer: absoluteLink(l.observer || `${base}display.html?meeting=${id}#token=${encodeURIComponent(tok.observer || '')}`),
  };
}

let shownLinks = null;
onLangChange(() => shownLinks && renderLinksPanel($('links'), shownLinks));

// The links panel: opened at once after creating a meeting, else from the header's button.
function setLinksOpen(open) {
  $('links-view').hidden = !open;
  $('links-toggle').setAttribute('aria-expanded', String(open));
}

function showLinks(links, { open = true, created = false } = {}) {
  if (!links) return;
  shownLinks = links;
  $('links-toggle').hidden = false;
  $('links-heading').textContent = t(created ? 'create.done' : 'links.heading');
  $('links-heading').dataset.i18n = created ? 'create.done' : 'links.heading';
  renderLinksPanel($('links'), links);
  if (open) setLinksOpen(true);
}

// Links not kept from the creation (a console opened from the chair's link): ask the server.
async function fetchLinks(meetingId, token) {
  try {
    const res = await api.links(meetingId, token);
    // /links carries display and observer tokens but no chair token: the console adds its own.
    const links = linksFrom({ ...res, meetingId, tokens: { ...res.tokens, moderator: token } });
    try { localStorage.setItem(linksKey(meetingId), JSON.stringify(links)); } catch { /* ignore */ }
    showLinks(links, { open: !$('links-view').hidden });
  } catch (e) {
    toast(t('error.generic', { message: e.message }));
  }
}

function linksKey(meetingId) { return `majlis.links.${meetingId}`; }
function loadLinks(meetingId) {
  try { return JSON.parse(localStorage.getItem(linksKey(meetingId)) || 'null'); } catch { return null; }
}

// An admin-key link: the meetings already on this server first (the demo meeting among them),
// each with "Open", so nobody makes a second meeting by mistake; "Create" stays beside it.
async function setupMeetingList(adminKey) {
  let meetings = [];
  try { meetings = await listMeetings(adminKey); } catch (e) { toast(t('error.generic', { message: e.message })); return; }
  const open = async (m) => {
    try {
      const token = await chairTokenFor(adminKey, m);
      storeToken(m.meetingId, token);
      tabCredential('token', m.meetingId, token);
      history.replaceState(null, '', `console.html?meeting=${encodeURIComponent(m.meetingId)}`);
      $('meetings-view').hidden = true;
      $('create-view').hidden = true;
      startConsole(m.meetingId, token);
    } catch (e) {
      toast(t('error.generic', { message: e.message }));
    }
  };
  const draw = () => !$('meetings-view').hidden && renderMeetingList($('meetings-view'), meetings, open);
  $('meetings-view').hidden = false;
  draw();
  onLangChange(draw);
}

function setupCreate(adminKey) {
  $('create-view').hidden = false;
  $('create-title').focus();
  $('create-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const title = $('create-title').value.trim();
    const languages = [...document.querySelectorAll('input[name="lang"]:checked')].map((x) => x.value);
    const stakeholderGroups = $('create-groups').value.split('\n').map((s) => s.trim()).filter(Boolean);
    $('create-submit').disabled = true;
    try {
      const res = await api.createMeeting(adminKey, { title, languages, stakeholderGroups });
      const links = linksFrom(res);
      try { localStorage.setItem(linksKey(res.meetingId), JSON.stringify(links)); } catch { /* ignore */ }
      const token = res.tokens?.moderator || new URLSearchParams(new URL(links.moderator).hash.slice(1)).get('token') || '';
      storeToken(res.meetingId, token);
      tabCredential('token', res.meetingId, token);
      // Continue as the chair; no credential in the address bar (a reload finds the token kept).
      history.replaceState(null, '', `console.html?meeting=${encodeURIComponent(res.meetingId)}`);
      $('create-view').hidden = true;
      $('meetings-view').hidden = true;
      showLinks(links, { created: true });
      startConsole(res.meetingId, token);
    } catch (e) {
      toast(apiErrorMessage(e));
      $('create-submit').disabled = false;
    }
  });
}

// ---- header -------------------------------------------------------------------------------------

function renderHeader(state) {
  $('meeting-title').replaceChildren(userText(state.title));
  $('meeting-title').removeAttribute('data-i18n');
  document.title = `${state.title} — ${t('console.title')}`;
  patch($('meeting-actions'),
    state.status === 'MEETING_STATUS_SCHEDULED'
      ? h('button', { class: 'primary small', id: 'start-meeting', onclick: () => run(client, { startMeeting: {} }) }, t('meeting.start')) : null,
    state.status === 'MEETING_STATUS_LIVE'
      ? h('button', { class: 'small danger', id: 'end-meeting', onclick: () => confirm(t('meeting.confirmEnd')) && run(client, { endMeeting: {} }) }, t('meeting.end')) : null);
  $('me').replaceChildren(...whoAmI(client.you));
}

// ---- agenda -------------------------------------------------------------------------------------

function agendaRow(state, item, index) {
  const status = item.status;
  const isCurrent = item.id === state.currentItemId;
  const cls = ['agenda-item', isCurrent ? 'current' : '', status === 'AGENDA_ITEM_STATUS_DONE' ? 'done' : '',
    status === 'AGENDA_ITEM_STATUS_SKIPPED' ? 'skipped' : ''].join(' ');
  const editing = ui.editingItemId === item.id;
  const cmd = (command) => () => run(client, command);
  const saveEdit = async () => {
    const input = document.querySelector(`[data-key="edit-${item.id}"]`);
    const title = input?.value.trim();
    if (title && title !== item.title) {
      const r = await run(client, { updateAgendaItem: { itemId: item.id, title } });
      if (!r.ok) return;
    }
    ui.editingItemId = '';
    render(client.state);
  };
  const titleNode = editing
    ? h('span', { class: 'row grow' },
      h('input', {
        class: 'grow', dir: 'auto', value: item.title, dataset: { key: `edit-${item.id}`, draft: '' },
        onkeydown: (e) => {
          if (e.key === 'Enter') saveEdit();
          if (e.key === 'Escape') { ui.editingItemId = ''; render(client.state); }
        },
      }),
      h('button', { class: 'small primary', onclick: saveEdit }, t('common.save')),
      h('button', { class: 'small', onclick: () => { ui.editingItemId = ''; render(client.state); } }, t('common.cancel')))
    : h('button', {
      class: `item-title title grow ${outcomesItem(state)?.id === item.id ? 'selected' : ''}`, type: 'button',
      title: t('agenda.showOutcomes'),
      onclick: () => { ui.selectedItemId = item.id; render(client.state); },
    }, userText(item.title));
  const clockNodes = isCurrent ? itemClockNodes(item, client.now()) : null;
  const pending = status === 'AGENDA_ITEM_STATUS_PENDING';
  const closedish = status === 'AGENDA_ITEM_STATUS_DONE' || status === 'AGENDA_ITEM_STATUS_SKIPPED';
  return h('li', { class: cls, dataset: { item: item.id } },
    h('div', { class: 'line' },
      h('span', { class: 'pos' }, `${index + 1}.`),
      titleNode,
      h('span', { class: `badge ${isCurrent ? 'green' : ''}` }, t(`itemStatus.${status}`)),
      clockNodes?.clock,
      item.plannedMinutes && !isCurrent ? h('span', { class: 'small muted' }, t('common.min', { n: item.plannedMinutes })) : null),
    clockNodes?.badge,
    item.presenter ? h('div', { class: 'small muted' }, userText(item.presenter)) : null,
    h('div', { class: 'actions' },
      h('button', { class: 'icon small', title: t('common.up'), 'aria-label': t('common.up'), disabled: index === 0,
        onclick: cmd({ moveAgendaItem: { itemId: item.id, position: index - 1 } }) }, '↑'),
      h('button', { class: 'icon small', title: t('common.down'), 'aria-label': t('common.down'), disabled: index === state.agenda.length - 1,
        onclick: cmd({ moveAgendaItem: { itemId: item.id, position: index + 1 } }) }, '↓'),
      pending ? h('button', { class: 'small primary', onclick: cmd({ startAgendaItem: { itemId: item.id } }) }, t('agenda.start')) : null,
      status === 'AGENDA_ITEM_STATUS_ACTIVE' ? h('button', { class: 'small', onclick: cmd({ closeAgendaItem: { itemId: item.id } }) }, t('agenda.close')) : null,
      pending || status === 'AGENDA_ITEM_STATUS_ACTIVE'
        ? h('button', { class: 'small', onclick: cmd({ closeAgendaItem: { itemId: item.id, skipped: true } }) }, t('agenda.skip')) : null,
      closedish ? h('button', { class: 'small', onclick: cmd({ reopenAgendaItem: { itemId: item.id } }) }, t('agenda.reopen')) : null,
      !editing ? h('button', { class: 'small', onclick: () => { ui.editingItemId = item.id; render(client.state); document.querySelector(`[data-key="edit-${item.id}"]`)?.focus(); } }, t('common.edit')) : null,
      pending ? h('button', { class: 'small danger', onclick: cmd({ removeAgendaItem: { itemId: item.id } }) }, t('common.remove')) : null));
}

function renderAgenda(state) {
  patch($('agenda'), state.agenda.length
    ? state.agenda.map((item, i) => agendaRow(state, item, i))
    : h('li', { class: 'empty' }, t('agenda.empty')));
}

function outcomesItem(state) {
  return findItem(state, ui.selectedItemId) || currentItem(state) || null;
}

function renderOutcomes(state) {
  const item = outcomesItem(state);
  $('decision-form').hidden = !item;
  $('action-form').hidden = !item;
  if (!item) {
    patch($('outcomes'), h('h2', {}, t('outcome.decisions')), h('p', { class: 'empty' }, t('item.none')));
    return;
  }
  patch($('outcomes'),
    h('h2', {}, userText(item.title)),
    h('h3', {}, t('outcome.decisions')),
    item.decisions.length
      ? h('ul', { class: 'list', id: 'decisions' }, item.decisions.map((d) => h('li', { dir: 'auto' }, d.text)))
      : h('p', { class: 'empty' }, '—'),
    h('h3', {}, t('outcome.actions')),
    item.actionItems.length
      ? h('ul', { class: 'list', id: 'actions' }, item.actionItems.map((a) => h('li', {},
        userText(a.text, 'div'),
        h('div', { class: 'small muted' }, [a.owner ? userText(a.owner) : null, a.dueDate ? h('bdi', { dir: 'ltr' }, a.dueDate) : null]
          .filter(Boolean).flatMap((x, i) => (i ? [' · ', x] : [x]))))))
      : h('p', { class: 'empty' }, '—'));
}

// ---- floor and queue ----------------------------------------------------------------------------

function turnLimitMs() {
  const v = $('turn-limit').value;
  return v === '' ? undefined : String(minutesToMs(v));
}

function renderFloor(state, item) {
  if (!item) {
    patch($('floor'), h('p', { class: 'empty' }, t('queue.noItem')));
    return;
  }
  const sp = item.speakers;
  if (!sp.hasFloor) {
    patch($('floor'), h('div', { class: 'floor', id: 'floor-card' }, h('span', { class: 'muted' }, t('floor.none'))));
    return;
  }
  const f = sp.floor;
  patch($('floor'), h('div', { class: 'floor active', id: 'floor-card' },
    h('div', { class: 'row' },
      h('span', { class: 'speaker grow' }, personLine(state, f.participantId)),
      kindBadge(f.kind),
      clockElement()),
    h('div', { class: 'row small muted' },
      f.timeLimitMs ? `${t('floor.limitMin')}: ${fmtClock(f.timeLimitMs)}` : t('floor.noLimit'),
      f.paused ? h('span', { class: 'badge amber' }, t('floor.paused')) : null,
      h('span', { class: 'badge red', id: 'overtime-badge', hidden: true }, t('floor.overtime'))),
    h('div', { class: 'actions' },
      f.paused
        ? h('button', { class: 'small', id: 'resume-floor', onclick: () => run(client, { resumeFloor: {} }) }, t('floor.resume'))
        : h('button', { class: 'small', id: 'pause-floor', onclick: () => run(client, { pauseFloor: {} }) }, t('floor.pause')),
      h('button', { class: 'small', dir: 'ltr', onclick: () => run(client, { setTurnTimeLimit: { timeLimitMs: String((f.timeLimitMs || 0) + 60000) } }) }, '+1:00'),
      h('button', { class: 'small primary', id: 'end-turn', onclick: () => run(client, { endTurn: {} }) }, t('floor.end')))));
}

function renderHands(item) {
  const n = item ? item.speakers.waiting.length : 0;
  $('hands-count').hidden = !n;
  $('hands-count').className = 'badge blue';
  $('hands-count').textContent = t('queue.hands', { n });
}

function renderQueue(state, item) {
  renderHands(item);
  $('next-speaker').disabled = !item || item.speakers.waiting.length === 0;
  $('behalf-form').querySelector('button').disabled = !item;
  $('walkin-queue').disabled = !item;
  if (!item) {
    patch($('list-toggle'));
    patch($('queue'));
    return;
  }
  const sp = item.speakers;
  patch($('list-toggle'),
    sp.closed ? h('span', { class: 'badge red' }, t('queue.closed')) : null, ' ',
    h('button', { class: 'small', id: 'toggle-list', onclick: () => run(client, { setListClosed: { closed: !sp.closed } }) },
      sp.closed ? t('queue.openList') : t('queue.closeList')));
  if (!sp.waiting.length) {
    patch($('queue'), h('li', { class: 'empty' }, t('queue.empty')));
    return;
  }
  const n = sp.waiting.length;
  patch($('queue'), sp.waiting.map((e, i) => h('li', { dataset: { entry: e.id, participant: e.participantId } },
    h('div', { class: 'line' },
      h('span', { class: 'pos' }, `${i + 1}.`),
      h('span', { class: 'grow' }, personLine(state, e.participantId)),
      kindBadge(e.kind)),
    h('div', { class: 'line' },
      h('span', { class: 'reason grow' }, reasonLabel(e.reason), e.addedByChair ? ` · ${t('addedByChair')}` : ''),
      h('span', { class: 'actions', style: { marginTop: 0 } },
        h('button', { class: 'icon small', 'aria-label': t('common.up'), title: t('common.up'), disabled: i === 0,
          onclick: () => run(client, { moveRequest: { entryId: e.id, position: i - 1 } }) }, '↑'),
        h('button', { class: 'icon small', 'aria-label': t('common.down'), title: t('common.down'), disabled: i === n - 1,
          onclick: () => run(client, { moveRequest: { entryId: e.id, position: i + 1 } }) }, '↓'),
        h('button', { class: 'small primary', onclick: () => run(client, { grantFloor: { participantId: e.participantId, timeLimitMs: turnLimitMs() } }) }, t('queue.grant')),
        h('button', { class: 'small danger', onclick: () => run(client, { withdrawRequest: { entryId: e.id } }) }, t('common.remove')))))));
}

function fillSelect(select, options) {
  // Leave an unchanged list alone, so an open drop-down is not closed by a live update.
  const signature = JSON.stringify(options);
  if (select.dataset.signature === signature) return;
  select.dataset.signature = signature;
  const previous = select.value;
  select.replaceChildren(...options.map(([value, label]) => h('option', { value }, label)));
  if (options.some(([v]) => v === previous)) select.value = previous;
}

function renderForms(state) {
  const people = state.participants.filter((p) => p.role === 'ROLE_PARTICIPANT' || p.role === 'ROLE_MODERATOR');
  fillSelect($('behalf-who'), [['', t('queue.choose')], ...people.map((p) => [p.id, p.displayName])]);
  fillSelect($('behalf-kind'), ['REQUEST_KIND_SPEAK', 'REQUEST_KIND_POINT_OF_ORDER', 'REQUEST_KIND_REPLY'].map((k) => [k, t(`kind.${k}`)]));
  fillSelect($('walkin-group'), state.stakeholderGroups.map((g) => [g, groupLabel(g)]));
  const policy = state.settings.queuePolicy;
  $('policy-first').checked = policy.firstTimeFirst;
  $('policy-alternate').checked = policy.alternateAttendance;
  $('policy-balance').checked = policy.stakeholderBalance;
  if (document.activeElement !== $('default-time')) $('default-time').value = msToMinutes(state.settings.defaultSpeakingTimeMs) || '0';
  if (document.activeElement !== $('turn-limit') && !$('turn-limit').dataset.touched) {
    $('turn-limit').placeholder = msToMinutes(state.settings.defaultSpeakingTimeMs) || '—';
  }
}

function renderEquity(state) {
  const fig = (f) => ({ value: f.speakingMs, text: `${fmtClock(f.speakingMs)} · ${f.turns === 1 ? t('equity.turn') : t('equity.turns', { n: f.turns })}` });
  const groups = new Map(state.equity.byGroup.map((f) => [f.key, f]));
  for (const g of state.stakeholderGroups) if (!groups.has(g)) groups.set(g, { key: g, speakingMs: 0, turns: 0 });
  const byAtt = new Map(state.equity.byAttendance.map((f) => [f.key, f]));
  for (const k of ['in_room', 'remote']) if (!byAtt.has(k)) byAtt.set(k, { key: k, speakingMs: 0, turns: 0 });
  // Sort: in_room, remote, then anything else ("unspecified").
  const attOrder = (k) => ['in_room', 'remote'].indexOf(k) >>> 0;
  patch($('equity'),
    h('h2', {}, t('equity.heading')),
    h('h3', {}, t('equity.byGroup')),
    figureBars([...groups.values()].map((f) => ({ label: groupLabel(f.key), ...fig(f) }))),
    h('h3', { style: { marginTop: '10px' } }, t('equity.byAttendance')),
    figureBars([...byAtt.values()].sort((a, b) => attOrder(a.key) - attOrder(b.key))
      .map((f) => ({ label: t(`att.${f.key}`), ...fig(f) }))));
}

// ---- roster -------------------------------------------------------------------------------------

function renderRoster(state) {
  const everyone = state.participants.filter(inRoster);
  const online = everyone.filter((p) => p.online).length;
  $('roster-count').textContent = t('roster.count', { online, total: everyone.length });
  const item = currentItem(state);
  const hands = raisedHands(item);
  patch($('roster-counts-slot'), rosterCounts(state, item).node);
  const people = everyone.filter((p) => rosterMatches(p, $('roster-search').value, $('roster-filter').value, hands));
  if (!people.length) {
    patch($('roster'), h('li', { class: 'empty', id: 'roster-none' }, t('roster.noMatch')));
    return;
  }
  patch($('roster'), people.map((p) => h('li', { dataset: { participant: p.id } },
    h('div', { class: 'line' },
      h('span', { class: `dot ${p.online ? 'on' : ''}`, title: p.online ? t('roster.online') : t('roster.offline') }),
      h('span', { class: 'grow' }, userText(p.displayName)),
      hands.has(p.id) ? h('span', { class: 'badge blue hand', title: t('roster.handTitle') }, t('roster.hand', { n: hands.get(p.id) })) : null,
      p.role !== 'ROLE_PARTICIPANT' ? h('span', { class: 'badge blue' }, t(`role.${p.role}`)) : null,
      p.walkIn ? h('span', { class: 'badge amber' }, t('walkIn')) : null,
      rosterBadges(p),
      p.connectionCount > 1 ? h('span', { class: 'small muted', dir: 'ltr' }, `×${p.connectionCount}`) : null,
      item && (p.role === 'ROLE_PARTICIPANT' || p.role === 'ROLE_MODERATOR')
        ? h('button', { class: 'small', title: `${t('queue.onBehalf')} ${p.displayName}`,
          onclick: () => run(client, { requestFloor: { kind: 'REQUEST_KIND_SPEAK', participantId: p.id } }) }, t('queue.request')) : null,
      item && (p.role === 'ROLE_PARTICIPANT' || p.role === 'ROLE_MODERATOR')
        ? h('button', { class: 'small', title: `${t('queue.grant')}: ${p.displayName}`,
          onclick: () => run(client, { grantFloor: { participantId: p.id, timeLimitMs: turnLimitMs() } }) }, t('queue.grant')) : null),
    h('div', { class: 'small muted' }, `${groupLabel(p.stakeholderGroup)} · ${attendanceLabel(p.attendance)}`),
    rosterControls(p))));
}

// ---- polls --------------------------------------------------------------------------------------

function pollRow(state, poll) {
  const cmd = (command) => () => run(client, command);
  const { voted, eligible } = turnout(state, poll);
  const s = poll.status;
  return h('div', { class: 'poll', dataset: { poll: poll.id } },
    h('div', { class: 'question', dir: 'auto' }, poll.question),
    pollMeta(poll),
    hasTally(poll)
      ? h('div', {}, s === 'POLL_STATUS_OPEN' ? h('div', { class: 'small muted' }, t('poll.liveTally')) : null, tallyBars(poll))
      : h('ul', { class: 'small' }, Array.from({ length: optionCount(poll) }, (_, i) => h('li', { dir: 'auto' }, optionLabel(poll, i)))),
    s !== 'POLL_STATUS_DRAFT' ? h('div', { class: 'small muted turnout' }, t('poll.turnout', { voted, eligible }), ' · ', eligibleLine(poll)) : null,
    s === 'POLL_STATUS_DRAFT' ? h('div', { class: 'small muted' }, eligibleLine(poll)) : null,
    ballotList(state, poll),
    h('div', { class: 'actions' },
      s === 'POLL_STATUS_DRAFT' ? h('button', { class: 'small primary', onclick: cmd({ openPoll: { pollId: poll.id } }) }, t('poll.open')) : null,
      s === 'POLL_STATUS_DRAFT' ? h('button', { class: 'small danger', onclick: cmd({ deletePoll: { pollId: poll.id } }) }, t('poll.delete')) : null,
      s === 'POLL_STATUS_OPEN' ? h('button', { class: 'small', onclick: cmd({ closePoll: { pollId: poll.id } }) }, t('poll.close')) : null,
      s === 'POLL_STATUS_CLOSED' ? h('button', { class: 'small primary', onclick: cmd({ publishPoll: { pollId: poll.id } }) }, t('poll.publish')) : null));
}

function renderPolls(state) {
  const polls = [...state.polls].reverse();
  patch($('polls'), polls.length ? polls.map((p) => pollRow(state, p)) : h('p', { class: 'empty' }, t('poll.none')));
}

function fillPollForm() {
  fillSelect($('poll-kind'), ['POLL_KIND_YES_NO_ABSTAIN', 'POLL_KIND_SINGLE', 'POLL_KIND_MULTIPLE'].map((k) => [k, t(`poll.kind.${k}`)]));
  fillSelect($('poll-secrecy'), ['POLL_SECRECY_NAMED', 'POLL_SECRECY_SECRET'].map((k) => [k, t(`poll.secrecy.${k}`)]));
  fillSelect($('poll-visibility'), ['RESULTS_VISIBILITY_LIVE', 'RESULTS_VISIBILITY_AFTER_CLOSE', 'RESULTS_VISIBILITY_ON_PUBLISH']
    .map((k) => [k, t(`poll.vis.${k}`)]));
  syncPollForm();
}

function syncPollForm() {
  const kind = $('poll-kind').value;
  $('poll-options-label').hidden = kind === 'POLL_KIND_YES_NO_ABSTAIN';
  $('poll-minmax').hidden = kind !== 'POLL_KIND_MULTIPLE';
  // Live results are for named polls only.
  const secret = $('poll-secrecy').value === 'POLL_SECRECY_SECRET';
  const live = $('poll-visibility').querySelector('option[value="RESULTS_VISIBILITY_LIVE"]');
  if (live) live.disabled = secret;
  if (secret && $('poll-visibility').value === 'RESULTS_VISIBILITY_LIVE') $('poll-visibility').value = 'RESULTS_VISIBILITY_AFTER_CLOSE';
}

// ---- contributions ------------------------------------------------------------------------------

function renderContributions(state) {
  const list = [...state.contributions].sort((a, b) => a.hidden - b.hidden || b.upvotes - a.upvotes || a.createdAtMs - b.createdAtMs);
  if (!list.length) {
    patch($('contributions'), h('li', { class: 'empty' }, t('contrib.empty')));
    return;
  }
  patch($('contributions'), list.map((c) => h('li', { dataset: { contribution: c.id }, style: c.hidden ? { opacity: 0.55 } : null },
    h('div', { dir: 'auto' }, c.text),
    h('div', { class: 'line small muted' },
      userText(nameOf(state, c.authorId)),
      findItem(state, c.itemId) ? h('span', {}, ' · ', userText(findItem(state, c.itemId).title)) : null,
      h('span', { class: 'badge', dir: 'ltr' }, `▲ ${c.upvotes}`),
      c.answered ? h('span', { class: 'badge green' }, t('contrib.answered')) : null,
      c.hidden ? h('span', { class: 'badge red' }, t('contrib.hidden')) : null),
    h('div', { class: 'actions' },
      h('button', { class: 'small', onclick: () => run(client, { markContribution: { contributionId: c.id, answered: !c.answered, hidden: c.hidden } }) },
        c.answered ? t('contrib.unmarkAnswered') : t('contrib.markAnswered')),
      h('button', { class: 'small', onclick: () => run(client, { markContribution: { contributionId: c.id, answered: c.answered, hidden: !c.hidden } }) },
        c.hidden ? t('contrib.show') : t('contrib.hide')),
      displayButton(state, c)))));
}

// "Show on display" / "Take off display": one written contribution at a time on the room screen
// (ShowContribution; an empty id takes it off). A hidden one cannot be shown.
function displayButton(state, c) {
  const onScreen = state.onScreenContributionId === c.id;
  if (c.hidden && !onScreen) return null;
  return h('button', {
    class: `small${onScreen ? ' primary' : ''}`,
    dataset: { display: onScreen ? 'off' : 'on' },
    onclick: () => run(client, { showContribution: { contributionId: onScreen ? '' : c.id } }),
  }, onScreen ? t('contrib.offDisplay') : t('contrib.onDisplay'));
}

// ---- render and tick ----------------------------------------------------------------------------

function render(state) {
  const item = currentItem(state);
  renderHeader(state);
  renderAgenda(state);
  renderOutcomes(state);
  renderFloor(state, item);
  renderQueue(state, item);
  renderForms(state);
  renderEquity(state);
  renderAdmission(state);
  renderLobby(state);
  renderRoster(state);
  renderPolls(state);
  renderContributions(state);
}

function tick(state) {
  const item = currentItem(state);
  const floor = item?.speakers.hasFloor ? item.speakers.floor : null;
  const now = client.now();
  updateClocks(document, floor, now);
  const badge = $('overtime-badge');
  if (badge) badge.hidden = !(floor && floorClock(floor, now).overtime);
  tickAdmission(state);
  tickItemClocks(state, now);
}

// The due date as typed (YYYY-MM-DD, Arabic-Indic digits accepted): the domain takes ISO dates,
// and a text field shows the same format in every UI language (a date input follows the
// browser's locale: mm/dd/yyyy inside the Arabic page).
function dueDateValue() {
  const raw = $('action-due').value.trim()
    .replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[/.]/g, '-');
  if (!raw) return '';
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(raw);
  if (!m) return null;
  const iso = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso ? null : iso;
}

function wireRoster() {
  fillRosterFilter($('roster-filter'));
  onLangChange(() => fillRosterFilter($('roster-filter')));
  const again = () => client?.state && renderRoster(client.state);
  $('roster-search').addEventListener('input', again);
  $('roster-filter').addEventListener('change', again);
}

function wireForms() {
  $('agenda-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const title = $('agenda-title').value.trim();
    if (!title) return;
    const r = await run(client, { addAgendaItem: {
      title, plannedMinutes: Number($('agenda-minutes').value || 0),
      presenter: $('agenda-presenter').value.trim(), position: -1,
    } });
    if (r.ok) {
      $('agenda-title').value = '';
      $('agenda-minutes').value = '';
      $('agenda-presenter').value = '';
      $('agenda-title').focus();
    }
  });
  $('decision-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const item = outcomesItem(client.state);
    const text = $('decision-text').value.trim();
    if (!item || !text) return;
    const r = await run(client, { recordDecision: { itemId: item.id, text } });
    if (r.ok) $('decision-text').value = '';
  });
  $('action-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const item = outcomesItem(client.state);
    const text = $('action-text').value.trim();
    if (!item || !text) return;
    const dueDate = dueDateValue();
    if (dueDate === null) {
      toast(t('outcome.dueInvalid'));
      $('action-due').focus();
      return;
    }
    const r = await run(client, { recordActionItem: {
      itemId: item.id, text, owner: $('action-owner').value.trim(), dueDate,
    } });
    if (r.ok) { $('action-text').value = ''; $('action-owner').value = ''; $('action-due').value = ''; }
  });
  $('next-speaker').addEventListener('click', () => run(client, { nextSpeaker: { timeLimitMs: turnLimitMs() } }));
  $('turn-limit').addEventListener('input', () => { $('turn-limit').dataset.touched = '1'; });
  $('behalf-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const participantId = $('behalf-who').value;
    if (!participantId) return;
    run(client, { requestFloor: { kind: $('behalf-kind').value, participantId } });
  });
  $('walkin-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const andQueue = ev.submitter?.value === 'queue';
    const displayName = $('walkin-name').value.trim();
    if (!displayName) return;
    const r = await run(client, { addWalkIn: { displayName, stakeholderGroup: $('walkin-group').value } });
    if (!r.ok) return;
    $('walkin-name').value = '';
    if (!andQueue) return;
    await client.waitForSeq(r.seq);
    const added = [...client.state.participants].reverse().find((p) => p.walkIn && p.displayName === displayName);
    if (added) run(client, { requestFloor: { kind: 'REQUEST_KIND_SPEAK', participantId: added.id } });
  });
  const sendPolicy = () => run(client, { setQueuePolicy: { policy: {
    firstTimeFirst: $('policy-first').checked,
    alternateAttendance: $('policy-alternate').checked,
    stakeholderBalance: $('policy-balance').checked,
  } } });
  for (const id of ['policy-first', 'policy-alternate', 'policy-balance']) $(id).addEventListener('change', sendPolicy);
  $('default-time-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const r = await run(client, { setDefaultSpeakingTime: { timeLimitMs: String(minutesToMs($('default-time').value)) } });
    if (r.ok) { $('default-time').blur(); toast(t('common.save'), 'ok'); }
  });
  for (const id of ['poll-kind', 'poll-secrecy', 'poll-visibility']) $(id).addEventListener('change', syncPollForm);
  $('poll-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const kind = $('poll-kind').value;
    const command = {
      question: $('poll-question').value.trim(), kind,
      secrecy: $('poll-secrecy').value, visibility: $('poll-visibility').value,
      eligibleRoles: eligibleRolesFor($('poll-chair-votes').checked),
    };
    if (kind !== 'POLL_KIND_YES_NO_ABSTAIN') command.options = $('poll-options').value.split('\n').map((s) => s.trim()).filter(Boolean);
    if (kind === 'POLL_KIND_MULTIPLE') {
      command.minChoices = Number($('poll-min').value || 1);
      command.maxChoices = Number($('poll-max').value || command.options.length);
    }
    const r = await run(client, { createPoll: command });
    if (r.ok) { $('poll-question').value = ''; $('poll-options').value = ''; }
  });
  $('links-hide').addEventListener('click', () => setLinksOpen(false));
  $('links-toggle').addEventListener('click', () => setLinksOpen($('links-view').hidden));
  wireRoster();
  onLangChange(fillPollForm);
  fillPollForm();
}

// The "Minutes" button in the header: the minutes over the console, printable (minutes.js).
function mountMinutesButton() {
  const button = h('button', { class: 'small', type: 'button', id: 'open-minutes', dataset: { i18n: 'minutes.open' },
    onclick: () => client?.state && openMinutes(client) }, t('minutes.open'));
  document.querySelector('.topbar .header-tools').prepend(button);
}

function startConsole(meetingId, token) {
  $('console-view').hidden = false;
  wireForms();
  if (!shownLinks) fetchLinks(meetingId, token);
  client = startPage({ meetingId, token, render, tick, statusBadge: $('meeting-status') }).client;
  mountMinutesButton();
  initAdmission({
    client, meetingId, token,
    // After a rotation: the links with the new invite code (GET /api/meetings/ID/links).
    showLinks: (res) => {
      // /links carries no chair link: the console keeps its own.
      const links = linksFrom({ meetingId, tokens: { moderator: token }, ...res });
      const before = shownLinks || loadLinks(meetingId);
      if (!res.links?.moderator && before?.moderator) links.moderator = before.moderator;
      try { localStorage.setItem(linksKey(meetingId), JSON.stringify(links)); } catch { /* ignore */ }
      showLinks(links, { open: true });
    },
  });
}

const chairToken = params.meetingId ? tabCredential('token', params.meetingId, params.token) : '';
if (params.meetingId && chairToken) {
  showLinks(loadLinks(params.meetingId), { open: false });
  startConsole(params.meetingId, chairToken);
} else if (params.key) {
  history.replaceState(null, '', 'console.html');
  setupMeetingList(params.key);
  setupCreate(params.key);
} else {
  $('no-key').hidden = false;
}
