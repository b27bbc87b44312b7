// The console's pure pieces (console_panels.js, views.js): search folding for Arabic and English,
// roster filters, the item clock against its plan, and turnout without the chair.
// node --test client-sdk/web/test/

import test from 'node:test';
import assert from 'node:assert/strict';
import { fold, rosterMatches, raisedHands, itemClock, eligibleRolesFor } from '../console_panels.js';
import { turnout } from '../views.js';

const person = (id, name, group, extra = {}) => ({
  id, displayName: name, stakeholderGroup: group, role: 'ROLE_PARTICIPANT', online: true,
  attendance: 'ATTENDANCE_IN_ROOM', admission: 'ADMISSION_STATUS_ADMITTED', groupVerified: true, attendanceVerified: true, ...extra,
});

test('search folds case, Arabic hamza forms, taa marbuta and diacritics', () => {
  assert.equal(fold('أحمد'), fold('احمد'));
  assert.equal(fold('مُحَمَّد'), fold('محمد'));
  assert.equal(fold('فاطمة'), fold('فاطمه'));
  assert.equal(fold('ACADEMIA'), 'academia');
});

test('the roster matches by name and by group in either language', () => {
  const none = new Map();
  const ahmed = person('a', 'أحمد المبروك', 'government');
  const sarah = person('s', 'Sarah Jones', 'academia', { attendance: 'ATTENDANCE_REMOTE', online: false });
  assert.ok(rosterMatches(ahmed, 'احمد', 'all', none));
  assert.ok(rosterMatches(ahmed, 'الحكومة', 'all', none));
  assert.ok(rosterMatches(ahmed, 'Government', 'all', none));
  assert.ok(!rosterMatches(ahmed, 'academia', 'all', none));
  assert.ok(rosterMatches(sarah, 'الأكاديمية', 'all', none));
  assert.ok(rosterMatches(sarah, 'jones acad', 'all', none));
  assert.ok(!rosterMatches(sarah, '', 'online', none));
  assert.ok(rosterMatches(sarah, '', 'remote', none));
  assert.ok(!rosterMatches(ahmed, '', 'remote', none));
  const item = { speakers: { waiting: [{ participantId: 's' }, { participantId: 'x' }] } };
  const hands = raisedHands(item);
  assert.equal(hands.get('s'), 1);
  assert.ok(rosterMatches(sarah, '', 'hand', hands));
  assert.ok(!rosterMatches(ahmed, '', 'hand', hands));
});

test('the item clock runs against the plan and turns over it', () => {
  const item = { status: 'AGENDA_ITEM_STATUS_ACTIVE', startedAtMs: '1000000', endedAtMs: '0', plannedMinutes: 5 };
  assert.deepEqual(itemClock(item, 1000000 + 4 * 60000), { elapsed: 240000, planned: 300000, over: false });
  assert.equal(itemClock(item, 1000000 + 5 * 60000 + 1).over, true);
  const done = { ...item, status: 'AGENDA_ITEM_STATUS_DONE', endedAtMs: String(1000000 + 60000) };
  assert.equal(itemClock(done, 9e12).elapsed, 60000);
  assert.equal(itemClock({ ...item, startedAtMs: '0' }, 5), null);
  assert.equal(itemClock({ ...item, plannedMinutes: 0 }, 1000000 + 9e6).over, false);
});

test('turnout counts only eligible roles: the chair only when the poll lets the chair vote', () => {
  const state = {
    participants: [
      person('chair', 'Chair', '', { role: 'ROLE_MODERATOR' }),
      person('a', 'A', 'government'), person('b', 'B', 'academia'),
      person('c', 'C', 'academia', { online: false }), // voted, then left
      person('d', 'Display', '', { role: 'ROLE_DISPLAY' }),
    ],
  };
  const poll = (roles) => ({ status: 'POLL_STATUS_OPEN', eligibleRoles: roles, voterIds: ['a', 'c'], eligibleOnlineAtClose: 0 });
  assert.deepEqual(turnout(state, poll(eligibleRolesFor(false))), { voted: 2, eligible: 3 });
  assert.deepEqual(turnout(state, poll(eligibleRolesFor(true))), { voted: 2, eligible: 4 });
  const closed = { ...poll(eligibleRolesFor(false)), status: 'POLL_STATUS_CLOSED', eligibleOnlineAtClose: 1 };
  assert.deepEqual(turnout(state, closed), { voted: 2, eligible: 2 }, 'never fewer eligible than voted');
});
