// Unit tests of the reconnect policy (reconnect.js): npm test (client-sdk/ts)

import test from 'node:test';
import assert from 'node:assert/strict';
import { BACKOFF, STOP, backoffDelayMs, closeDecides, closeOutcome, stopReasonOfError } from '../reconnect.js';

test('close codes that make retrying pointless stop the client', () => {
  assert.deepEqual(closeOutcome(4001), { stop: STOP.token });
  assert.deepEqual(closeOutcome(4004), { stop: STOP.gone });
  for (const code of [1002, 1007, 1009]) assert.deepEqual(closeOutcome(code), { stop: STOP.protocol }, `${code}`);
});

test('4003: the chair removed this participant; stop, whatever error frame came first', () => {
  assert.deepEqual(closeOutcome(4003), { stop: STOP.removed });
  assert.equal(STOP.removed, 'removed');
  assert.ok(closeDecides(4003));
});

test('4010: waiting in the lobby is neither an error nor a lost connection', () => {
  assert.deepEqual(closeOutcome(4010), { lobby: true });
  assert.ok(closeDecides(4010));
  assert.ok(!closeDecides(1006) && !closeDecides(4009), 'other closes let an error frame decide');
  assert.equal(backoffDelayMs(0, { lobby: true }, () => 0), BACKOFF.lobbyMs / 2);
  assert.equal(backoffDelayMs(7, { lobby: true }, () => 1), BACKOFF.lobbyMs, 'no growth: the chair may admit at any time');
  assert.ok(BACKOFF.lobbyMs <= 5000, 'rejoins every few seconds');
});

test('a restart, a killed server and transient closes retry at once; 4013, 4029 and 1008 later', () => {
  for (const code of [1000, 1001, 1005, 1006, 1011, 1012, 4002, 4008, 4009]) {
    assert.deepEqual(closeOutcome(code), { retry: true, later: false }, `${code}`);
  }
  assert.deepEqual(closeOutcome(4013), { retry: true, later: true });
  assert.deepEqual(closeOutcome(4029), { retry: true, later: true });
  assert.deepEqual(closeOutcome(1008), { retry: true, later: true });
});

test('server errors map to stop reasons; others let the client resume', () => {
  assert.equal(stopReasonOfError('ERROR_CODE_UNAUTHENTICATED'), STOP.token);
  assert.equal(stopReasonOfError('ERROR_CODE_NOT_FOUND'), STOP.gone);
  assert.equal(stopReasonOfError('ERROR_CODE_PROTOCOL'), STOP.protocol);
  assert.equal(stopReasonOfError('ERROR_CODE_UNAVAILABLE'), '');
  assert.equal(stopReasonOfError('ERROR_CODE_RESOURCE_EXHAUSTED'), '');
});

test('backoff doubles from 0.5 s to a 5 s cap, jittered over its upper half', () => {
  const low = () => 0;
  const high = () => 1;
  assert.equal(backoffDelayMs(0, {}, low), 250);
  assert.equal(backoffDelayMs(0, {}, high), 500);
  assert.equal(backoffDelayMs(1, {}, high), 1000);
  assert.equal(backoffDelayMs(3, {}, high), 4000);
  assert.equal(backoffDelayMs(4, {}, high), BACKOFF.maxMs);
  assert.equal(backoffDelayMs(1000, {}, low), BACKOFF.maxMs / 2);
  assert.equal(backoffDelayMs(1000, {}, high), BACKOFF.maxMs);
  assert.equal(backoffDelayMs(0, { later: true }, low), BACKOFF.laterMs / 2);
  assert.equal(backoffDelayMs(0, { later: true }, high), BACKOFF.laterMs);
  const seen = new Set(Array.from({ length: 50 }, () => backoffDelayMs(2)));
  assert.ok(seen.size > 1, 'Math.random jitters by default');
  for (const d of seen) assert.ok(d >= 1000 && d <= 2000, `${d}`);
});
