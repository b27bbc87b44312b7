// The participant page: raise a hand, see my place in the queue and why, vote, write.

import { loadToken, storeToken } from '@majlis/client';
import { currentItem, findItem, findParticipant, hasPendingRequest } from '@majlis/client';
import { t } from './i18n.js';
import {
  h, patch, userText, run, linkParams, mountHeader, startPage, showFatalPage, updateClocks,
  clockElement, reasonLabel, groupLabel, attendanceLabel, toast,
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
  me: document.getElementById('me'),
  now: document.getElementById('now'),
  speak: document.getElementById('speak'),
  polls: document.getElementById('polls'),
  contribForm: document.getElementById('contrib-form'),
  contribText: document.getElementById('contrib-text'),
  contribList: document.getElementById('contrib-list'),
  checkIn: document.getElementById('checkin'),
  details: document.getElementById('my-details'),
};

// Check-in: the code typed or scanned (the room display's QR code opens this page with
// ?checkin=CODE, which fills the box and is sent once), and the last refusal, translated.
const checkInUi = {
  fromLink: new URLSearchParams(location.search).get('checkin') || '',
  error: '',
  sending: false,
};
if (checkInUi.fromLink) {
  // A code is valid for seconds: keep it out of the address bar so a reload does not resend it.
  const url = new URL(location.href);
  url.searchParams.delete('checkin');
  history.replaceState(null, '', url);
}

let client = null;

function myId() {
  return client?.you?.participantId || '';
}

function canAct() {
  const role = client?.you?.role;
  return role === 'ROLE_PARTICIPANT' || role === 'ROLE_MODERATOR';
}

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
        h('div', { class: 'small muted' }, t('floor.speaking'), ' ', kindBadge(sp.floor.kind),
          sp.floor.paused ? h('span', { class: 'badge amber' }, t('floor.paused')) : null),
        h('div', { class: 'row' },
          h('span', { class: 'speaker grow' }, personLine(state, sp.floor.participantId, { you: myId() })),
          clockElement()))
      : h('div', { class: 'floor', id: 'floor' }, h('span', { class: 'muted' }, t('floor.none'))));
}

async function request(kind) {
  await run(client, { requestFloor: { kind } });
}

function renderSpeak(state) {
  if (!canAct()) {
    patch(el.speak, h('p', { class: 'muted' }, t('part.readOnly')));
    return;
  }
  const item = currentItem(state);
  if (!item) {
    patch(el.speak, h('h2', {}, t('queue.heading')), h('p', { class: 'empty' }, t('item.none')));
    return;
  }
  const me = myId();
  const sp = item.speakers;
  const mine = sp.waiting.map((e, i) => ({ e, pos: i + 1 })).filter((x) => x.e.participantId === me);
  const waitingKinds = new Set(mine.map((x) => x.e.kind));
  const iHaveFloor = sp.hasFloor && sp.floor.participantId === me;
  const someoneElseSpeaks = sp.hasFloor && !iHaveFloor;
  const closed = sp.closed;

  patch(el.speak,
    h('h2', {}, t('queue.heading'), closed ? h('span', { class: 'badge red' }, t('queue.closed')) : null),
    iHaveFloor ? h('div', { class: 'stack' },
      h('div', { class: 'you-have-floor', id: 'you-have-floor' }, t('part.youHaveFloor'), ' ', clockElement()),
      h('button', { class: 'big', onclick: () => run(client, { endTurn: {} }) }, t('part.endMyTurn'))) : null,
    mine.map(({ e, pos }) => h('div', { class: 'my-request', dataset: { entry: e.id } },
      h('div', { class: 'big', id: e.kind === 'REQUEST_KIND_SPEAK' ? 'my-position' : null },
        t('part.position', { n: pos }), ' ', kindBadge(e.kind)),
      e.reason ? h('div', { class: 'reason' }, t('part.why', { reason: reasonLabel(e.reason) })) : null,
      h('button', { class: 'small', onclick: () => run(client, { withdrawRequest: { entryId: e.id } }) }, t('part.withdraw')))),
    h('div', { class: 'actions-big', style: { marginTop: '10px' } },
      h('button', {
        class: 'primary raise', id: 'raise-hand',
        disabled: closed || waitingKinds.has('REQUEST_KIND_SPEAK') || iHaveFloor,
        onclick: () => request('REQUEST_KIND_SPEAK'),
      }, t('part.raiseHand')),
      h('button', {
        id: 'point-of-order', class: 'danger',
        disabled: closed || waitingKinds.has('REQUEST_KIND_POINT_OF_ORDER'),
        onclick: () => request('REQUEST_KIND_POINT_OF_ORDER'),
      }, t('part.pointOfOrder')),
      h('button', {
        id: 'reply',
        disabled: closed || !someoneElseSpeaks || waitingKinds.has('REQUEST_KIND_REPLY'),
        onclick: () => request('REQUEST_KIND_REPLY'),
      }, t('part.reply'))));
}

function pollVisible(poll, role) {
  if (poll.status === 'POLL_STATUS_OPEN') return true;
  if (poll.status === 'POLL_STATUS_DRAFT') return false;
  return hasTally(poll) || poll.voterIds.includes(myId());
}

async function vote(poll) {
  const chosen = [...(drafts.get(poll.id) || [])].sort((a, b) => a - b);
  const result = await run(client, { castBallot: { pollId: poll.id, choices: chosen } });
  if (result.ok) {
    sentBallots.set(poll.id, chosen);
    drafts.delete(poll.id);
    toast(t('poll.voted'), 'ok');
    render(client.state);
  }
}

function pollCard(state, poll) {
  const me = myId();
  const role = client.you.role;
  const voted = poll.voterIds.includes(me);
  const mine = poll.myChoices.length ? poll.myChoices : sentBallots.get(poll.id) || [];
  const secret = poll.secrecy === 'POLL_SECRECY_SECRET';
  const open = poll.status === 'POLL_STATUS_OPEN';
  const eligible = isEligible(poll, role);
  const canVote = open && eligible && canAct() && !(secret && voted);
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
        render(client.state);
      },
    });
    return h('label', { class: 'choice' }, input, userText(optionLabel(poll, i), 'span'));
  });
  const count = draft.size;
  const valid = multiple ? count >= minC && count <= maxC : count === 1;
  return h('div', { class: 'poll', dataset: { poll: poll.id } },
    h('div', { class: 'question', dir: 'auto' }, poll.question),
    pollMeta(poll),
    open && eligible ? h('div', { class: 'small muted' }, secret ? t('poll.secretFinal') : t('poll.namedMayChange')) : null,
    multiple && canVote ? h('div', { class: 'small muted' }, t('poll.choose', { min: minC, max: maxC })) : null,
    canVote || (open && eligible) ? h('div', {}, options) : null,
    canVote ? h('button', { class: 'primary', disabled: !valid, onclick: () => vote(poll) },
      voted ? t('poll.changeVote') : t('poll.vote')) : null,
    voted ? h('p', { class: 'small', id: `my-vote-${poll.id}` },
      mine.length ? t('poll.yourVote', { choices: choicesText(poll, mine) }) : t('poll.voted')) : null,
    hasTally(poll) ? tallyBars(poll) : (poll.status !== 'POLL_STATUS_OPEN' ? h('p', { class: 'small muted' }, t('poll.noResults')) : null),
    h('div', { class: 'small muted', dir: 'auto' }, t('poll.turnout', { voted: nVoted, eligible: nEligible })));
}

function renderPolls(state) {
  const visible = state.polls.filter((p) => pollVisible(p, client.you.role));
  const openFirst = [...visible].sort((a, b) =>
    (b.status === 'POLL_STATUS_OPEN') - (a.status === 'POLL_STATUS_OPEN') || b.openedAtMs - a.openedAtMs);
  patch(el.polls,
    h('h2', {}, t('polls.heading')),
    openFirst.length ? openFirst.slice(0, 5).map((p) => pollCard(state, p)) : h('p', { class: 'empty' }, t('poll.none')));
}

function renderContributions(state) {
  el.contribForm.hidden = !canAct();
  const me = myId();
  const list = state.contributions.filter((c) => !c.hidden)
    .sort((a, b) => b.upvotes - a.upvotes || a.createdAtMs - b.createdAtMs);
  if (!list.length) {
    patch(el.contribList, h('li', { class: 'empty' }, t('contrib.empty')));
    return;
  }
  patch(el.contribList, list.map((c) => {
    const item = findItem(state, c.itemId);
    const upvoted = c.upvoterIds.includes(me);
    return h('li', { dataset: { contribution: c.id } },
      h('div', { dir: 'auto' }, c.text),
      h('div', { class: 'line small muted' },
        personLine(state, c.authorId, { you: me }),
        item ? h('span', {}, ' · ', userText(item.title)) : null,
        c.answered ? h('span', { class: 'badge green answered' }, t('contrib.answered')) : null,
        h('span', { class: 'spacer' }),
        h('button', {
          class: 'small', disabled: !canAct() || upvoted || c.authorId === me,
          onclick: () => run(client, { upvoteContribution: { contributionId: c.id } }),
        }, `▲ ${c.upvotes}`)));
  }));
}

// ---- check-in and my details (group and attendance the chair confirms) ----------------------

function me(state) {
  return findParticipant(state, myId());
}

async function checkIn(code) {
  const trimmed = code.trim();
  if (!trimmed || checkInUi.sending) return;
  checkInUi.sending = true;
  checkInUi.error = '';
  const result = await client.send({ checkIn: { code: trimmed } });
  checkInUi.sending = false;
  if (result.ok) {
    toast(t('checkin.done'), 'ok');
  } else {
    // A wrong or stale code is the common case: say so in the page's language.
    checkInUi.error = result.error?.code === 'ERROR_CODE_UNAVAILABLE'
      ? t('error.generic', { message: result.error.message }) : t('checkin.refused');
  }
  render(client.state);
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
    placeholder: t('checkin.code'), oninput: () => { checkInUi.error = ''; },
  });
  patch(el.checkIn,
    h('h2', {}, t('checkin.heading')),
    h('p', { class: 'small muted' }, t('checkin.hint')),
    h('form', {
      class: 'row', id: 'checkin-form',
      onsubmit: (ev) => { ev.preventDefault(); checkIn(el.checkIn.querySelector('#checkin-code').value); },
    }, input, h('button', { class: 'primary', type: 'submit', id: 'checkin-submit', disabled: checkInUi.sending }, t('checkin.submit'))),
    checkInUi.error ? h('p', { class: 'error-line', id: 'checkin-error', role: 'alert' }, checkInUi.error) : null);
}

// What the chair has not confirmed yet is marked; a change is a request the chair answers.
function renderDetails(state) {
  const self = me(state);
  if (!self || client.you.role !== 'ROLE_PARTICIPANT') {
    el.details.hidden = true;
    return;
  }
  el.details.hidden = false;
  const unconfirmed = (verified) => (verified ? null : h('span', { class: 'badge amber unverified' }, t('verify.unverified')));
  const pending = hasPendingRequest(self);
  const groups = state.stakeholderGroups;
  const groupSelect = h('select', { id: 'details-group', dataset: { key: 'details-group', draft: '' } },
    groups.map((g) => h('option', { value: g, selected: g === self.stakeholderGroup }, groupLabel(g))));
  const attSelect = h('select', { id: 'details-attendance', dataset: { key: 'details-attendance', draft: '' } },
    ['ATTENDANCE_IN_ROOM', 'ATTENDANCE_REMOTE'].map((a) => h('option', { value: a, selected: a === self.attendance }, attendanceLabel(a))));
  const ask = async (ev) => {
    ev.preventDefault();
    const group = groupSelect.value;
    const attendance = attSelect.value;
    const change = { participantId: self.id };
    if (group && group !== self.stakeholderGroup) change.stakeholderGroup = group;
    if (attendance !== self.attendance) change.attendance = attendance;
    if (!change.stakeholderGroup && !change.attendance) return;
    await run(client, { updateParticipant: change });
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
        h('form', { class: 'row', style: { marginTop: '6px' }, onsubmit: ask },
          groups.length ? groupSelect : null, attSelect,
          h('button', { type: 'submit', id: 'details-ask' }, t('details.ask'))),
        h('p', { class: 'small muted' }, t('details.askHint'))));
}

function pickDetails(p) {
  return p ? { displayName: p.displayName, stakeholderGroup: p.stakeholderGroup, attendance: p.attendance } : {};
}

function render(state) {
  el.title.replaceChildren(userText(state.title));
  document.title = `${state.title} — Majlis`;
  // The roster's values: the chair may have corrected them since the token was issued.
  const you = { ...client.you, ...pickDetails(me(state)) };
  el.me.replaceChildren(userText(you.displayName || ''), ' · ', t(`role.${you.role}`),
    you.stakeholderGroup ? ` · ${groupLabel(you.stakeholderGroup)}` : '',
    you.attendance !== 'ATTENDANCE_UNSPECIFIED' ? ` · ${attendanceLabel(you.attendance)}` : '');
  renderCheckIn(state);
  renderDetails(state);
  renderNow(state);
  renderSpeak(state);
  renderPolls(state);
  renderContributions(state);
}

function tick(state) {
  const item = currentItem(state);
  updateClocks(document, item?.speakers.hasFloor ? item.speakers.floor : null, client.now());
}

el.contribForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const text = el.contribText.value.trim();
  if (!text) return;
  const result = await run(client, { submitContribution: { text } });
  if (result.ok) el.contribText.value = '';
});

if (!meetingId || !token) {
  showFatalPage(t('link.incomplete'));
} else {
  client = startPage({ meetingId, token, render, tick, statusBadge: el.status }).client;
}
