// The participant page, phone first: a sticky strip with what needs you (the floor, an open vote,
// your place in the queue, no connection, the meeting's end), the whole queue and agenda, voting,
// writing; raise hand / point of order / reply in an action bar that stays on screen.

import { loadToken, storeToken, forgetToken } from '@majlis/client';
import { currentItem, findItem, findParticipant, hasPendingRequest } from '@majlis/client';
import { t } from './i18n.js';
import {
  h, patch, userText, run, isUncertain, errorMessage, linkParams, mountHeader, startPage, showFatalPage,
  updateClocks, clockElement, reasonLabel, groupLabel, attendanceLabel, toast, nameOf,
} from './ui.js';
import {
  optionLabel, optionCount, isEligible, turnout, hasTally, tallyBars, choicesText, pollMeta,
  personLine, kindBadge,
} from './views.js';

const params = linkParams();
const meetingId = params.meetingId;
const token = params.token || loadToken(meetingId);
if (params.token && meetingId) storeToken(meetingId, params.token);

mountHeader(document.querySelector('.topbar'));

const drafts = new Map();   // pollId -> Set of chosen option indices (before sending)
// The choices this browser sent and the server accepted. The server never tells anyone the
// choices of a secret ballot, the voter included, so this tab remembers its own (session only).
const sentBallots = {
  key: (pollId) => `majlis.ballot.${meetingId}.${pollId}`,
  get(pollId) {
    try { return JSON.parse(sessionStorage.getItem(this.key(pollId)) || 'null'); } catch { return null; }
  },
  set(pollId, choices) {
    try { sessionStorage.setItem(this.key(pollId), JSON.stringify(choices)); } catch { /* ignore */ }
  },
};

const el = {
  title: document.getElementById('meeting-title'),
  status: document.getElementById('meeting-status'),
  sticky: document.getElementById('p-sticky'),
  strip: document.getElementById('status-strip'),
  me: document.getElementById('me'),
  now: document.getElementById('now'),
  speak: document.getElementById('speak'),
  actions: document.getElementById('action-bar'),
  polls: document.getElementById('polls'),
  contribForm: document.getElementById('contrib-form'),
  contribText: document.getElementById('contrib-text'),
  contribList: document.getElementById('contrib-list'),
  agenda: document.getElementById('agenda'),
  checkIn: document.getElementById('checkin'),
  details: document.getElementById('my-details'),
};

// Check-in: the code typed or scanned (the room display's QR code opens this page with
// ?checkin=CODE, which fills the box and is sent once), and the last refusal, translated.
const checkInUi = {
  fromLink: new URLSearchParams(location.search).get('checkin') || '',
  error: null,
  sending: false,
};
if (checkInUi.fromLink) {
  // A code is valid for seconds: keep it out of the address bar so a reload does not resend it.
  const url = new URL(location.href);
  url.searchParams.delete('checkin');
  history.replaceState(null, '', url);
}

let client = null;
let rerender = () => {};

function myId() {
  return client?.you?.participantId || '';
}

function canAct() {
  const role = client?.you?.role;
  return role === 'ROLE_PARTICIPANT' || role === 'ROLE_MODERATOR';
}

// ---- connection and the outbox ----------------------------------------------------------------

// Live: welcomed and the browser has a network. The browser's 'offline' is seen at once, before
// any ping goes unanswered.
function isLive() {
  return client?.status === 'open' && globalThis.navigator?.onLine !== false;
}

// A client that keeps commands sent while offline (client.queued and a 'queue' event) lets
// the page accept them; an older client would refuse them, so the controls wait instead.
function clientQueues() {
  return !!client && 'queued' in client;
}

function canSendNow() {
  return isLive() || clientQueues();
}

function clientQueuedCount() {
  const q = client?.queued;
  if (typeof q === 'number') return q;
  if (Array.isArray(q)) return q.length;
  if (q && typeof q.size === 'number') return q.size;
  if (q && typeof q.length === 'number') return q.length;
  return 0;
}

// What this page sent and has no answer for yet: shown as "sending…" while live, as queued
// ("will be sent when you are back online") otherwise, so nobody sends it twice.
const outbox = new Map(); // id -> {type: 'request'|'contribution'|'vote', kind, text, pollId}
let outboxSeq = 0;

async function send(command, entry) {
  const id = ++outboxSeq;
  outbox.set(id, entry);
  rerender();
  const result = await run(client, command);
  outbox.delete(id);
  rerender();
  return result;
}

function outboxOf(type) {
  return [...outbox.values()].filter((x) => x.type === type);
}

function outboxBadge() {
  return isLive()
    ? h('span', { class: 'badge blue outbox-badge' }, t('outbox.sending'))
    : h('span', { class: 'badge amber outbox-badge queued' }, t('outbox.queued'));
}

function meetingEnded(state) {
  return state.status === 'MEETING_STATUS_ENDED';
}

// ---- the status strip -------------------------------------------------------------------------

function scrollToPoll(pollId) {
  const card = el.polls.querySelector(`[data-poll="${CSS.escape(pollId)}"]`);
  if (!card) return;
  // The strip covers the top of the viewport: leave room for it.
  const top = card.getBoundingClientRect().top + window.scrollY - el.sticky.offsetHeight - 8;
  window.scrollTo({ top: Math.max(0, top), behavior: 'smooth' });
  card.querySelector('input:not([disabled])')?.focus({ preventScroll: true });
}

function scrollToSpeakers() {
  const top = el.speak.getBoundingClientRect().top + window.scrollY - el.sticky.offsetHeight - 8;
  window.scrollTo({ top: Math.max(0, top), behavior: 'smooth' });
}

function openPollsForMe(state) {
  if (!canAct()) return [];
  return state.polls.filter((p) => p.status === 'POLL_STATUS_OPEN' && isEligible(p, client.you.role));
}

let hadFloor = false;

function renderStrip(state) {
  const me = myId();
  const item = currentItem(state);
  const sp = item?.speakers;
  const ended = meetingEnded(state);
  const iHaveFloor = !!sp?.hasFloor && sp.floor.participantId === me;
  const parts = [];

  if (!isLive() && client.status !== 'lobby') {
    // One line: no connection, and what waits to be sent (else what happens to what you send).
    const waitingToSend = Math.max(outbox.size, clientQueuedCount());
    parts.push(h('div', { class: 'strip-item strip-offline', id: 'strip-offline' },
      waitingToSend
        ? h('span', { id: 'strip-queued' }, t('strip.queued', { n: waitingToSend }))
        : (clientQueues() ? t('strip.offlineQueue') : t('strip.offlineWait'))));
  }
  if (ended) {
    parts.push(h('div', { class: 'strip-item strip-ended', id: 'strip-ended' }, t('strip.ended')));
  }
  if (iHaveFloor && !ended) {
    parts.push(h('div', { class: 'strip-item strip-floor', id: 'you-have-floor' },
      h('span', { class: 'grow' }, '● ', t('strip.floor')), clockElement(),
      h('button', { id: 'end-turn', class: 'on-dark', onclick: () => send({ endTurn: {} }, { type: 'endTurn' }) }, t('part.endMyTurn'))));
  }
  if (!ended) {
    for (const poll of openPollsForMe(state).slice(0, 2)) {
      const voted = poll.voterIds.includes(me) || outboxOf('vote').some((v) => v.pollId === poll.id);
      parts.push(h('button', {
        class: `strip-item strip-vote${voted ? ' voted' : ''}`, dataset: { poll: poll.id },
        'aria-label': `${t('strip.toBallot')}: ${poll.question}`, onclick: () => scrollToPoll(poll.id),
      }, h('span', { class: 'strip-vote-label' }, voted ? t('strip.voteOpenVoted') : t('strip.voteOpen')),
      h('bdi', { dir: 'auto', class: 'strip-question' }, poll.question)));
    }
  }
  if (sp && !ended && canAct()) {
    const pos = sp.waiting.findIndex((e) => e.participantId === me);
    if (pos >= 0) {
      const ahead = sp.waiting.slice(0, pos).map((e) => nameOf(state, e.participantId));
      const shown = ahead.slice(0, 4);
      parts.push(h('button', { class: 'strip-item strip-queue', id: 'strip-position', onclick: scrollToSpeakers },
        h('span', { class: 'strip-pos' }, pos === 0 && !sp.hasFloor ? t('strip.next') : t('strip.position', { n: pos + 1 })),
        ahead.length ? h('span', { class: 'strip-ahead' }, t('strip.ahead'), ' ',
          shown.map((name, i) => [i ? '، ' : '', h('bdi', { dir: 'auto' }, name)]),
          ahead.length > shown.length ? ` +${ahead.length - shown.length}` : '') : null));
    }
  }
  el.strip.hidden = parts.length === 0;
  patch(el.strip, parts);

  // Being given the floor while looking elsewhere: the tab title says so, and the phone buzzes.
  if (iHaveFloor && !ended && !hadFloor) {
    try { globalThis.navigator?.vibrate?.([200, 100, 200]); } catch { /* not allowed here */ }
  }
  hadFloor = iHaveFloor && !ended;
  const votePending = !ended && openPollsForMe(state).some((p) => !p.voterIds.includes(me));
  if (hadFloor) document.title = t('title.floor', { title: state.title });
  else if (votePending) document.title = t('title.vote', { title: state.title });
  else document.title = `${state.title} — Majlis`;
}

// ---- the current item, the queue and the action bar ------------------------------------------

function renderNow(state) {
  const item = currentItem(state);
  if (!item) {
    patch(el.now, h('h2', {}, t('item.current')), h('p', { class: 'empty' }, t('item.none')));
    return;
  }
  const sp = item.speakers;
  patch(el.now,
    h('h3', {}, t('item.current')),
    h('h2', { id: 'current-item' }, userText(item.title)),
    item.description ? h('p', { dir: 'auto', class: 'muted' }, item.description) : null,
    sp.hasFloor
      ? h('div', { class: 'floor active', id: 'floor' },
        h('div', { class: 'muted' }, t('floor.speaking'), ' ', kindBadge(sp.floor.kind),
          sp.floor.paused ? h('span', { class: 'badge amber' }, t('floor.paused')) : null),
        h('div', { class: 'row' },
          h('span', { class: 'speaker grow' }, personLine(state, sp.floor.participantId, { you: myId() })),
          clockElement()))
      : h('div', { class: 'floor', id: 'floor' }, h('span', { class: 'muted' }, t('floor.none'))));
}

function request(kind) {
  return send({ requestFloor: { kind } }, { type: 'request', kind });
}

function renderSpeak(state) {
  const item = currentItem(state);
  if (!item) {
    patch(el.speak, h('h2', {}, t('queue.heading')), h('p', { class: 'empty' }, t('item.none')));
    return;
  }
  const me = myId();
  const sp = item.speakers;
  const ended = meetingEnded(state);
  const blocked = !canSendNow();
  const queuedRequests = outboxOf('request');
  patch(el.speak,
    h('h2', {}, t('queue.heading'), sp.closed ? h('span', { class: 'badge red' }, t('queue.closed')) : null),
    !canAct() ? h('p', { class: 'muted' }, t('part.readOnly')) : null,
    h('h3', { id: 'queue-count' }, t('queue.waiting', { n: sp.waiting.length })),
    sp.waiting.length || queuedRequests.length
      ? h('ol', { class: 'list queue-list', id: 'queue-list' },
        sp.waiting.map((e, i) => {
          const mine = e.participantId === me;
          return h('li', { class: mine ? 'mine' : null, dataset: { entry: e.id } },
            h('div', { class: 'line' },
              h('span', { class: 'pos' }, String(i + 1)),
              h('bdi', { dir: 'auto', class: 'who' }, nameOf(state, e.participantId)),
              mine ? h('span', { class: 'badge green' }, t('queue.you')) : null,
              kindBadge(e.kind)),
            mine ? h('div', { class: 'big', id: e.kind === 'REQUEST_KIND_SPEAK' ? 'my-position' : null },
              t('part.position', { n: i + 1 })) : null,
            e.reason ? h('div', { class: 'reason' }, t('part.why', { reason: reasonLabel(e.reason) })) : null,
            mine && !ended ? h('button', {
              class: 'withdraw', disabled: blocked,
              onclick: () => send({ withdrawRequest: { entryId: e.id } }, { type: 'withdraw' }),
            }, t('part.withdraw')) : null);
        }),
        queuedRequests.map((r) => h('li', { class: 'mine outbox-entry' },
          h('div', { class: 'line' }, h('span', {}, t(`outbox.${r.kind}`)), outboxBadge()))))
      : h('p', { class: 'empty' }, t('queue.empty')),
    ended ? h('p', { class: 'ended-line', id: 'ended-note' }, t('part.ended')) : null);
}

function renderActions(state) {
  const item = currentItem(state);
  const ended = meetingEnded(state);
  if (!canAct() || !item || ended) {
    el.actions.hidden = true;
    patch(el.actions);
    return;
  }
  const me = myId();
  const sp = item.speakers;
  const waitingKinds = new Set(sp.waiting.filter((e) => e.participantId === me).map((e) => e.kind));
  for (const r of outboxOf('request')) waitingKinds.add(r.kind);
  const iHaveFloor = sp.hasFloor && sp.floor.participantId === me;
  const someoneElseSpeaks = sp.hasFloor && !iHaveFloor;
  const blocked = !canSendNow();
  const later = !isLive() && clientQueues();
  el.actions.hidden = false;
  patch(el.actions,
    later ? h('div', { class: 'sends-later', id: 'sends-later' }, t('part.sendsLater')) : null,
    h('button', {
      class: 'primary raise', id: 'raise-hand',
      disabled: blocked || sp.closed || waitingKinds.has('REQUEST_KIND_SPEAK') || iHaveFloor,
      onclick: () => request('REQUEST_KIND_SPEAK'),
    }, t('part.raiseHand')),
    h('button', {
      id: 'point-of-order', class: 'danger',
      disabled: blocked || sp.closed || waitingKinds.has('REQUEST_KIND_POINT_OF_ORDER'),
      onclick: () => request('REQUEST_KIND_POINT_OF_ORDER'),
    }, t('part.pointOfOrder')),
    h('button', {
      id: 'reply',
      disabled: blocked || sp.closed || !someoneElseSpeaks || waitingKinds.has('REQUEST_KIND_REPLY'),
      onclick: () => request('REQUEST_KIND_REPLY'),
    }, t('part.reply')));
}

// ---- polls ------------------------------------------------------------------------------------

function pollVisible(poll) {
  if (poll.status === 'POLL_STATUS_OPEN') return true;
  if (poll.status === 'POLL_STATUS_DRAFT') return false;
  return hasTally(poll) || poll.voterIds.includes(myId());
}

async function vote(poll) {
  const chosen = [...(drafts.get(poll.id) || [])].sort((a, b) => a - b);
  const result = await send({ castBallot: { pollId: poll.id, choices: chosen } }, { type: 'vote', pollId: poll.id, choices: chosen });
  if (result.ok) {
    sentBallots.set(poll.id, chosen);
    drafts.delete(poll.id);
    toast(t('poll.voted'), 'ok');
    rerender();
  }
}

function pollCard(state, poll) {
  const me = myId();
  const role = client.you.role;
  const queuedVote = outboxOf('vote').find((v) => v.pollId === poll.id);
  const voted = poll.voterIds.includes(me);
  const mine = poll.myChoices.length ? poll.myChoices : sentBallots.get(poll.id) || [];
  const secret = poll.secrecy === 'POLL_SECRECY_SECRET';
  const open = poll.status === 'POLL_STATUS_OPEN';
  const eligible = isEligible(poll, role);
  const canVote = open && eligible && canAct() && !(secret && voted) && !queuedVote;
  const multiple = poll.kind === 'POLL_KIND_MULTIPLE';
  if (!drafts.has(poll.id)) drafts.set(poll.id, new Set(mine));
  const draft = drafts.get(poll.id);
  const minC = poll.minChoices || 1;
  const maxC = poll.maxChoices || optionCount(poll);
  const { voted: nVoted, eligible: nEligible } = turnout(state, poll);

  const options = Array.from({ length: optionCount(poll) }, (_, i) => {
    const input = h('input', {
      type: multiple ? 'checkbox' : 'radio', name: `poll-${poll.id}`, value: i,
      checked: draft.has(i), disabled: !canVote,
      onchange: (ev) => {
        if (!multiple) draft.clear();
        if (ev.target.checked) draft.add(i); else draft.delete(i);
        rerender();
      },
    });
    return h('label', { class: 'choice' }, input, userText(optionLabel(poll, i), 'span'));
  });
  const count = draft.size;
  const valid = multiple ? count >= minC && count <= maxC : count === 1;
  return h('div', { class: `poll${open ? ' open' : ''}`, id: `poll-${poll.id}`, dataset: { poll: poll.id } },
    h('div', { class: 'question', dir: 'auto' }, poll.question),
    pollMeta(poll),
    open && eligible ? h('div', { class: 'muted' }, secret ? t('poll.secretFinal') : t('poll.namedMayChange')) : null,
    multiple && canVote ? h('div', { class: 'muted' }, t('poll.choose', { min: minC, max: maxC })) : null,
    canVote || (open && eligible) ? h('div', { class: 'choices' }, options) : null,
    canVote ? h('button', { class: 'primary vote', disabled: !valid || !canSendNow(), onclick: () => vote(poll) },
      voted ? t('poll.changeVote') : t('poll.vote')) : null,
    queuedVote ? h('p', { class: 'line', id: `queued-vote-${poll.id}` },
      t('poll.yourVote', { choices: choicesText(poll, queuedVote.choices) }), ' ', outboxBadge()) : null,
    voted && !queuedVote ? h('p', { id: `my-vote-${poll.id}` },
      mine.length ? t('poll.yourVote', { choices: choicesText(poll, mine) }) : t('poll.voted')) : null,
    hasTally(poll) ? tallyBars(poll) : (poll.status !== 'POLL_STATUS_OPEN' ? h('p', { class: 'muted' }, t('poll.noResults')) : null),
    h('div', { class: 'muted turnout', dir: 'auto' }, t('poll.turnout', { voted: nVoted, eligible: nEligible })));
}

function renderPolls(state) {
  const visible = state.polls.filter((p) => pollVisible(p));
  const openFirst = [...visible].sort((a, b) =>
    (b.status === 'POLL_STATUS_OPEN') - (a.status === 'POLL_STATUS_OPEN') || b.openedAtMs - a.openedAtMs);
  patch(el.polls,
    h('h2', {}, t('polls.heading')),
    openFirst.length ? openFirst.slice(0, 5).map((p) => pollCard(state, p)) : h('p', { class: 'empty' }, t('poll.none')));
}

// ---- written input ----------------------------------------------------------------------------

function renderContributions(state) {
  // After the meeting ends nothing more can be written: the box goes, the list stays.
  el.contribForm.hidden = !canAct() || meetingEnded(state);
  const submit = el.contribForm.querySelector('button[type="submit"]');
  submit.disabled = !canSendNow();
  const me = myId();
  const list = state.contributions.filter((c) => !c.hidden)
    .sort((a, b) => b.upvotes - a.upvotes || a.createdAtMs - b.createdAtMs);
  const queued = outboxOf('contribution').map((c) => h('li', { class: 'outbox-entry' },
    h('div', { dir: 'auto', class: 'contrib-text' }, c.text), h('div', { class: 'line' }, outboxBadge())));
  if (!list.length && !queued.length) {
    patch(el.contribList, h('li', { class: 'empty' }, t('contrib.empty')));
    return;
  }
  patch(el.contribList, queued, list.map((c) => {
    const item = findItem(state, c.itemId);
    const upvoted = c.upvoterIds.includes(me);
    return h('li', { dataset: { contribution: c.id } },
      h('div', { dir: 'auto', class: 'contrib-text' }, c.text),
      h('div', { class: 'line muted' },
        personLine(state, c.authorId, { you: me }),
        item ? h('span', {}, ' · ', userText(item.title)) : null,
        c.answered ? h('span', { class: 'badge green answered' }, t('contrib.answered')) : null,
        h('span', { class: 'spacer' }),
        h('button', {
          class: 'upvote', 'aria-label': `${t('contrib.upvote')} (${c.upvotes})`,
          disabled: !canAct() || upvoted || c.authorId === me || !canSendNow() || meetingEnded(state),
          onclick: () => send({ upvoteContribution: { contributionId: c.id } }, { type: 'upvote' }),
        }, h('span', { 'aria-hidden': 'true' }, '▲ '), h('span', { dir: 'ltr' }, String(c.upvotes)))));
  }));
}

// ---- the agenda -------------------------------------------------------------------------------

function renderAgenda(state) {
  patch(el.agenda,
    h('h2', {}, t('part.agenda')),
    state.agenda.length
      ? h('ol', { class: 'list agenda-list', id: 'agenda-list' }, state.agenda.map((item) => {
        const current = item.id === state.currentItemId;
        const done = item.status === 'AGENDA_ITEM_STATUS_DONE';
        const skipped = item.status === 'AGENDA_ITEM_STATUS_SKIPPED';
        return h('li', {
          class: `agenda-item${current ? ' current' : ''}${done ? ' done' : ''}${skipped ? ' skipped' : ''}`,
          dataset: { item: item.id }, 'aria-current': current ? 'step' : null,
        }, h('div', { class: 'line' },
          h('bdi', { dir: 'auto', class: 'title' }, item.title),
          item.status !== 'AGENDA_ITEM_STATUS_PENDING'
            ? h('span', { class: `badge${current ? ' green' : ''}` }, t(`itemStatus.${item.status}`)) : null,
          item.plannedMinutes ? h('span', { class: 'muted' }, t('common.min', { n: item.plannedMinutes })) : null));
      }))
      : h('p', { class: 'empty' }, t('agenda.empty')));
}

// ---- check-in and my details (group and attendance the chair confirms) ----------------------

function me(state) {
  return findParticipant(state, myId());
}

async function checkIn(code) {
  const trimmed = code.trim();
  if (!trimmed || checkInUi.sending) return;
  checkInUi.sending = true;
  checkInUi.error = null;
  const result = await client.send({ checkIn: { code: trimmed } });
  checkInUi.sending = false;
  if (result.ok) {
    toast(t('checkin.done'), 'ok');
  } else {
    // A wrong or stale code is the common case: say so in the page's language.
    checkInUi.error = result.error?.code === 'ERROR_CODE_UNAVAILABLE'
      ? errorMessage(result.error.code, result.error.message) : t('checkin.refused');
  }
  rerender();
}

function renderCheckIn(state) {
  const self = me(state);
  const open = state.checkIn.open;
  const isParticipant = client.you.role === 'ROLE_PARTICIPANT';
  if (!self || !isParticipant || (!open && !self.checkedInAtMs)) {
    el.checkIn.hidden = true;
    patch(el.checkIn);
    return;
  }
  el.checkIn.hidden = false;
  if (self.checkedInAtMs) {
    patch(el.checkIn, h('p', { id: 'checked-in', class: 'ok-line' }, '✓ ', t('checkin.checkedIn')));
    return;
  }
  if (checkInUi.fromLink) {
    const code = checkInUi.fromLink;
    checkInUi.fromLink = '';
    queueMicrotask(() => checkIn(code));
  }
  const input = h('input', {
    id: 'checkin-code', dir: 'ltr', autocomplete: 'off', autocapitalize: 'characters', maxlength: 16,
    class: 'code-input', dataset: { key: 'checkin-code', draft: '' }, 'aria-label': t('checkin.code'),
    placeholder: t('checkin.code'), oninput: () => { checkInUi.error = null; },
  });
  patch(el.checkIn,
    h('h2', {}, t('checkin.heading')),
    h('p', { class: 'muted' }, t('checkin.hint')),
    h('form', {
      class: 'row', id: 'checkin-form',
      onsubmit: (ev) => { ev.preventDefault(); checkIn(el.checkIn.querySelector('#checkin-code').value); },
    }, input, h('button', { class: 'primary', type: 'submit', id: 'checkin-submit', disabled: checkInUi.sending || !isLive() }, t('checkin.submit'))),
    checkInUi.error ? h('p', { class: 'error-line', id: 'checkin-error', role: 'alert' }, checkInUi.error) : null);
}

// What the chair has not confirmed yet is marked; a change is a request the chair answers.
function renderDetails(state) {
  const self = me(state);
  if (!self || client.you.role !== 'ROLE_PARTICIPANT' || meetingEnded(state)) {
    el.details.hidden = true;
    return;
  }
  el.details.hidden = false;
  const unconfirmed = (verified) => (verified ? null : h('span', { class: 'badge amber unverified' }, t('verify.unverified')));
  const pending = hasPendingRequest(self);
  const groups = state.stakeholderGroups;
  const groupSelect = h('select', { id: 'details-group', 'aria-label': t('join.group'), dataset: { key: 'details-group', draft: '' } },
    groups.map((g) => h('option', { value: g, selected: g === self.stakeholderGroup }, groupLabel(g))));
  const attSelect = h('select', { id: 'details-attendance', 'aria-label': t('details.attendance'), dataset: { key: 'details-attendance', draft: '' } },
    ['ATTENDANCE_IN_ROOM', 'ATTENDANCE_REMOTE'].map((a) => h('option', { value: a, selected: a === self.attendance }, attendanceLabel(a))));
  const ask = async (ev) => {
    ev.preventDefault();
    const group = groupSelect.value;
    const attendance = attSelect.value;
    const change = { participantId: self.id };
    if (group && group !== self.stakeholderGroup) change.stakeholderGroup = group;
    if (attendance !== self.attendance) change.attendance = attendance;
    if (!change.stakeholderGroup && !change.attendance) return;
    await send({ updateParticipant: change }, { type: 'details' });
  };
  patch(el.details,
    h('h2', {}, t('details.heading')),
    h('div', { class: 'line', id: 'details-group-now' }, t('join.group'), ': ',
      h('strong', {}, self.stakeholderGroup ? groupLabel(self.stakeholderGroup) : t('common.noGroup')), ' ', unconfirmed(self.groupVerified)),
    h('div', { class: 'line', id: 'details-attendance-now' }, t('details.attendance'), ': ',
      h('strong', {}, attendanceLabel(self.attendance)), ' ', unconfirmed(self.attendanceVerified)),
    pending
      ? h('p', { class: 'pending-line', id: 'change-pending', role: 'status' }, t('details.pending', {
        what: [self.requestedGroup ? groupLabel(self.requestedGroup) : '',
          self.requestedAttendance !== 'ATTENDANCE_UNSPECIFIED' ? attendanceLabel(self.requestedAttendance) : '']
          .filter(Boolean).join(' · '),
      }))
      : h('details', { id: 'details-change' },
        h('summary', {}, t('details.change')),
        h('form', { class: 'row mt-6', onsubmit: ask },
          groups.length ? groupSelect : null, attSelect,
          h('button', { type: 'submit', id: 'details-ask', disabled: !canSendNow() }, t('details.ask'))),
        h('p', { class: 'muted' }, t('details.askHint'))));
}

function pickDetails(p) {
  return p ? { displayName: p.displayName, stakeholderGroup: p.stakeholderGroup, attendance: p.attendance } : {};
}

function render(state) {
  el.title.replaceChildren(userText(state.title));
  // The roster's values: the chair may have corrected them since the token was issued.
  const you = { ...client.you, ...pickDetails(me(state)) };
  el.me.replaceChildren(userText(you.displayName || ''), ' · ', t(`role.${you.role}`),
    you.stakeholderGroup ? ` · ${groupLabel(you.stakeholderGroup)}` : '',
    you.attendance !== 'ATTENDANCE_UNSPECIFIED' ? ` · ${attendanceLabel(you.attendance)}` : '');
  document.documentElement.dataset.meeting = meetingEnded(state) ? 'ended' : 'on';
  renderStrip(state);
  renderCheckIn(state);
  renderDetails(state);
  renderNow(state);
  renderSpeak(state);
  renderActions(state);
  renderPolls(state);
  renderContributions(state);
  renderAgenda(state);
}

function tick(state) {
  const item = currentItem(state);
  updateClocks(document, item?.speakers.hasFloor ? item.speakers.floor : null, client.now());
}

// The box empties as soon as the text is on its way (sent, or queued while offline), so nobody
// sends it twice; a definite refusal puts it back.
el.contribForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const text = el.contribText.value.trim();
  if (!text || !canSendNow()) return;
  el.contribText.value = '';
  const result = await send({ submitContribution: { text } }, { type: 'contribution', text });
  if (!result.ok && !isUncertain(result) && !el.contribText.value) el.contribText.value = text;
});

// The join page this tab came from (its invite code is kept for the tab), for a way back.
function joinPageLink() {
  let invite = '';
  try { invite = sessionStorage.getItem(`majlis.invite.join.html.${meetingId}`) || ''; } catch { /* no storage */ }
  return invite ? { href: `join.html?${new URLSearchParams({ meeting: meetingId })}`, text: t('part.joinAgain') } : null;
}

if (!meetingId || !token) {
  showFatalPage(t('link.incomplete'), meetingId ? joinPageLink() || undefined : undefined);
} else {
  const page = startPage({
    meetingId, token, render, tick, statusBadge: el.status,
    // A refused token: back to the join page when this tab registered there.
    home: () => (client?.stopReason === 'token' ? joinPageLink() : null),
  });
  client = page.client;
  rerender = page.rerender;
  // The connection banner sits in the sticky strip, above what needs you.
  const banner = document.querySelector('.conn-banner');
  if (banner) el.sticky.prepend(banner);
  client.addEventListener('status', () => {
    if (client.stopReason === 'token') forgetToken(meetingId);
  });
  client.addEventListener('queue', rerender);
  globalThis.addEventListener('online', rerender);
  globalThis.addEventListener('offline', rerender);
}
