// The wire codec: ClientMessage and ServerMessage round trips in protobuf binary frames and in
// JSON text frames (README "Wire protocol"), and commands from their JSON form.

import test from 'node:test';
import assert from 'node:assert/strict';
import { create, equals, fromJson } from '@bufbuild/protobuf';
import { ClientMessageSchema, ServerMessageSchema } from '../gen/majlis/v1/wire_pb.js';
import { MeetingStateSchema } from '../gen/majlis/v1/state_pb.js';
import { decodeClientMessage, decodeServerMessage, encodeClientMessage, encodeServerMessage, toCommand } from '../wire.js';
import { normalizeState, plainOf } from '../schema.js';
import type { Plain } from '../schema.js';

const command = create(ClientMessageSchema, {
  kind: {
    case: 'command',
    value: {
      requestId: 9007199254740993n, // past 2^53: only a bigint or a string keeps it exact
      command: toCommand({ submitContribution: { text: 'ما هي خطة التمويل؟ — funding?', itemId: 'i1' } }),
    },
  },
});

test('a ClientMessage survives a binary round trip, and binary is a Uint8Array', () => {
  const frame = encodeClientMessage(command, 'binary');
  assert.ok(frame instanceof Uint8Array);
  assert.ok(equals(ClientMessageSchema, decodeClientMessage(frame), command));
  // A frame received as an ArrayBuffer (browser binaryType 'arraybuffer') decodes the same.
  const copy = (frame as Uint8Array).slice().buffer;
  assert.ok(equals(ClientMessageSchema, decodeClientMessage(copy), command));
});

test('a ClientMessage survives a JSON round trip; the text is the protobuf JSON mapping', () => {
  const frame = encodeClientMessage(command, 'json');
  assert.equal(typeof frame, 'string');
  assert.deepEqual(JSON.parse(frame as string), {
    command: { requestId: '9007199254740993', command: { submitContribution: { text: 'ما هي خطة التمويل؟ — funding?', itemId: 'i1' } } },
  });
  assert.ok(equals(ClientMessageSchema, decodeClientMessage(frame), command));
});

test('a Join with resume, in both formats, as the README writes it', () => {
  const join = create(ClientMessageSchema, {
    kind: { case: 'join', value: { meetingId: 'm1', token: 't', resume: { epoch: 3n, seq: 42n } } },
  });
  assert.equal(encodeClientMessage(join, 'json'),
    '{"join":{"meetingId":"m1","token":"t","resume":{"epoch":"3","seq":"42"}}}');
  assert.ok(equals(ClientMessageSchema, decodeClientMessage(encodeClientMessage(join, 'binary')), join));
});

test('commands from their JSON form: unknown commands, fields and enum names are refused', () => {
  assert.equal(toCommand({ requestFloor: { kind: 'REQUEST_KIND_SPEAK' } }).kind.case, 'requestFloor');
  assert.equal(toCommand({ showContribution: { contributionId: 'c1' } }).kind.case, 'showContribution');
  assert.throws(() => toCommand({ flyToTheMoon: {} }));
  assert.throws(() => toCommand({ requestFloor: { kind: 'REQUEST_KIND_SHOUT' } }));
  assert.throws(() => toCommand({}), /empty command/);
  // Optional fields left undefined are absent, as JSON.stringify would leave them.
  const next = toCommand({ nextSpeaker: { timeLimitMs: undefined, itemId: 'i1' } } as never);
  assert.equal(next.kind.case, 'nextSpeaker');
  assert.equal(next.kind.case === 'nextSpeaker' && next.kind.value.timeLimitMs, 0n);
});

test('a Welcome decodes to the same mirror state from binary and from JSON', () => {
  const welcome = fromJson(ServerMessageSchema, {
    welcome: {
      you: { participantId: 'p1', role: 'ROLE_PARTICIPANT' }, serverTimeMs: '1767225600000', epoch: '2', seq: '5',
      snapshot: {
        meetingId: 'm1', title: 'المجلس — The Majlis', languages: ['ar', 'en'], status: 'MEETING_STATUS_LIVE', seq: '5',
        agenda: [{ id: 'i1', title: 'Budget', speakers: { hasFloor: true, floor: { participantId: 'p1', startedAtMs: '1767225590000' } } }],
        onScreenContributionId: 'c1',
      },
    },
  });
  const plain = (frame: string | Uint8Array) => {
    const m = decodeServerMessage(frame);
    assert.equal(m.kind.case, 'welcome');
    const w = m.kind.value as { start: { case: string; value: unknown } };
    assert.equal(w.start.case, 'snapshot');
    return plainOf(MeetingStateSchema, w.start.value as Plain);
  };
  const fromBinary = plain(encodeServerMessage(welcome, 'binary'));
  const fromText = plain(encodeServerMessage(welcome, 'json'));
  assert.deepEqual(fromBinary, fromText);
  assert.equal(fromBinary.seq, 5);
  assert.equal(fromBinary.agenda[0].speakers.hasFloor, true, 'floor_taken keeps its JSON name');
  assert.equal(fromBinary.agenda[0].speakers.floor.startedAtMs, 1767225590000);
  assert.equal(fromBinary.onScreenContributionId, 'c1');
  assert.deepEqual(fromBinary, normalizeState(JSON.parse(JSON.stringify(
    (JSON.parse(encodeServerMessage(welcome, 'json') as string) as { welcome: { snapshot: unknown } }).welcome.snapshot))));
});
