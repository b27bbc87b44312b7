// The client's copy of a meeting: a TypeScript port of the domain's evolve(state, event)
// (server/domain/*.cpp apply_*), applied to the plain form of MeetingState (src/types.ts,
// built by src/schema.ts). Pure module: no DOM, no clock, no randomness — Node replays the
// C++ test vectors through it (src/test/vectors.test.ts).

import { normalizeEvent, normalizeState } from './schema.js';
import type { MirrorEvent, Plain } from './schema.js';
import type {
  AgendaItem, Attendance, CheckInState, Contribution, Floor, MeetingState, Participant, Poll,
  QueueEntry, RegistrationMode, AdmissionStatus, SpeakingFigure,
} from './types.js';

export { normalizeEvent, normalizeState };
export type { MirrorEvent };

/** Options of evolve/applyEvents: viewerId lets the viewer's own named ballots fill myChoices. */
export interface EvolveOptions {
  viewerId?: string;
}

/** What applyEvents did: how many events it applied and the first gap, if any. */
export interface ApplyResult {
  applied: number;
  gap: { expected: number; got: number } | null;
}

// Reasons the domain gives for an entry's place (server/domain/queue_order.hpp).
export const REASON = {
  pointOfOrder: 'point of order',
  reply: 'reply to the current speaker',
  firstTime: 'first time on this item',
  alternate: 'alternates room and remote',
  order: 'in order of request',
  pinned: 'moved by the chair',
  groupSuffix: ' has spoken least', // "<group> has spoken least"
};

// When the meeting has no default speaking time, stakeholder balance assumes this per turn.
export const ASSUMED_TURN_MS_WITHOUT_LIMIT = 2 * 60 * 1000;

export function emptyState(): MeetingState {
  return normalizeState({});
}

function emptyFloor(): Floor {
  return { participantId: '', entryId: '', kind: 'REQUEST_KIND_UNSPECIFIED', startedAtMs: 0, timeLimitMs: 0,
    paused: false, pausedAtMs: 0, elapsedBeforePauseMs: 0, resumedAtMs: 0 };
}

function closedCheckIn(open: boolean): CheckInState {
  return { open, code: '', previousCode: '', rotatedAtMs: 0, nextRotationMs: 0, previousValidUntilMs: 0 };
}

// ---- look-ups ------------------------------------------------------------------------------

export function findItem(state: MeetingState, itemId: string): AgendaItem | null {
  return state.agenda.find((i) => i.id === itemId) || null;
}

export function currentItem(state: MeetingState): AgendaItem | null {
  return state.currentItemId ? findItem(state, state.currentItemId) : null;
}

export function findParticipant(state: MeetingState, participantId: string): Participant | null {
  return state.participants.find((p) => p.id === participantId) || null;
}

// Observers and displays online, every instance's count (they are counted, not in participants).
export function audienceOnline(state: MeetingState): number {
  return state.audience.reduce((sum, a) => sum + a.observers + a.displays, 0);
}

// Admission as the proto reads it: unspecified counts as admitted.
export function admissionOf(participant: Participant | null | undefined): AdmissionStatus {
  const a = participant?.admission || 'ADMISSION_STATUS_UNSPECIFIED';
  return a === 'ADMISSION_STATUS_UNSPECIFIED' ? 'ADMISSION_STATUS_ADMITTED' : a;
}

// The registration mode as the proto reads it: unspecified counts as open.
export function registrationModeOf(state: MeetingState): RegistrationMode {
  const m = state.settings.admission.mode;
  return m === 'REGISTRATION_MODE_UNSPECIFIED' ? 'REGISTRATION_MODE_OPEN' : m;
}

// Whether a participant asked for a group or attendance change the chair has not answered.
export function hasPendingRequest(participant: Participant): boolean {
  return !!participant.requestedGroup || participant.requestedAttendance !== 'ATTENDANCE_UNSPECIFIED';
}

export function findPoll(state: MeetingState, pollId: string): Poll | null {
  return state.polls.find((p) => p.id === pollId) || null;
}

export function findContribution(state: MeetingState, contributionId: string): Contribution | null {
  return state.contributions.find((c) => c.id === contributionId) || null;
}

// Spoken time of the running turn at nowMs (server clock), pauses excluded (floor.cpp spoken_ms).
export function floorElapsedMs(floor: Floor | null | undefined, nowMs: number): number {
  if (!floor) return 0;
  if (floor.paused) return floor.elapsedBeforePauseMs;
  const stretchStart = floor.resumedAtMs !== 0 ? floor.resumedAtMs : floor.startedAtMs;
  return floor.elapsedBeforePauseMs + Math.max(0, nowMs - stretchStart);
}

// The domain's clamp for agenda positions: out of range means the end.
function clampPosition(position: number, size: number): number {
  return position < 0 || position >= size ? size - 1 : position;
}

// Moves list[from] to index `to`, shifting the ones in between (state_lookup.hpp move_element).
function moveElement<T>(list: T[], from: number, to: number): void {
  if (from < 0 || from >= list.length || to < 0 || to >= list.length) return;
  const [x] = list.splice(from, 1);
  list.splice(to, 0, x);
}

function eraseAt<T>(list: T[], index: number): void {
  if (index >= 0 && index < list.length) list.splice(index, 1);
}

const indexOfId = (list: { id: string }[], id: string): number => list.findIndex((x) => x.id === id);

// ---- speaking order (port of server/domain/queue_order.cpp) ---------------------------------

// What the fairness rules may use of a participant (queue_order.hpp fair_group/fair_attendance):
// the group only once verified, the attendance only once verified; unverified, a participant
// counts as having no group and an unknown attendance.
export function fairGroup(participant: Participant): string {
  return participant.groupVerified ? participant.stakeholderGroup : '';
}

export function fairAttendance(participant: Participant): Attendance {
  return participant.attendanceVerified ? participant.attendance : 'ATTENDANCE_UNSPECIFIED';
}

export function groupKey(stakeholderGroup: string): string {
  return stakeholderGroup ? stakeholderGroup : 'unspecified';
}

export function attendanceKey(attendance: Attendance): string {
  if (attendance === 'ATTENDANCE_IN_ROOM') return 'in_room';
  if (attendance === 'ATTENDANCE_REMOTE') return 'remote';
  return 'unspecified';
}

function earlier(a: QueueEntry, b: QueueEntry): number {
  if (a.requestOrder !== b.requestOrder) return a.requestOrder < b.requestOrder ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

// Keeps the candidates for which keep() holds, if that leaves some and drops some.
function narrow(candidates: QueueEntry[], keep: (e: QueueEntry) => boolean): QueueEntry[] | null {
  const kept = candidates.filter(keep);
  if (kept.length === 0 || kept.length === candidates.length) return null;
  return kept;
}

// Greedy simulation of who speaks next among waiting speak requests. Each pick narrows the
// candidates rule by rule (first_time_first, alternate_attendance, stakeholder_balance); the
// last rule that actually narrowed them gives the reason; request order picks among the rest.
function orderSpeakRequests(state: MeetingState, item: AgendaItem, entries: QueueEntry[]): QueueEntry[] {
  const policy = state.settings.queuePolicy;
  const byId = new Map(state.participants.map((p) => [p.id, p]));
  const attendanceOf = (pid: string): Attendance => {
    const p = byId.get(pid);
    return p ? fairAttendance(p) : 'ATTENDANCE_UNSPECIFIED';
  };
  const groupOf = (pid: string): string => {
    const p = byId.get(pid);
    return groupKey(p ? fairGroup(p) : '');
  };

  const spoken = new Set<string>();
  let previousAttendance: Attendance = 'ATTENDANCE_UNSPECIFIED';
  for (const iv of state.interventions) {
    if (iv.itemId === item.id) {
      spoken.add(iv.participantId);
      previousAttendance = iv.attendance;
    }
  }
  if (item.speakers.hasFloor) {
    const holder = item.speakers.floor.participantId;
    spoken.add(holder);
    previousAttendance = attendanceOf(holder);
  }
  const groupTime = new Map<string, number>();
  const groupRank = new Map<string, number>();
  let turnMs = 0;
  if (policy.stakeholderBalance) {
    for (const f of state.equity.byGroup) groupTime.set(f.key, (groupTime.get(f.key) || 0) + f.speakingMs);
    state.stakeholderGroups.forEach((g, i) => { if (!groupRank.has(g)) groupRank.set(g, i); });
    turnMs = state.settings.defaultSpeakingTimeMs > 0
      ? state.settings.defaultSpeakingTimeMs : ASSUMED_TURN_MS_WITHOUT_LIMIT;
    // The running turn counts as a full turn for the speaker's group (as in queue_order.cpp).
    if (item.speakers.hasFloor) {
      const g = groupOf(item.speakers.floor.participantId);
      groupTime.set(g, (groupTime.get(g) || 0) + turnMs);
    }
  }
  const groupBefore = (a: string, b: string): boolean => {
    const ra = groupRank.get(a);
    const rb = groupRank.get(b);
    if (ra !== undefined && rb !== undefined) return ra < rb;
    if (ra !== undefined) return true;
    if (rb !== undefined) return false;
    return a < b;
  };

  const remaining = [...entries].sort(earlier);
  const placed: QueueEntry[] = [];
  while (remaining.length > 0) {
    let candidates = remaining;
    let reason: string = REASON.order;
    if (policy.firstTimeFirst) {
      const kept = narrow(candidates, (e) => !spoken.has(e.participantId));
      if (kept) { candidates = kept; reason = REASON.firstTime; }
    }
    if (policy.alternateAttendance) {
      let wanted: Attendance = 'ATTENDANCE_UNSPECIFIED';
      if (previousAttendance === 'ATTENDANCE_IN_ROOM') wanted = 'ATTENDANCE_REMOTE';
      if (previousAttendance === 'ATTENDANCE_REMOTE') wanted = 'ATTENDANCE_IN_ROOM';
      if (wanted !== 'ATTENDANCE_UNSPECIFIED') {
        const room = candidates.some((e) => attendanceOf(e.participantId) === 'ATTENDANCE_IN_ROOM');
        const remote = candidates.some((e) => attendanceOf(e.participantId) === 'ATTENDANCE_REMOTE');
        if (room && remote) {
          const kept = narrow(candidates, (e) => attendanceOf(e.participantId) === wanted);
          if (kept) { candidates = kept; reason = REASON.alternate; }
        }
      }
    }
    let groupReason = '';
    if (policy.stakeholderBalance) {
      let haveBest = false;
      let best = '';
      let bestTime = 0;
      for (const e of candidates) {
        const group = groupOf(e.participantId);
        const time = groupTime.get(group) || 0;
        if (!haveBest || time < bestTime || (time === bestTime && groupBefore(group, best))) {
          haveBest = true;
          best = group;
          bestTime = time;
        }
      }
      const kept = narrow(candidates, (e) => groupOf(e.participantId) === best);
      if (kept) { candidates = kept; groupReason = best + REASON.groupSuffix; }
    }
    // Candidates stay in request order, so the first one is the earliest request.
    const chosen = candidates[0];
    remaining.splice(remaining.indexOf(chosen), 1);
    chosen.reason = groupReason || reason;
    spoken.add(chosen.participantId);
    previousAttendance = attendanceOf(chosen.participantId);
    if (policy.stakeholderBalance) {
      const g = groupOf(chosen.participantId);
      groupTime.set(g, (groupTime.get(g) || 0) + turnMs);
    }
    placed.push(chosen);
  }
  return placed;
}

// Reorders one item's waiting list the way the domain does and sets each entry's reason:
// points of order (first in, first out), then replies (first in, first out), then speak
// requests by policy; pinned entries (moved by the chair) keep their index.
export function orderWaiting(state: MeetingState, item: AgendaItem): void {
  const waiting = item.speakers.waiting;
  if (waiting.length === 0) return;
  const pinned: { index: number; e: QueueEntry }[] = [];
  const points: QueueEntry[] = [];
  const replies: QueueEntry[] = [];
  const speak: QueueEntry[] = [];
  waiting.forEach((e, index) => {
    if (e.pinned) {
      e.reason = REASON.pinned;
      pinned.push({ index, e });
    } else if (e.kind === 'REQUEST_KIND_POINT_OF_ORDER') points.push(e);
    else if (e.kind === 'REQUEST_KIND_REPLY') replies.push(e);
    else speak.push(e);
  });
  points.sort(earlier).forEach((e) => { e.reason = REASON.pointOfOrder; });
  replies.sort(earlier).forEach((e) => { e.reason = REASON.reply; });
  const ordered = [...points, ...replies, ...orderSpeakRequests(state, item, speak)];

  const total = waiting.length;
  const out: QueueEntry[] = [];
  let nextPinned = 0;
  let nextOrdered = 0;
  for (let slot = 0; slot < total; slot++) {
    const pinnedHere = nextPinned < pinned.length
      && (pinned[nextPinned].index <= slot || nextOrdered >= ordered.length);
    out.push(pinnedHere ? pinned[nextPinned++].e : ordered[nextOrdered++]);
  }
  item.speakers.waiting = out;
}

function reorderAll(state: MeetingState): void {
  for (const item of state.agenda) orderWaiting(state, item);
}

// ---- evolve (port of server/domain/*.cpp apply_*) ------------------------------------------

function addFigure(list: SpeakingFigure[], key: string, ms: number): void {
  let f: SpeakingFigure | null = null;
  for (const x of list) if (x.key === key) f = x;
  if (!f) {
    f = { key, speakingMs: 0, turns: 0 };
    list.push(f);
  }
  f.speakingMs += ms;
  f.turns += 1;
}

function refreshOnline(p: Participant): void {
  p.connectionCount = p.connectionIds.length;
  p.online = p.connectionCount > 0;
}

function addToTally(poll: Poll, choices: number[], sign: number): void {
  while (poll.tally.length < poll.options.length) poll.tally.push(0);
  for (const c of choices) {
    if (c >= poll.tally.length) continue;
    if (sign > 0) poll.tally[c] += 1;
    else if (poll.tally[c] > 0) poll.tally[c] -= 1;
  }
}

function floorOf(state: MeetingState, itemId: string): Floor | null {
  const item = findItem(state, itemId);
  return item && item.speakers.hasFloor ? item.speakers.floor : null;
}

// Event bodies are the plain forms of the events.proto messages (src/types.ts); typed loosely
// here because the handler is picked by the oneof's name at run time.
type Handler = (s: MeetingState, b: Plain, ev: MirrorEvent, opts: EvolveOptions) => void;

const handlers: Record<string, Handler> = {
  meetingCreated(s, b, ev) {
    s.meetingId = b.meetingId;
    s.title = b.title;
    s.languages = b.languages;
    s.stakeholderGroups = b.stakeholderGroups;
    s.settings = b.settings;
    s.status = 'MEETING_STATUS_SCHEDULED';
    s.createdAtMs = ev.atMs;
  },
  meetingStarted(s, _b, ev) {
    s.status = 'MEETING_STATUS_LIVE';
    s.startedAtMs = ev.atMs;
  },
  meetingEnded(s, _b, ev) {
    s.status = 'MEETING_STATUS_ENDED';
    s.endedAtMs = ev.atMs;
  },
  meetingUpdated(s, b) {
    if (b.title) s.title = b.title;
    if (b.languages.length) s.languages = b.languages;
    if (b.stakeholderGroups.length) {
      s.stakeholderGroups = b.stakeholderGroups;
      reorderAll(s); // stakeholder balance breaks ties by the groups' order
    }
  },
  queuePolicyChanged(s, b) {
    s.settings.queuePolicy = b.policy;
    reorderAll(s);
  },
  defaultSpeakingTimeChanged(s, b) {
    s.settings.defaultSpeakingTimeMs = b.timeLimitMs;
    reorderAll(s); // stakeholder balance assumes this time for each waiting turn
  },

  participantAdded(s, b) {
    const p = b.participant;
    if (!p.id || findParticipant(s, p.id)) return;
    refreshOnline(p);
    s.participants.push(p);
  },
  participantUpdated(s, b) {
    const p = findParticipant(s, b.participantId);
    if (!p) return;
    if (b.displayName) p.displayName = b.displayName;
    const reorder = !!b.stakeholderGroup || b.attendance !== 'ATTENDANCE_UNSPECIFIED';
    if (b.stakeholderGroup) p.stakeholderGroup = b.stakeholderGroup;
    if (b.attendance !== 'ATTENDANCE_UNSPECIFIED') p.attendance = b.attendance;
    if (reorder) reorderAll(s);
  },

  // ---- admission, verification, check-in ----
  participantRegistered(s, b) {
    const p = b.participant;
    if (!p.id || findParticipant(s, p.id)) return;
    p.connectionIds = [];
    refreshOnline(p);
    s.participants.push(p);
    s.settings.admission.registrations += 1;
  },
  registrationChanged(s, b) {
    s.settings.admission.mode = b.mode;
    s.settings.admission.registrationCap = b.registrationCap;
  },
  inviteCodeRotated(s, b) {
    s.settings.admission.inviteNonce = b.inviteNonce;
  },
  participantAdmitted(s, b) {
    const p = findParticipant(s, b.participantId);
    if (!p) return;
    p.admission = 'ADMISSION_STATUS_ADMITTED';
    if (b.stakeholderGroup) p.stakeholderGroup = b.stakeholderGroup;
    if (b.attendance !== 'ATTENDANCE_UNSPECIFIED') p.attendance = b.attendance;
    p.groupVerified = b.groupVerified;
    p.attendanceVerified = b.attendanceVerified;
    reorderAll(s);
  },
  participantRemoved(s, b) {
    const p = findParticipant(s, b.participantId);
    if (!p) return;
    // Their requests and turn ended with events decided with this one; ballots stay counted.
    p.admission = 'ADMISSION_STATUS_REMOVED';
  },
  participantVerified(s, b) {
    const p = findParticipant(s, b.participantId);
    if (!p) return;
    p.stakeholderGroup = b.stakeholderGroup;
    p.attendance = b.attendance;
    p.groupVerified = true;
    p.attendanceVerified = true;
    reorderAll(s);
  },
  participantChangeRequested(s, b) {
    const p = findParticipant(s, b.participantId);
    if (!p) return;
    p.requestedGroup = b.stakeholderGroup;
    p.requestedAttendance = b.attendance;
  },
  participantRequestAnswered(s, b) {
    const p = findParticipant(s, b.participantId);
    if (!p) return;
    if (b.accepted) {
      if (p.requestedGroup) {
        p.stakeholderGroup = p.requestedGroup;
        p.groupVerified = true;
      }
      if (p.requestedAttendance !== 'ATTENDANCE_UNSPECIFIED') {
        p.attendance = p.requestedAttendance;
        p.attendanceVerified = true;
      }
    }
    p.requestedGroup = '';
    p.requestedAttendance = 'ATTENDANCE_UNSPECIFIED';
    if (b.accepted) reorderAll(s);
  },
  checkInChanged(s, b) {
    // Opening starts without a code (due at once); closing forgets the codes.
    s.checkIn = closedCheckIn(b.open);
  },
  checkInCodeRotated(s, b, ev) {
    const c = s.checkIn;
    if (!c.open) return;
    c.previousCode = c.code;
    c.code = b.code;
    c.rotatedAtMs = ev.atMs;
    c.nextRotationMs = b.nextRotationMs;
    c.previousValidUntilMs = b.previousValidUntilMs;
  },
  participantCheckedIn(s, b, ev) {
    const p = findParticipant(s, b.participantId);
    if (!p) return;
    p.attendance = 'ATTENDANCE_IN_ROOM';
    p.attendanceVerified = true;
    p.checkedInAtMs = ev.atMs;
    p.requestedAttendance = 'ATTENDANCE_UNSPECIFIED'; // settled by the check-in
    reorderAll(s);
  },

  connectionOpened(s, b) {
    const p = findParticipant(s, b.participantId);
    if (!p || p.connectionIds.includes(b.connectionId)) return;
    p.connectionIds.push(b.connectionId);
    refreshOnline(p);
  },
  connectionClosed(s, b) {
    const p = findParticipant(s, b.participantId);
    if (!p) return;
    eraseAt(p.connectionIds, p.connectionIds.indexOf(b.connectionId));
    refreshOnline(p);
  },
  // Many joins and leaves at once (roster.cpp apply_presence_changed): first the people added,
  // then connections opened, then closed, then each named instance's audience count replaced
  // (removed when it counts nobody).
  presenceChanged(s, b) {
    for (const p of b.added) {
      if (!p.id || findParticipant(s, p.id)) continue;
      refreshOnline(p);
      s.participants.push(p);
    }
    if (b.opened.length + b.closed.length > 0) {
      const byId = new Map(s.participants.map((p): [string, Participant] => [p.id, p]));
      for (const o of b.opened) {
        const p = byId.get(o.participantId);
        if (!p || p.connectionIds.includes(o.connectionId)) continue;
        p.connectionIds.push(o.connectionId);
        refreshOnline(p);
      }
      for (const c of b.closed) {
        const p = byId.get(c.participantId);
        if (!p) continue;
        eraseAt(p.connectionIds, p.connectionIds.indexOf(c.connectionId));
        refreshOnline(p);
      }
    }
    for (const count of b.audience) {
      const at = s.audience.findIndex((a) => a.instanceId === count.instanceId);
      const empty = count.observers === 0 && count.displays === 0;
      if (at < 0) {
        if (!empty) s.audience.push(count);
      } else if (empty) {
        eraseAt(s.audience, at);
      } else {
        s.audience[at] = count;
      }
    }
  },

  agendaItemAdded(s, b) {
    if (!b.item.id || findItem(s, b.item.id)) return;
    s.agenda.push(b.item);
    moveElement(s.agenda, s.agenda.length - 1, clampPosition(b.position, s.agenda.length));
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
    const from = indexOfId(s.agenda, b.itemId);
    if (from < 0) return;
    moveElement(s.agenda, from, clampPosition(b.position, s.agenda.length));
  },
  agendaItemRemoved(s, b) {
    eraseAt(s.agenda, indexOfId(s.agenda, b.itemId));
    if (s.currentItemId === b.itemId) s.currentItemId = '';
  },
  agendaItemStarted(s, b, ev) {
    const item = findItem(s, b.itemId);
    if (!item) return;
    item.status = 'AGENDA_ITEM_STATUS_ACTIVE';
    // The first start is the actual start for the minutes; a reopened item keeps it.
    if (item.startedAtMs === 0) item.startedAtMs = ev.atMs;
    item.endedAtMs = 0;
    s.currentItemId = b.itemId;
  },
  agendaItemClosed(s, b, ev) {
    const item = findItem(s, b.itemId);
    if (!item) return;
    item.status = b.skipped ? 'AGENDA_ITEM_STATUS_SKIPPED' : 'AGENDA_ITEM_STATUS_DONE';
    item.endedAtMs = ev.atMs;
    if (s.currentItemId === b.itemId) s.currentItemId = '';
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
    const item = findItem(s, b.itemId);
    if (!item || !b.entry.id || indexOfId(item.speakers.waiting, b.entry.id) >= 0) return;
    const entry = b.entry;
    entry.pinned = false;
    item.speakers.waiting.push(entry);
    if (entry.requestOrder >= s.nextRequestOrder) s.nextRequestOrder = entry.requestOrder + 1;
    orderWaiting(s, item);
  },
  requestWithdrawn(s, b) {
    const item = findItem(s, b.itemId);
    if (!item) return;
    const index = indexOfId(item.speakers.waiting, b.entryId);
    if (index < 0) return;
    eraseAt(item.speakers.waiting, index);
    orderWaiting(s, item);
  },
  requestMoved(s, b) {
    const item = findItem(s, b.itemId);
    if (!item) return;
    const waiting = item.speakers.waiting;
    const from = indexOfId(waiting, b.entryId);
    if (from < 0) return;
    const to = b.position < 0 || b.position >= waiting.length ? waiting.length - 1 : b.position;
    moveElement(waiting, from, to);
    waiting[to].pinned = true;
    orderWaiting(s, item);
  },
  listClosedChanged(s, b) {
    const item = findItem(s, b.itemId);
    if (item) item.speakers.closed = b.closed;
  },
  floorGranted(s, b) {
    const item = findItem(s, b.itemId);
    if (!item) return;
    item.speakers.floor = b.floor;
    item.speakers.hasFloor = true;
    if (b.floor.entryId) eraseAt(item.speakers.waiting, indexOfId(item.speakers.waiting, b.floor.entryId));
    orderWaiting(s, item); // the new speaker counts as having spoken
  },
  floorPaused(s, b) {
    const f = floorOf(s, b.itemId);
    if (!f || f.paused) return;
    f.elapsedBeforePauseMs = floorElapsedMs(f, b.atMs);
    f.paused = true;
    f.pausedAtMs = b.atMs;
  },
  floorResumed(s, b) {
    const f = floorOf(s, b.itemId);
    if (!f || !f.paused) return;
    f.paused = false;
    f.pausedAtMs = 0;
    f.resumedAtMs = b.atMs;
  },
  turnEnded(s, b) {
    const iv = b.intervention;
    const item = findItem(s, iv.itemId);
    if (item) {
      item.speakers.floor = emptyFloor();
      item.speakers.hasFloor = false;
    }
    s.interventions.push(iv);
    addFigure(s.equity.byGroup, groupKey(iv.stakeholderGroup), iv.durationMs);
    addFigure(s.equity.byAttendance, attendanceKey(iv.attendance), iv.durationMs);
    reorderAll(s); // first-time on this item, alternation and balance all moved
  },
  turnTimeLimitChanged(s, b) {
    const f = floorOf(s, b.itemId);
    if (f) f.timeLimitMs = b.timeLimitMs;
  },

  pollCreated(s, b) {
    if (!b.poll.id || findPoll(s, b.poll.id)) return;
    s.polls.push(b.poll);
  },
  pollOpened(s, b, ev) {
    const poll = findPoll(s, b.pollId);
    if (!poll || poll.status !== 'POLL_STATUS_DRAFT') return;
    poll.status = 'POLL_STATUS_OPEN';
    poll.openedAtMs = ev.atMs;
  },
  pollClosed(s, b, ev) {
    const poll = findPoll(s, b.pollId);
    if (!poll || poll.status !== 'POLL_STATUS_OPEN') return;
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
    if (!poll || poll.status !== 'POLL_STATUS_CLOSED') return;
    poll.status = 'POLL_STATUS_PUBLISHED';
    if (b.tally.length) poll.tally = b.tally;
    if (poll.secrecy === 'POLL_SECRECY_NAMED' && b.ballots.length) poll.ballots = b.ballots;
    poll.tallyVisible = true;
  },
  pollDeleted(s, b) {
    eraseAt(s.polls, indexOfId(s.polls, b.pollId));
  },
  ballotCast(s, b, _ev, opts) {
    const poll = findPoll(s, b.pollId);
    if (!poll || !b.voterId) return;
    if (!poll.voterIds.includes(b.voterId)) poll.voterIds.push(b.voterId);
    if (b.choices.length === 0) return; // a projected ballot: who voted, not what
    if (poll.secrecy === 'POLL_SECRECY_SECRET') {
      addToTally(poll, b.choices, +1); // counted, and who chose what is forgotten
      return;
    }
    // Client-only (the domain's evolve has no viewer): the viewer's own named ballot.
    if (opts.viewerId && b.voterId === opts.viewerId) poll.myChoices = [...b.choices];
    let previous: { voterId: string; choices: number[] } | null = null;
    for (const ballot of poll.ballots) if (ballot.voterId === b.voterId) previous = ballot;
    if (previous) {
      addToTally(poll, previous.choices, -1);
      previous.choices = [...b.choices];
    } else {
      poll.ballots.push({ voterId: b.voterId, choices: [...b.choices] });
    }
    addToTally(poll, b.choices, +1);
  },

  contributionSubmitted(s, b) {
    if (!b.contribution.id || findContribution(s, b.contribution.id)) return;
    s.contributions.push(b.contribution);
  },
  contributionUpvoted(s, b) {
    const c = findContribution(s, b.contributionId);
    if (!c || !b.voterId || c.upvoterIds.includes(b.voterId)) return;
    c.upvoterIds.push(b.voterId);
    c.upvotes = c.upvoterIds.length;
  },
  contributionMarked(s, b) {
    const list = s.contributions;
    let c = findContribution(s, b.contributionId);
    const carried = b.contribution && b.contribution.id === b.contributionId ? b.contribution : null;
    if (!c && carried) {
      let at = list.length;
      while (at > 0 && list[at - 1].createdAtMs > carried.createdAtMs) at -= 1;
      list.splice(at, 0, carried);
      c = carried;
    } else if (c && carried) {
      Object.assign(c, carried);
    }
    // Hidden text leaves the room's screen with it.
    if (b.hidden && s.onScreenContributionId === b.contributionId) s.onScreenContributionId = '';
    if (!c) return;
    c.answered = b.answered;
    c.hidden = b.hidden;
    // Hiding the contribution on the room display takes it off (commands.proto ShowContribution).
    if (b.hidden && s.onScreenContributionId === b.contributionId) s.onScreenContributionId = '';
  },
  contributionShown(s, b) {
    s.onScreenContributionId = b.contributionId;
  },
};

/** The Event kinds (JSON names) evolve applies; every other kind only advances seq. */
export const HANDLED_KINDS: readonly string[] = Object.freeze(Object.keys(handlers));

// Applies one normalized event in place (like the domain's evolve) and returns the state.
// A redacted stub (kind null) only advances seq. opts.viewerId lets the viewer's own ballot
// events fill poll.myChoices.
export function evolve(state: MeetingState, event: MirrorEvent, opts: EvolveOptions = {}): MeetingState {
  if (event.kind) {
    const handler = handlers[event.kind];
    if (handler && event.body) handler(state, event.body, event, opts);
  }
  if (event.seq > 0) state.seq = event.seq;
  return state;
}

// Applies a batch in seq order: events at or below state.seq are ignored; a gap stops the
// batch and is reported so the caller can resume from state.seq.
// Returns {applied, gap} where gap is null or {expected, got}.
export function applyEvents(state: MeetingState, events: readonly unknown[], opts: EvolveOptions = {}): ApplyResult {
  let applied = 0;
  for (const raw of events) {
    const event = isMirrorEvent(raw) ? raw : normalizeEvent(raw as Parameters<typeof normalizeEvent>[0]);
    if (event.seq <= state.seq) continue;
    if (event.seq !== state.seq + 1) return { applied, gap: { expected: state.seq + 1, got: event.seq } };
    evolve(state, event, opts);
    applied += 1;
  }
  return { applied, gap: null };
}

function isMirrorEvent(x: unknown): x is MirrorEvent {
  return typeof x === 'object' && x !== null && 'body' in x && 'kind' in x && typeof (x as MirrorEvent).seq === 'number';
}
