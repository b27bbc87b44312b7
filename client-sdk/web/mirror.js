// The client's copy of a meeting: a JavaScript port of the domain's evolve(state, event)
// (server/domain), applied to the normalized JSON form of MeetingState (see schema.js).
// Pure module: no DOM, no clock, no randomness — importable by Node for test vectors.

import { normalize, normalizeEvent, normalizeState } from './schema.js';

export { normalizeEvent, normalizeState };

export const REASON = {
  pointOfOrder: 'point of order',
  reply: 'reply',
  pinned: 'moved by the chair',
  firstTime: 'first time on this item',
  alternate: 'alternating room and remote',
  balance: 'group with least speaking time',
  order: 'in order of request',
};

export function emptyState() {
  return normalizeState({});
}

// ---- look-ups ------------------------------------------------------------------------------

export function findItem(state, itemId) {
  return state.agenda.find((i) => i.id === itemId) || null;
}

export function currentItem(state) {
  return state.currentItemId ? findItem(state, state.currentItemId) : null;
}

export function findParticipant(state, participantId) {
  return state.participants.find((p) => p.id === participantId) || null;
}

export function findPoll(state, pollId) {
  return state.polls.find((p) => p.id === pollId) || null;
}

export function findContribution(state, contributionId) {
  return state.contributions.find((c) => c.id === contributionId) || null;
}

// An item named by an event, or the current item when the event names none.
function eventItem(state, itemId) {
  return itemId ? findItem(state, itemId) : currentItem(state);
}

// Spoken time of the running turn at `nowMs` (server clock), pauses excluded.
export function floorElapsedMs(floor, nowMs) {
  if (!floor) return 0;
  const before = floor.elapsedBeforePauseMs || 0;
  if (floor.paused) return before;
  const from = floor.resumedAtMs || floor.startedAtMs;
  return before + Math.max(0, nowMs - from);
}

function clampIndex(position, length) {
  if (position < 0 || position > length) return length;
  return position;
}

function removeWhere(list, predicate) {
  const i = list.findIndex(predicate);
  if (i >= 0) list.splice(i, 1);
  return i;
}

// ---- speaking order --------------------------------------------------------------------------

const byRequestOrder = (a, b) => a.requestOrder - b.requestOrder;

// Orders waiting speak requests by the chair's policy: first_time_first, then
// alternate_attendance, then stakeholder_balance, then request order.
function orderSpeakRequests(state, item, entries) {
  const policy = state.settings.queuePolicy;
  const attendanceOf = (pid) => findParticipant(state, pid)?.attendance || 'ATTENDANCE_UNSPECIFIED';
  const groupOf = (pid) => findParticipant(state, pid)?.stakeholderGroup || '';

  const spoken = new Set();
  let lastAttendance = null;
  for (const iv of state.interventions) {
    if (iv.itemId !== item.id) continue;
    spoken.add(iv.participantId);
    lastAttendance = iv.attendance;
  }
  const sp = item.speakers;
  if (sp.hasFloor && sp.floor.participantId) {
    spoken.add(sp.floor.participantId);
    lastAttendance = attendanceOf(sp.floor.participantId);
  }
  const groupMs = new Map(state.equity.byGroup.map((f) => [f.key, f.speakingMs]));

  const remaining = [...entries].sort(byRequestOrder);
  const out = [];
  while (remaining.length > 0) {
    let candidates = remaining;
    let reason = REASON.order;
    if (policy.firstTimeFirst) {
      const fresh = candidates.filter((e) => !spoken.has(e.participantId));
      if (fresh.length > 0 && fresh.length < candidates.length) {
        candidates = fresh;
        reason = REASON.firstTime;
      }
    }
    if (policy.alternateAttendance && lastAttendance && lastAttendance !== 'ATTENDANCE_UNSPECIFIED') {
      const other = candidates.filter((e) => {
        const a = attendanceOf(e.participantId);
        return a !== 'ATTENDANCE_UNSPECIFIED' && a !== lastAttendance;
      });
      if (other.length > 0 && other.length < candidates.length) {
        candidates = other;
        reason = REASON.alternate;
      }
    }
    if (policy.stakeholderBalance) {
      const ms = (e) => groupMs.get(groupOf(e.participantId)) || 0;
      const least = Math.min(...candidates.map(ms));
      const low = candidates.filter((e) => ms(e) === least);
      if (low.length < candidates.length) {
        candidates = low;
        reason = REASON.balance;
      }
    }
    const pick = candidates[0];
    pick.reason = reason;
    out.push(pick);
    remaining.splice(remaining.indexOf(pick), 1);
    const a = attendanceOf(pick.participantId);
    if (a !== 'ATTENDANCE_UNSPECIFIED') lastAttendance = a;
  }
  return out;
}

// Re-sorts an item's waiting list the way the server does: points of order first (first in,
// first out), then replies (first in, first out), then speak requests by policy; entries the
// chair moved (pinned) keep their index. Sets each entry's reason.
export function orderWaiting(state, item) {
  const waiting = item.speakers.waiting;
  const n = waiting.length;
  if (n === 0) return;
  const pinned = [];
  const free = [];
  waiting.forEach((e, index) => (e.pinned ? pinned.push({ e, index }) : free.push(e)));

  const points = free.filter((e) => e.kind === 'REQUEST_KIND_POINT_OF_ORDER').sort(byRequestOrder);
  const replies = free.filter((e) => e.kind === 'REQUEST_KIND_REPLY').sort(byRequestOrder);
  const speaks = free.filter(
    (e) => e.kind !== 'REQUEST_KIND_POINT_OF_ORDER' && e.kind !== 'REQUEST_KIND_REPLY');
  points.forEach((e) => (e.reason = REASON.pointOfOrder));
  replies.forEach((e) => (e.reason = REASON.reply));
  const flowing = [...points, ...replies, ...orderSpeakRequests(state, item, speaks)];

  const slots = new Array(n).fill(null);
  for (const { e, index } of pinned) {
    let i = Math.min(index, n - 1);
    while (slots[i] !== null) i = (i + 1) % n;
    e.reason = REASON.pinned;
    slots[i] = e;
  }
  let k = 0;
  for (let i = 0; i < n; i++) if (slots[i] === null) slots[i] = flowing[k++];
  item.speakers.waiting = slots;
}

function reorderAll(state) {
  for (const item of state.agenda) orderWaiting(state, item);
}

// ---- evolve ----------------------------------------------------------------------------------

function addFigure(list, key, ms) {
  let f = list.find((x) => x.key === key);
  if (!f) {
    f = normalize('SpeakingFigure', { key });
    list.push(f);
  }
  f.speakingMs += ms;
  f.turns += 1;
}

export function attendanceKey(attendance) {
  if (attendance === 'ATTENDANCE_IN_ROOM') return 'in_room';
  if (attendance === 'ATTENDANCE_REMOTE') return 'remote';
  return '';
}

function addToTally(poll, choices, sign) {
  while (poll.tally.length < poll.options.length) poll.tally.push(0);
  for (const c of choices) {
    while (poll.tally.length <= c) poll.tally.push(0);
    poll.tally[c] = Math.max(0, poll.tally[c] + sign);
  }
}

const handlers = {
  meetingCreated(s, b, ev) {
    s.meetingId = b.meetingId;
    s.title = b.title;
    s.languages = b.languages;
    s.stakeholderGroups = b.stakeholderGroups;
    s.settings = b.settings;
    s.status = 'MEETING_STATUS_SCHEDULED';
    s.createdAtMs = ev.atMs;
  },
  meetingStarted(s, b, ev) {
    s.status = 'MEETING_STATUS_LIVE';
    s.startedAtMs = ev.atMs;
  },
  meetingEnded(s, b, ev) {
    s.status = 'MEETING_STATUS_ENDED';
    s.endedAtMs = ev.atMs;
  },
  meetingUpdated(s, b) {
    if (b.title) s.title = b.title;
    if (b.languages.length) s.languages = b.languages;
    if (b.stakeholderGroups.length) s.stakeholderGroups = b.stakeholderGroups;
  },
  queuePolicyChanged(s, b) {
    s.settings.queuePolicy = b.policy;
    reorderAll(s);
  },
  defaultSpeakingTimeChanged(s, b) {
    s.settings.defaultSpeakingTimeMs = b.timeLimitMs;
  },

  participantAdded(s, b) {
    const p = b.participant;
    const existing = findParticipant(s, p.id);
    if (existing) {
      Object.assign(existing, p, {
        connectionIds: existing.connectionIds,
        connectionCount: existing.connectionCount,
        online: existing.online,
      });
    } else {
      s.participants.push(p);
    }
    reorderAll(s);
  },
  participantUpdated(s, b) {
    const p = findParticipant(s, b.participantId);
    if (!p) return;
    if (b.displayName) p.displayName = b.displayName;
    if (b.stakeholderGroup) p.stakeholderGroup = b.stakeholderGroup;
    if (b.attendance !== 'ATTENDANCE_UNSPECIFIED') p.attendance = b.attendance;
    reorderAll(s);
  },
  connectionOpened(s, b) {
    const p = findParticipant(s, b.participantId);
    if (!p) return;
    if (!p.connectionIds.includes(b.connectionId)) p.connectionIds.push(b.connectionId);
    p.connectionCount = p.connectionIds.length;
    p.online = p.connectionCount > 0;
  },
  connectionClosed(s, b) {
    const p = findParticipant(s, b.participantId);
    if (!p) return;
    removeWhere(p.connectionIds, (c) => c === b.connectionId);
    p.connectionCount = p.connectionIds.length;
    p.online = p.connectionCount > 0;
  },

  agendaItemAdded(s, b) {
    if (findItem(s, b.item.id)) return;
    const item = b.item;
    if (item.status === 'AGENDA_ITEM_STATUS_UNSPECIFIED') item.status = 'AGENDA_ITEM_STATUS_PENDING';
    s.agenda.splice(clampIndex(b.position, s.agenda.length), 0, item);
  },
  agendaItemUpdated(s, b) {
    const item = findItem(s, b.itemId);
    if (!item) return;
    if (b.title) item.title = b.title;
    if (b.description) item.description = b.description;
    if (b.plannedMinutes) item.plannedMinutes = b.plannedMinutes;
    if (b.presenter) item.presenter = b.presenter;
  },
  agendaItemMoved(s, b) {
    const from = s.agenda.findIndex((i) => i.id === b.itemId);
    if (from < 0) return;
    const [item] = s.agenda.splice(from, 1);
    s.agenda.splice(clampIndex(b.position, s.agenda.length), 0, item);
  },
  agendaItemRemoved(s, b) {
    removeWhere(s.agenda, (i) => i.id === b.itemId);
    if (s.currentItemId === b.itemId) s.currentItemId = '';
  },
  agendaItemStarted(s, b, ev) {
    const item = findItem(s, b.itemId);
    if (!item) return;
    const previous = currentItem(s);
    if (previous && previous !== item && previous.status === 'AGENDA_ITEM_STATUS_ACTIVE') {
      previous.status = 'AGENDA_ITEM_STATUS_DONE';
      previous.endedAtMs = ev.atMs;
    }
    item.status = 'AGENDA_ITEM_STATUS_ACTIVE';
    item.startedAtMs = ev.atMs;
    item.endedAtMs = 0;
    s.currentItemId = item.id;
  },
  agendaItemClosed(s, b, ev) {
    const item = findItem(s, b.itemId);
    if (!item) return;
    item.status = b.skipped ? 'AGENDA_ITEM_STATUS_SKIPPED' : 'AGENDA_ITEM_STATUS_DONE';
    item.endedAtMs = ev.atMs;
    if (s.currentItemId === item.id) s.currentItemId = '';
  },
  agendaItemReopened(s, b) {
    const item = findItem(s, b.itemId);
    if (!item) return;
    item.status = 'AGENDA_ITEM_STATUS_PENDING';
    item.endedAtMs = 0;
  },
  decisionRecorded(s, b) {
    findItem(s, b.itemId)?.decisions.push(b.decision);
  },
  actionItemRecorded(s, b) {
    findItem(s, b.itemId)?.actionItems.push(b.actionItem);
  },

  floorRequested(s, b) {
    const item = eventItem(s, b.itemId);
    if (!item) return;
    item.speakers.waiting.push(b.entry);
    s.nextRequestOrder = Math.max(s.nextRequestOrder, b.entry.requestOrder + 1);
    orderWaiting(s, item);
  },
  requestWithdrawn(s, b) {
    const item = eventItem(s, b.itemId);
    if (!item) return;
    removeWhere(item.speakers.waiting, (e) => e.id === b.entryId);
    orderWaiting(s, item);
  },
  requestMoved(s, b) {
    const item = eventItem(s, b.itemId);
    if (!item) return;
    const waiting = item.speakers.waiting;
    const from = waiting.findIndex((e) => e.id === b.entryId);
    if (from < 0) return;
    const [entry] = waiting.splice(from, 1);
    entry.pinned = true;
    waiting.splice(Math.min(Math.max(b.position, 0), waiting.length), 0, entry);
    orderWaiting(s, item);
  },
  listClosedChanged(s, b) {
    const item = eventItem(s, b.itemId);
    if (item) item.speakers.closed = b.closed;
  },
  floorGranted(s, b) {
    const item = eventItem(s, b.itemId);
    if (!item) return;
    const floor = b.floor;
    if (!floor.resumedAtMs) floor.resumedAtMs = floor.startedAtMs;
    item.speakers.floor = floor;
    item.speakers.hasFloor = true;
    if (floor.entryId) removeWhere(item.speakers.waiting, (e) => e.id === floor.entryId);
    orderWaiting(s, item);
  },
  floorPaused(s, b) {
    const item = eventItem(s, b.itemId);
    if (!item || !item.speakers.hasFloor || item.speakers.floor.paused) return;
    const f = item.speakers.floor;
    f.elapsedBeforePauseMs += Math.max(0, b.atMs - (f.resumedAtMs || f.startedAtMs));
    f.paused = true;
    f.pausedAtMs = b.atMs;
  },
  floorResumed(s, b) {
    const item = eventItem(s, b.itemId);
    if (!item || !item.speakers.hasFloor || !item.speakers.floor.paused) return;
    const f = item.speakers.floor;
    f.paused = false;
    f.pausedAtMs = 0;
    f.resumedAtMs = b.atMs;
  },
  turnEnded(s, b) {
    const iv = b.intervention;
    s.interventions.push(iv);
    const item = findItem(s, iv.itemId) || currentItem(s);
    if (item && item.speakers.hasFloor) {
      item.speakers.hasFloor = false;
      item.speakers.floor = normalize('Floor', {});
    }
    if (iv.stakeholderGroup) addFigure(s.equity.byGroup, iv.stakeholderGroup, iv.durationMs);
    const key = attendanceKey(iv.attendance);
    if (key) addFigure(s.equity.byAttendance, key, iv.durationMs);
    reorderAll(s);
  },
  turnTimeLimitChanged(s, b) {
    const item = eventItem(s, b.itemId);
    if (item && item.speakers.hasFloor) item.speakers.floor.timeLimitMs = b.timeLimitMs;
  },

  pollCreated(s, b) {
    if (findPoll(s, b.poll.id)) return;
    const poll = b.poll;
    if (poll.status === 'POLL_STATUS_UNSPECIFIED') poll.status = 'POLL_STATUS_DRAFT';
    s.polls.push(poll);
  },
  pollOpened(s, b, ev) {
    const poll = findPoll(s, b.pollId);
    if (!poll) return;
    poll.status = 'POLL_STATUS_OPEN';
    poll.openedAtMs = ev.atMs;
  },
  pollClosed(s, b, ev) {
    const poll = findPoll(s, b.pollId);
    if (!poll) return;
    poll.status = 'POLL_STATUS_CLOSED';
    poll.closedAtMs = ev.atMs;
    poll.eligibleOnlineAtClose = b.eligibleOnline;
    if (b.tally.length) {
      poll.tally = b.tally;
      poll.tallyVisible = true;
    }
  },
  pollPublished(s, b) {
    const poll = findPoll(s, b.pollId);
    if (!poll) return;
    poll.status = 'POLL_STATUS_PUBLISHED';
    if (b.tally.length) {
      poll.tally = b.tally;
      poll.tallyVisible = true;
    }
    if (b.ballots.length) poll.ballots = b.ballots;
  },
  pollDeleted(s, b) {
    removeWhere(s.polls, (p) => p.id === b.pollId);
  },
  ballotCast(s, b, ev, opts) {
    const poll = findPoll(s, b.pollId);
    if (!poll) return;
    if (!poll.voterIds.includes(b.voterId)) poll.voterIds.push(b.voterId);
    if (b.choices.length === 0) return;
    const previous = poll.ballots.find((x) => x.voterId === b.voterId);
    if (previous) addToTally(poll, previous.choices, -1);
    addToTally(poll, b.choices, +1);
    if (poll.secrecy !== 'POLL_SECRECY_SECRET') {
      if (previous) previous.choices = b.choices;
      else poll.ballots.push({ voterId: b.voterId, choices: b.choices });
    }
    if (opts.viewerId && b.voterId === opts.viewerId) poll.myChoices = b.choices;
  },

  contributionSubmitted(s, b) {
    if (findContribution(s, b.contribution.id)) return;
    s.contributions.push(b.contribution);
  },
  contributionUpvoted(s, b) {
    const c = findContribution(s, b.contributionId);
    if (!c || c.upvoterIds.includes(b.voterId)) return;
    c.upvoterIds.push(b.voterId);
    c.upvotes += 1;
  },
  contributionMarked(s, b) {
    let c = findContribution(s, b.contributionId);
    if (!c && b.contribution) {
      c = b.contribution;
      s.contributions.push(c);
      s.contributions.sort((x, y) => x.createdAtMs - y.createdAtMs);
    }
    if (!c) return;
    c.answered = b.answered;
    c.hidden = b.hidden;
  },
};

// Applies one normalized event in place (like the domain's evolve) and returns the state.
// A redacted stub (kind null) only advances seq. opts.viewerId lets the viewer's own ballot
// events fill poll.myChoices.
export function evolve(state, event, opts = {}) {
  if (event.kind) {
    const handler = handlers[event.kind];
    if (handler) handler(state, event.body, event, opts);
  }
  if (event.seq > state.seq) state.seq = event.seq;
  return state;
}

// Applies a batch in seq order: events at or below state.seq are ignored; a gap stops the
// batch and is reported so the caller can resume from state.seq.
// Returns {applied, gap} where gap is null or {expected, got}.
export function applyEvents(state, events, opts = {}) {
  let applied = 0;
  for (const raw of events) {
    const event = raw && raw.body !== undefined && 'kind' in raw ? raw : normalizeEvent(raw);
    if (event.seq <= state.seq) continue;
    if (event.seq !== state.seq + 1) return { applied, gap: { expected: state.seq + 1, got: event.seq } };
    evolve(state, event, opts);
    applied += 1;
  }
  return { applied, gap: null };
}
