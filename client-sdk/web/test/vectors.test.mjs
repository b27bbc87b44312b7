// The cross-language vectors (DESIGN §6): event logs generated from the C++ domain
// (tests/vectors/make_mirror_vectors.cpp, committed under tests/vectors/mirror/) with the
// states they must produce. For each audience's vector, the mirror starts from the projected
// snapshot at seq k, applies the projected events k+1..n (stubs included) one by one, and must
// equal the projected snapshot at every checkpoint on the way and at seq n, exactly.
// node --test client-sdk/web/test/

import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { applyEvents, normalizeEvent, normalizeState } from '../mirror.js';
import { EVENT_KINDS } from '../schema.js';

const DIR = new URL('../../../tests/vectors/mirror/', import.meta.url);
const AUDIENCES = ['moderator', 'participant', 'public_view'];
// Written for scenarios where the room display sees more than the public (check-in codes).
const OPTIONAL_AUDIENCES = ['display'];

const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
const load = (file) => JSON.parse(readFileSync(new URL(file, DIR), 'utf8'));

// Events carry no per-viewer data: the viewer's own choices come from their own commands, so
// the generator clears them in the snapshots and the comparison ignores them.
function withoutViewerData(state) {
  for (const poll of state.polls) poll.myChoices = [];
  return state;
}

// The first place two normalized values differ, as a readable path, or null.
function firstDifference(actual, expected, path = 'state') {
  if (Object.is(actual, expected)) return null;
  const kind = (x) => (Array.isArray(x) ? 'array' : x === null ? 'null' : typeof x);
  if (kind(actual) !== kind(expected) || kind(actual) !== 'array' && kind(actual) !== 'object') {
    return `${path}: mirror ${JSON.stringify(actual)}, C++ ${JSON.stringify(expected)}`;
  }
  if (Array.isArray(actual)) {
    const n = Math.max(actual.length, expected.length);
    for (let i = 0; i < n; i++) {
      const id = expected[i]?.id ?? actual[i]?.id;
      const found = firstDifference(actual[i], expected[i], `${path}[${i}]${id ? ` (${id})` : ''}`);
      if (found) return found;
    }
    return null;
  }
  for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const found = firstDifference(actual[key], expected[key], `${path}.${key}`);
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

// Compares the mirror with a projected snapshot (JSON as the server sends it).
function assertSameState(state, json, where) {
  const expected = withoutViewerData(normalizeState(json));
  const actual = withoutViewerData(structuredClone(state));
  const difference = firstDifference(actual, expected);
  if (difference) assert.fail(`${where}: ${difference}`);
  assert.deepEqual(actual, expected, where);
}

for (const file of files) {
  test(`mirror.js reproduces ${file}`, () => {
    const v = load(file);
    const checkpoints = new Map((v.checkpoints || []).map((c) => [Number(c.seq), c.state]));
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
