// The cross-language vectors (DESIGN §6): event logs generated from the C++ domain
// (tests/vectors/make_mirror_vectors.cpp, committed under tests/vectors/mirror/) with the
// states they must produce. For each audience's vector, the mirror starts from the projected
// snapshot at seq k, applies the projected events k+1..n (stubs included) one by one, and must
// equal the projected snapshot at every checkpoint on the way and at seq n, exactly.
// npm test (client-sdk/ts)

import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { HANDLED_KINDS, applyEvents, normalizeEvent, normalizeState } from '../mirror.js';
import { EVENT_KINDS } from '../schema.js';
import type { MeetingState } from '../types.js';

const DIR = new URL('../../../../tests/vectors/mirror/', import.meta.url);
const AUDIENCES = ['moderator', 'participant', 'public_view'];
// Written for scenarios where the room display sees more than the public (check-in codes).
const OPTIONAL_AUDIENCES = ['display'];

const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const load = (file: string): Json => JSON.parse(readFileSync(new URL(file, DIR), 'utf8'));

// Events carry no per-viewer data: the viewer's own choices come from their own commands, so
// the generator clears them in the snapshots and the comparison ignores them.
function withoutViewerData(state: MeetingState): MeetingState {
  for (const poll of state.polls) poll.myChoices = [];
  return state;
}

// The first place two normalized values differ, as a readable path, or null.
function firstDifference(actual: Json, expected: Json, path = 'state'): string | null {
  if (Object.is(actual, expected)) return null;
  const kind = (x: unknown) => (Array.isArray(x) ? 'array' : x === null ? 'null' : typeof x);
  if (kind(actual) !== kind(expected) || kind(actual) !== 'array' && kind(actual) !== 'object') {
    return `${path}: mirror ${JSON.stringify(actual)}, C++ ${JSON.stringify(expected)}`;
  }
  if (Array.isArray(actual)) {
    const n = Math.max(actual.length, expected.length);
    for (let i = 0; i < n; i++) {
      const id = expected[i]?.id ?? actual[i]?.id;
      const found: string | null = firstDifference(actual[i], expected[i], `${path}[${i}]${id ? ` (${id})` : ''}`);
      if (found) return found;
    }
    return null;
  }
  for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const found: string | null = firstDifference(actual[key], expected[key], `${path}.${key}`);
    if (found) return found;
  }
  return null;
}

test('the vectors are there: three audiences per meeting (and the display where it differs), every event kind', () => {
  assert.ok(files.length >= 3, `no vectors in ${DIR.pathname}`);
  const scenarios = new Map();
  const kinds = new Set();
  for (const file of files) {
    const v = load(file);
    assert.ok(AUDIENCES.includes(v.audience) || OPTIONAL_AUDIENCES.includes(v.audience), `${file}: audience ${v.audience}`);
    assert.ok(Array.isArray(v.events) && v.events.length > 0, `${file}: no events`);
    if (!scenarios.has(v.scenario)) scenarios.set(v.scenario, new Set());
    scenarios.get(v.scenario).add(v.audience);
    for (const raw of v.events) {
      const e = normalizeEvent(raw);
      if (e.kind) kinds.add(e.kind);
    }
  }
  for (const [scenario, audiences] of scenarios) {
    const required = [...audiences].filter((a) => AUDIENCES.includes(a));
    assert.deepEqual(required.sort(), [...AUDIENCES].sort(), `${scenario}: audiences`);
  }
  const missing = Object.keys(EVENT_KINDS).filter((k) => !kinds.has(k));
  assert.deepEqual(missing, [], 'event kinds the vectors never exercise');
});

test('the mirror handles every event kind of proto/ and of the C++ evolve (server/domain/evolve.cpp)', () => {
  const unhandled = Object.keys(EVENT_KINDS).filter((k) => !HANDLED_KINDS.includes(k));
  assert.deepEqual(unhandled, [], 'Event kinds the mirror ignores');
  const cpp = readFileSync(new URL('../../../../server/domain/evolve.cpp', import.meta.url), 'utf8');
  const cases = [...cpp.matchAll(/case K::k(\w+):/g)].map((m) => m[1][0].toLowerCase() + m[1].slice(1));
  assert.ok(cases.length >= 40, `read ${cases.length} cases from evolve.cpp`);
  assert.deepEqual(cases.filter((k) => !HANDLED_KINDS.includes(k)), [], 'kinds the C++ evolve applies and the mirror does not');
});

// Compares the mirror with a projected snapshot (JSON as the server sends it).
function assertSameState(state: MeetingState, json: Json, where: string) {
  const expected = withoutViewerData(normalizeState(json));
  const actual = withoutViewerData(structuredClone(state));
  const difference = firstDifference(actual, expected);
  if (difference) assert.fail(`${where}: ${difference}`);
  assert.deepEqual(actual, expected, where);
}

for (const file of files) {
  test(`mirror.js reproduces ${file}`, () => {
    const v = load(file);
    const checkpoints = new Map((v.checkpoints || []).map((c: Json) => [Number(c.seq), c.state]));
    const state = normalizeState(v.initial);
    let applied = 0;
    for (const raw of v.events) {
      const result = applyEvents(state, [raw], { viewerId: v.viewer });
      assert.equal(result.gap, null, `${file}: the vector has a seq gap at ${raw.seq}`);
      applied += result.applied;
      if (checkpoints.has(state.seq)) {
        const where = `${v.scenario} (${v.audience}) at seq ${state.seq}`;
        assertSameState(state, checkpoints.get(state.seq), where);
        checkpoints.delete(state.seq);
      }
    }
    assert.equal(applied, v.events.length, 'every event applies, in seq order');
    assert.deepEqual([...checkpoints.keys()], [], 'checkpoints no event reached');
    assertSameState(state, v.final, `${v.scenario} (${v.audience}) at the end, seq ${state.seq}`);
  });
}
