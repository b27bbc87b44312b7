// Unit tests of the JavaScript mirror (mirror.js): npm test (client-sdk/ts)
// The cross-language vectors generated from the C++ domain will sit beside these.

import test from 'node:test';
import assert from 'node:assert/strict';
import type { MeetingState } from '../types.js';
import { applyEvents, emptyState, normalizeEvent, currentItem, floorElapsedMs, REASON } from '../mirror.js';

let seq = 0;
const ev = (kind: string, body: object, atMs = 1000) => ({ seq: String(++seq), atMs: String(atMs), [kind]: body });

// Admin-issued participants: their group and attendance are verified (roster.cpp).
function meeting(extra = []) {
  seq = 0;
  const state = emptyState();
  const events = [
    ev('meetingCreated', {
      meetingId: 'm1', title: 'الإصلاح الرقمي', languages: ['ar', 'en'],
      stakeholderGroups: ['government', 'civil_society', 'academia'],
      settings: { defaultSpeakingTimeMs: '180000' },
    }),
    ev('meetingStarted', {}),
    ev('participantAdded', { participant: { groupVerified: true, attendanceVerified: true, id: 'chair', displayName: 'Chair', role: 'ROLE_MODERATOR', attendance: 'ATTENDANCE_IN_ROOM' } }),
    ev('participantAdded', { participant: { groupVerified: true, attendanceVerified: true, id: 'a', displayName: 'أمل', role: 'ROLE_PARTICIPANT', stakeholderGroup: 'government', attendance: 'ATTENDANCE_IN_ROOM' } }),
    ev('participantAdded', { participant: { groupVerified: true, attendanceVerified: true, id: 'b', displayName: 'Bashir', role: 'ROLE_PARTICIPANT', stakeholderGroup: 'civil_society', attendance: 'ATTENDANCE_REMOTE' } }),
    ev('participantAdded', { participant: { groupVerified: true, attendanceVerified: true, id: 'c', displayName: 'Camila', role: 'ROLE_PARTICIPANT', stakeholderGroup: 'academia', attendance: 'ATTENDANCE_IN_ROOM' } }),
    ev('agendaItemAdded', { item: { id: 'i1', title: 'Item one', status: 'AGENDA_ITEM_STATUS_PENDING' }, position: 0 }),
    ev('agendaItemStarted', { itemId: 'i1' }),
    ...extra,
  ];
  const { gap } = applyEvents(state, events);
  assert.equal(gap, null);
  return state;
}

let order = 0;
const request = (id: string, participantId: string, kind = 'REQUEST_KIND_SPEAK') => ev('floorRequested', {
  itemId: 'i1', entry: { id, participantId, kind, requestOrder: String(order++) },
});
const waitingIds = (state: MeetingState) => currentItem(state)!.speakers.waiting.map((e) => e.id);
const reasons = (state: MeetingState) => currentItem(state)!.speakers.waiting.map((e) => e.reason);

test('normalize fills proto3 defaults', () => {
  const s = emptyState();
  assert.equal(s.seq, 0);
  assert.equal(s.status, 'MEETING_STATUS_UNSPECIFIED');
  assert.deepEqual(s.agenda, []);
  assert.equal(s.settings.queuePolicy.firstTimeFirst, false);
  const e = normalizeEvent({ seq: '7', floorPaused: {} });
  assert.equal(e.kind, 'floorPaused');
  assert.equal(e.body!.atMs, 0);
  assert.equal(e.body!.itemId, '');
});

test('stubs advance seq; duplicates are ignored; a gap is reported', () => {
  const s = meeting();
  const at = s.seq;
  assert.deepEqual(applyEvents(s, [{ seq: String(at + 1) }]), { applied: 1, gap: null });
  assert.equal(s.seq, at + 1);
  assert.deepEqual(applyEvents(s, [{ seq: String(at), meetingEnded: {} }]), { applied: 0, gap: null });
  assert.equal(s.status, 'MEETING_STATUS_LIVE');
  const r = applyEvents(s, [{ seq: String(at + 3), meetingEnded: {} }]);
  assert.deepEqual(r.gap, { expected: at + 2, got: at + 3 });
  assert.equal(s.status, 'MEETING_STATUS_LIVE');
});

test('points of order, then replies, then speak requests; reasons explain it', () => {
  order = 0;
  const s = meeting();
  seq = s.seq;
  applyEvents(s, [
    request('e1', 'a'),
    request('e2', 'b', 'REQUEST_KIND_REPLY'),
    request('e3', 'c', 'REQUEST_KIND_POINT_OF_ORDER'),
    request('e4', 'b'),
  ]);
  assert.deepEqual(waitingIds(s), ['e3', 'e2', 'e1', 'e4']);
  assert.deepEqual(reasons(s), [REASON.pointOfOrder, REASON.reply, REASON.order, REASON.order]);
  assert.equal(s.nextRequestOrder, 4);
});

test('a moved entry is pinned at its index while the rest reorder', () => {
  order = 0;
  const s = meeting();
  seq = s.seq;
  applyEvents(s, [request('e1', 'a'), request('e2', 'b'), request('e3', 'c'),
    ev('requestMoved', { itemId: 'i1', entryId: 'e3', position: 0 })]);
  assert.deepEqual(waitingIds(s), ['e3', 'e1', 'e2']);
  assert.equal(currentItem(s)!.speakers.waiting[0].pinned, true);
  assert.equal(reasons(s)[0], REASON.pinned);
  applyEvents(s, [request('e4', 'a', 'REQUEST_KIND_POINT_OF_ORDER')]);
  assert.deepEqual(waitingIds(s), ['e3', 'e4', 'e1', 'e2']);
});

test('first_time_first puts people who have not spoken on the item first', () => {
  order = 0;
  const s = meeting();
  seq = s.seq;
  applyEvents(s, [
    ev('floorGranted', { itemId: 'i1', floor: { participantId: 'a', kind: 'REQUEST_KIND_SPEAK', startedAtMs: '1000', resumedAtMs: '1000' } }),
    ev('turnEnded', { intervention: { participantId: 'a', itemId: 'i1', durationMs: '60000', stakeholderGroup: 'government', attendance: 'ATTENDANCE_IN_ROOM' } }),
    request('e1', 'a'),
    request('e2', 'b'),
  ]);
  assert.deepEqual(waitingIds(s), ['e1', 'e2']);
  applyEvents(s, [ev('queuePolicyChanged', { policy: { firstTimeFirst: true } })]);
  assert.deepEqual(waitingIds(s), ['e2', 'e1']);
  assert.deepEqual(reasons(s), [REASON.firstTime, REASON.order]);
  assert.deepEqual(s.equity.byGroup, [{ key: 'government', speakingMs: 60000, turns: 1 }]);
  assert.deepEqual(s.equity.byAttendance, [{ key: 'in_room', speakingMs: 60000, turns: 1 }]);
});

test('alternate_attendance alternates room and remote after the current speaker', () => {
  order = 0;
  const s = meeting();
  seq = s.seq;
  applyEvents(s, [
    ev('queuePolicyChanged', { policy: { alternateAttendance: true } }),
    ev('floorGranted', { itemId: 'i1', floor: { participantId: 'a', kind: 'REQUEST_KIND_SPEAK', startedAtMs: '1000' } }),
    request('e1', 'c'), // in room
    request('e2', 'b'), // remote
  ]);
  assert.deepEqual(waitingIds(s), ['e2', 'e1']);
  assert.deepEqual(reasons(s), [REASON.alternate, REASON.order]);
});

test('stakeholder_balance picks the group that has spoken least, ties by the meeting order', () => {
  order = 0;
  const s = meeting();
  seq = s.seq;
  applyEvents(s, [
    ev('turnEnded', { intervention: { participantId: 'b', itemId: 'i0', durationMs: '90000', stakeholderGroup: 'civil_society', attendance: 'ATTENDANCE_REMOTE' } }),
    request('e1', 'b'),
    request('e2', 'c'),
    request('e3', 'a'),
    ev('queuePolicyChanged', { policy: { stakeholderBalance: true } }),
  ]);
  // government and academia have 0 ms; government comes first in the meeting's groups.
  // Each placed turn is assumed to last the default speaking time (180 s).
  assert.deepEqual(waitingIds(s), ['e3', 'e2', 'e1']);
  assert.deepEqual(reasons(s), ['government has spoken least', 'academia has spoken least', REASON.order]);
});

test('pause and resume keep the spoken time; the floor clears when the turn ends', () => {
  order = 0;
  const s = meeting();
  seq = s.seq;
  applyEvents(s, [
    request('e1', 'a'),
    ev('floorGranted', { itemId: 'i1', floor: { participantId: 'a', entryId: 'e1', kind: 'REQUEST_KIND_SPEAK', startedAtMs: '10000', resumedAtMs: '10000', timeLimitMs: '60000' } }),
    ev('floorPaused', { itemId: 'i1', atMs: '25000' }),
  ]);
  const sp = currentItem(s)!.speakers;
  assert.equal(sp.hasFloor, true);
  assert.deepEqual(sp.waiting, []);
  assert.equal(floorElapsedMs(sp.floor, 99999), 15000);
  applyEvents(s, [ev('floorResumed', { itemId: 'i1', atMs: '40000' })]);
  assert.equal(floorElapsedMs(currentItem(s)!.speakers.floor, 45000), 20000);
  applyEvents(s, [ev('turnEnded', { intervention: { participantId: 'a', itemId: 'i1', durationMs: '20000' } })]);
  assert.equal(currentItem(s)!.speakers.hasFloor, false);
  assert.equal(s.interventions.length, 1);
  assert.deepEqual(s.equity.byGroup, [{ key: 'unspecified', speakingMs: 20000, turns: 1 }]);
});

test('named ballots update the tally and may change; stubs only count the voter', () => {
  const s = meeting([]);
  seq = s.seq;
  applyEvents(s, [
    ev('pollCreated', { poll: { id: 'p1', question: 'Q', kind: 'POLL_KIND_YES_NO_ABSTAIN', secrecy: 'POLL_SECRECY_NAMED', visibility: 'RESULTS_VISIBILITY_LIVE', options: ['yes', 'no', 'abstain'], status: 'POLL_STATUS_DRAFT', tallyVisible: true } }),
    ev('pollOpened', { pollId: 'p1' }),
    ev('ballotCast', { pollId: 'p1', voterId: 'a', choices: [0] }),
    ev('ballotCast', { pollId: 'p1', voterId: 'b', choices: [1] }),
    ev('ballotCast', { pollId: 'p1', voterId: 'a', choices: [2], replacesPrevious: true }),
    ev('ballotCast', { pollId: 'p1', voterId: 'c' }),
  ], { viewerId: 'a' });
  const poll = s.polls[0];
  assert.deepEqual(poll.tally, [0, 1, 1]);
  assert.deepEqual(poll.voterIds, ['a', 'b', 'c']);
  assert.deepEqual(poll.myChoices, [2]);
  applyEvents(s, [ev('pollClosed', { pollId: 'p1', tally: [1, 1, 1], eligibleOnline: 5 })]);
  assert.equal(poll.status, 'POLL_STATUS_CLOSED');
  assert.deepEqual(poll.tally, [1, 1, 1]);
  assert.equal(poll.eligibleOnlineAtClose, 5);
});

test('a hidden contribution shown again is inserted in creation order', () => {
  const s = meeting([]);
  seq = s.seq;
  applyEvents(s, [
    ev('contributionSubmitted', { contribution: { id: 'k1', text: 'one', createdAtMs: '100' } }),
    ev('contributionSubmitted', { contribution: { id: 'k3', text: 'three', createdAtMs: '300' } }),
    ev('contributionMarked', { contributionId: 'k2', contribution: { id: 'k2', text: 'two', createdAtMs: '200', upvotes: 2 } }),
    ev('contributionUpvoted', { contributionId: 'k1', voterId: 'a' }),
    ev('contributionUpvoted', { contributionId: 'k1', voterId: 'a' }),
  ]);
  assert.deepEqual(s.contributions.map((c) => c.id), ['k1', 'k2', 'k3']);
  assert.equal(s.contributions[0].upvotes, 1);
  assert.equal(s.contributions[1].upvotes, 2);
});

test('the contribution on the display: shown, replaced, taken off by hiding it', () => {
  const s = meeting([]);
  seq = s.seq;
  applyEvents(s, [
    ev('contributionSubmitted', { contribution: { id: 'k1', text: 'one', createdAtMs: '100' } }),
    ev('contributionSubmitted', { contribution: { id: 'k2', text: 'two', createdAtMs: '200' } }),
    ev('contributionShown', { contributionId: 'k1' }),
  ]);
  assert.equal(s.onScreenContributionId, 'k1');
  applyEvents(s, [ev('contributionShown', { contributionId: 'k2' }), ev('contributionMarked', { contributionId: 'k1', hidden: true })]);
  assert.equal(s.onScreenContributionId, 'k2');
  applyEvents(s, [ev('contributionMarked', { contributionId: 'k2', answered: true })]);
  assert.equal(s.onScreenContributionId, 'k2');
  applyEvents(s, [ev('contributionMarked', { contributionId: 'k2', hidden: true })]);
  assert.equal(s.onScreenContributionId, '');
  applyEvents(s, [ev('contributionShown', { contributionId: 'k1' }), ev('contributionShown', {})]);
  assert.equal(s.onScreenContributionId, '');
});

// ---- admission, verification, check-in (the vectors hold these to the C++ domain too) -------

// Applies events built after the fixture (ev() numbers them from the fixture's seq on).
function play(state: MeetingState, events: object[]) {
  const { gap, applied } = applyEvents(state, events);
  assert.equal(gap, null);
  assert.equal(applied, events.length);
}

test('fairness reads verified values only: an unverified attendance never alternates', () => {
  const state = meeting();
  play(state, [
    ev('queuePolicyChanged', { policy: { alternateAttendance: true } }),
    ev('participantRegistered', { participant: { id: 'r', displayName: 'Reg', role: 'ROLE_PARTICIPANT', stakeholderGroup: 'academia', attendance: 'ATTENDANCE_REMOTE', admission: 'ADMISSION_STATUS_ADMITTED', selfRegistered: true } }),
    ev('floorGranted', { itemId: 'i1', floor: { participantId: 'a', entryId: '', startedAtMs: '1000' } }), // in the room
    request('e-c', 'c'),
    request('e-r', 'r'),
  ]);
  assert.equal(state.settings.admission.registrations, 1);
  // r says remote but is unverified: alternation cannot pick them over c.
  assert.deepEqual(waitingIds(state), ['e-c', 'e-r']);
  play(state, [ev('participantVerified', { participantId: 'r', stakeholderGroup: 'academia', attendance: 'ATTENDANCE_REMOTE' })]);
  assert.deepEqual(waitingIds(state), ['e-r', 'e-c'], 'verified remote alternates after a room speaker');
  assert.equal(reasons(state)[0], REASON.alternate);
});

test('lobby, admission with a correction, removal, admission again', () => {
  const state = meeting();
  play(state, [
    ev('registrationChanged', { mode: 'REGISTRATION_MODE_APPROVAL', registrationCap: 3 }),
    ev('participantRegistered', { participant: { id: 'r', displayName: 'Reg', role: 'ROLE_PARTICIPANT', stakeholderGroup: 'academia', attendance: 'ATTENDANCE_REMOTE', admission: 'ADMISSION_STATUS_LOBBY', selfRegistered: true, connectionIds: ['stale'] } }),
  ]);
  const r = () => state.participants.find((p) => p.id === 'r')!;
  assert.equal(r().admission, 'ADMISSION_STATUS_LOBBY');
  assert.equal(r().online, false, 'a registrant starts offline');
  assert.equal(state.settings.admission.mode, 'REGISTRATION_MODE_APPROVAL');
  play(state, [ev('participantAdmitted', { participantId: 'r', stakeholderGroup: 'government', groupVerified: true })]);
  assert.equal(r().admission, 'ADMISSION_STATUS_ADMITTED');
  assert.equal(r().stakeholderGroup, 'government');
  assert.deepEqual([r().groupVerified, r().attendanceVerified], [true, false]);
  play(state, [ev('participantRemoved', { participantId: 'r' }), ev('inviteCodeRotated', { inviteNonce: 'n2' })]);
  assert.equal(r().admission, 'ADMISSION_STATUS_REMOVED');
  assert.equal(state.settings.admission.inviteNonce, 'n2');
});

test('a change request waits; declined it is dropped, accepted it is applied and verified', () => {
  const state = meeting();
  play(state, [
    ev('participantRegistered', { participant: { id: 'r', displayName: 'Reg', role: 'ROLE_PARTICIPANT', stakeholderGroup: 'academia', attendance: 'ATTENDANCE_REMOTE', admission: 'ADMISSION_STATUS_ADMITTED' } }),
    ev('participantChangeRequested', { participantId: 'r', stakeholderGroup: 'government', attendance: 'ATTENDANCE_IN_ROOM' }),
  ]);
  const r = () => state.participants.find((p) => p.id === 'r')!;
  assert.equal(r().requestedGroup, 'government');
  assert.equal(r().stakeholderGroup, 'academia', 'nothing changes before the chair answers');
  play(state, [ev('participantRequestAnswered', { participantId: 'r', accepted: false })]);
  assert.equal(r().requestedGroup, '');
  assert.equal(r().stakeholderGroup, 'academia');
  play(state, [
    ev('participantChangeRequested', { participantId: 'r', attendance: 'ATTENDANCE_IN_ROOM' }),
    ev('participantRequestAnswered', { participantId: 'r', accepted: true }),
  ]);
  assert.equal(r().attendance, 'ATTENDANCE_IN_ROOM');
  assert.deepEqual([r().groupVerified, r().attendanceVerified], [false, true]);
  assert.equal(r().requestedAttendance, 'ATTENDANCE_UNSPECIFIED');
});

test('check-in: codes rotate while open, a check-in verifies the room, closing forgets the codes', () => {
  const state = meeting();
  play(state, [
    ev('participantChangeRequested', { participantId: 'b', attendance: 'ATTENDANCE_IN_ROOM' }),
    ev('checkInCodeRotated', { code: '000000' }), // closed: ignored
    ev('checkInChanged', { open: true }),
    ev('checkInCodeRotated', { code: '482913', nextRotationMs: '31000', previousValidUntilMs: '11000' }, 1000),
    ev('checkInCodeRotated', { code: '105577', nextRotationMs: '61000', previousValidUntilMs: '41000' }, 31000),
    ev('participantCheckedIn', { participantId: 'b' }, 32000),
  ]);
  assert.deepEqual({ ...state.checkIn }, {
    open: true, code: '105577', previousCode: '482913', rotatedAtMs: 31000, nextRotationMs: 61000, previousValidUntilMs: 41000,
  });
  const b = state.participants.find((p) => p.id === 'b')!;
  assert.equal(b.attendance, 'ATTENDANCE_IN_ROOM');
  assert.equal(b.attendanceVerified, true);
  assert.equal(b.checkedInAtMs, 32000);
  assert.equal(b.requestedAttendance, 'ATTENDANCE_UNSPECIFIED', 'settled by the check-in');
  play(state, [ev('checkInChanged', { open: false })]);
  assert.equal(state.checkIn.code, '');
  assert.equal(state.checkIn.previousCode, '');
  assert.equal(state.checkIn.open, false);
});

test('the contribution on the room display: shown, replaced, taken off; hiding it takes it off', () => {
  const state = meeting();
  play(state, [
    ev('contributionSubmitted', { contribution: { id: 'c1', itemId: 'i1', authorId: 'a', text: 'سؤال عن الميزانية', createdAtMs: '2000' } }),
    ev('contributionSubmitted', { contribution: { id: 'c2', itemId: 'i1', authorId: 'b', text: 'A question', createdAtMs: '3000' } }),
  ]);
  assert.equal(state.onScreenContributionId, '', 'nothing on screen at first');
  play(state, [ev('contributionShown', { contributionId: 'c1' })]);
  assert.equal(state.onScreenContributionId, 'c1');
  play(state, [ev('contributionShown', { contributionId: 'c2' })]);
  assert.equal(state.onScreenContributionId, 'c2', 'showing another replaces it');
  play(state, [ev('contributionMarked', { contributionId: 'c1', hidden: true })]);
  assert.equal(state.onScreenContributionId, 'c2', 'hiding another one leaves the screen alone');
  play(state, [ev('contributionMarked', { contributionId: 'c2', answered: true })]);
  assert.equal(state.onScreenContributionId, 'c2', 'marking it answered leaves it on screen');
  play(state, [ev('contributionMarked', { contributionId: 'c2', answered: true, hidden: true })]);
  assert.equal(state.onScreenContributionId, '', 'hiding the one on screen takes it off');
  play(state, [ev('contributionShown', { contributionId: 'c1' }), ev('contributionShown', { contributionId: '' })]);
  assert.equal(state.onScreenContributionId, '', 'an empty id takes it off');
});
