// The client against a fake WebSocket (fake_ws.ts): binary by default, the offline queue,
// commands lost with a connection, dead-connection detection, the browser's offline event, and
// what a server restart can bring (the meeting gone, a new epoch).

import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonValue } from '@bufbuild/protobuf';
import { MajlisClient, STATUS } from '../client.js';
import type { ClientOptions, CommandOutcome, QueuedCommand } from '../client.js';
import { STOP } from '../reconnect.js';
import { FakeSocket, waitFor } from './fake_ws.js';

const fast: Partial<ClientOptions> = {
  backoffBaseMs: 10, backoffMaxMs: 20, lobbyRetryMs: 20, handshakeTimeoutMs: 2000,
  pingIntervalMs: 60000, pongTimeoutMs: 60000, watchNetwork: false,
};

const clients: MajlisClient[] = [];
// A failed assertion must not leave a client reconnecting forever (the run would never end).
after(() => { for (const c of clients) c.close(); });

function makeClient(extra: Partial<ClientOptions> = {}): MajlisClient {
  FakeSocket.reset();
  const client = new MajlisClient({ meetingId: 'm1', token: 'tok', url: 'ws://fake/ws', WebSocket: FakeSocket, ...fast, ...extra });
  clients.push(client);
  return client;
}

const snapshot = (seq: number, title = 'المجلس'): JsonValue => ({
  meetingId: 'm1', title, status: 'MEETING_STATUS_LIVE', seq: String(seq),
  agenda: [{ id: 'i1', title: 'Budget', status: 'AGENDA_ITEM_STATUS_ACTIVE' }], currentItemId: 'i1',
});

const welcome = (epoch: number, seq: number, start: Record<string, JsonValue>): JsonValue => ({
  welcome: { you: { participantId: 'p1', role: 'ROLE_PARTICIPANT' }, serverTimeMs: String(Date.now()), epoch: String(epoch), seq: String(seq), ...start },
});

/** Connects and welcomes with a snapshot at (epoch, seq). */
async function live(client: MajlisClient, epoch = 1, seq = 5): Promise<FakeSocket> {
  client.connect();
  const ws = FakeSocket.last();
  ws.accept();
  // The server welcomes after the Join (a JSON client sends it once wire_json.ts has loaded).
  await waitFor(() => ws.sent.length > 0, 'the Join');
  ws.deliver(welcome(epoch, seq, { snapshot: snapshot(seq) }));
  assert.equal(client.status, STATUS.open);
  return ws;
}

/** After a drop: waits for the next socket, opens it, returns it (the Join is sent). */
async function nextSocket(count: number): Promise<FakeSocket> {
  await waitFor(() => FakeSocket.all.length >= count, `socket #${count}`);
  const ws = FakeSocket.last();
  ws.accept();
  return ws;
}

function settled<T>(p: Promise<T>): { done: boolean; value?: T } {
  const box: { done: boolean; value?: T } = { done: false };
  p.then((v) => { box.done = true; box.value = v; });
  return box;
}

test('binary frames by default; format json sends text frames', async () => {
  const client = makeClient();
  const ws = await live(client);
  assert.ok(ws.frames[0] instanceof Uint8Array, 'the Join went as protobuf');
  assert.equal(ws.sent[0].kind.case, 'join');
  assert.equal(client.state?.title, 'المجلس');
  client.close();

  const text = makeClient({ format: 'json' });
  const ws2 = await live(text);
  assert.equal(typeof ws2.frames[0], 'string');
  assert.deepEqual(JSON.parse(ws2.frames[0] as string), { join: { meetingId: 'm1', token: 'tok' } });
  ws2.deliver({ events: { events: [{ seq: '6', agendaItemUpdated: { itemId: 'i1', title: 'الميزانية' } }] } }, 'json');
  assert.equal(text.state?.agenda[0].title, 'الميزانية');
  text.close();
});

test('offline, send() queues in order; after the resume the queue goes out and each promise gets its result', async () => {
  const client = makeClient();
  const ws1 = await live(client, 1, 5);
  const queueEvents: (readonly QueuedCommand[])[] = [];
  client.addEventListener('queue', (e) => queueEvents.push((e as Event & { queued: readonly QueuedCommand[] }).queued));
  ws1.drop(1006);
  assert.equal(client.status, STATUS.reconnecting, 'offline at once');
  const first = settled(client.send({ requestFloor: { kind: 'REQUEST_KIND_SPEAK' } }));
  const second = settled(client.send({ submitContribution: { text: 'سؤال' } }));
  assert.deepEqual(client.queued.map((q) => q.command.kind.case), ['requestFloor', 'submitContribution']);
  assert.equal(queueEvents.length, 2);

  const ws2 = await nextSocket(2);
  const join = ws2.sent[0];
  assert.equal(join.kind.case, 'join');
  assert.deepEqual(join.kind.case === 'join' && join.kind.value.resume,
    { $typeName: 'majlis.v1.Resume', epoch: 1n, seq: 5n }, 'resumes from the mirror');
  assert.deepEqual(ws2.commands(), [], 'nothing but the Join before the Welcome');
  assert.equal(first.done, false, 'still waiting, not failed');

  ws2.deliver(welcome(1, 5, { replay: { events: [] } }));
  assert.equal(client.lastWelcome, 'replay');
  assert.deepEqual(ws2.commands().map(([, kind]) => kind), ['requestFloor', 'submitContribution'], 'sent in order');
  assert.deepEqual(client.queued, []);
  assert.deepEqual(queueEvents.at(-1), []);
  const [[id1], [id2]] = ws2.commands();
  ws2.deliver({ result: { requestId: id2, ok: false, error: { code: 'ERROR_CODE_FAILED_PRECONDITION', message: 'no current item' } } });
  ws2.deliver({ events: { events: [{ seq: '6' }] } });
  ws2.deliver({ result: { requestId: id1, ok: true, seq: '6' } });
  await waitFor(() => first.done && second.done, 'both results');
  assert.deepEqual(first.value, { requestId: id1, ok: true, seq: 6, error: null });
  assert.deepEqual(second.value?.error, { code: 'ERROR_CODE_FAILED_PRECONDITION', message: 'no current item' });
  client.close();
});

test('a command sent but unanswered when the connection goes is never resent, and settles as unknown after the resume', async () => {
  const client = makeClient();
  const ws1 = await live(client, 1, 5);
  const pending = settled(client.send({ castBallot: { pollId: 'p1', choices: [0] } }));
  assert.deepEqual(ws1.commands().map(([, k]) => k), ['castBallot']);
  ws1.drop(1006);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(pending.done, false, 'not reported failed while its fate is unknown');
  const ws2 = await nextSocket(2);
  // The server did apply it: the replay carries its event.
  ws2.deliver(welcome(1, 6, { replay: { events: [{ seq: '6' }] } }));
  await waitFor(() => pending.done, 'the outcome');
  const outcome = pending.value as CommandOutcome;
  assert.equal(outcome.ok, false);
  assert.equal(outcome.unknown, true);
  assert.match(outcome.error?.message ?? '', /may or may not/);
  assert.equal(client.state?.seq, 6, 'the mirror was current when it settled');
  assert.deepEqual(ws2.commands(), [], 'not sent again');
  client.close();
});

test('no frame within pongTimeoutMs of a ping: offline within the timeout, then a reconnect', async () => {
  const client = makeClient({ pingIntervalMs: 30, pongTimeoutMs: 40 });
  const ws1 = await live(client);
  const started = Date.now();
  assert.equal(ws1.sent.filter((m) => m.kind.case === 'ping').length, 1, 'a ping at once, for the clock');
  await waitFor(() => client.status === STATUS.reconnecting, 'offline', 1000);
  // 40 ms plus timer slack; far below the 60 s that any other path would take here.
  assert.ok(Date.now() - started < 2000, `noticed after ${Date.now() - started} ms`);
  assert.equal(ws1.closedWith, 4000);
  await nextSocket(2);
  client.close();
});

test('pongs keep a quiet connection live; pings go every interval while nothing moves', async () => {
  const client = makeClient({ pingIntervalMs: 30, pongTimeoutMs: 40 });
  const ws = await live(client);
  const answered = new Set<bigint>();
  const deadline = Date.now() + 400;
  while (Date.now() < deadline) {
    for (const m of ws.sent) {
      if (m.kind.case === 'ping' && !answered.has(m.kind.value.nonce)) {
        answered.add(m.kind.value.nonce);
        ws.deliver({ pong: { nonce: String(m.kind.value.nonce), serverTimeMs: String(Date.now()) } });
      }
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(client.status, STATUS.open);
  assert.ok(answered.size >= 3, `${answered.size} pings in 400 ms`);
  client.close();
});

test("the browser's offline event makes the client offline at once; online retries at once", async () => {
  const network = new EventTarget();
  const g = globalThis as unknown as { addEventListener?: unknown; removeEventListener?: unknown };
  g.addEventListener = network.addEventListener.bind(network);
  g.removeEventListener = network.removeEventListener.bind(network);
  try {
    const client = makeClient({ watchNetwork: true, backoffBaseMs: 60000, backoffMaxMs: 60000 });
    await live(client);
    network.dispatchEvent(new Event('offline'));
    assert.equal(client.status, STATUS.reconnecting);
    assert.equal(FakeSocket.all.length, 1, 'waits out the backoff');
    network.dispatchEvent(new Event('online'));
    assert.equal(FakeSocket.all.length, 2, 'online: a new connection without waiting');
    client.close();
  } finally {
    delete g.addEventListener;
    delete g.removeEventListener;
  }
});

test('after a restart the meeting is gone (4004): the client stops, and queued commands fail unsent', async () => {
  const client = makeClient();
  const ws1 = await live(client);
  ws1.drop(1001);
  const queued = settled(client.send({ requestFloor: { kind: 'REQUEST_KIND_SPEAK' } }));
  const fatal: string[] = [];
  client.addEventListener('fatal', (e) => fatal.push((e as Event & { reason: string }).reason));
  const ws2 = await nextSocket(2);
  ws2.deliver({ error: { code: 'ERROR_CODE_NOT_FOUND', message: 'meeting not found' } });
  ws2.drop(4004);
  assert.equal(client.status, STATUS.closed);
  assert.equal(client.stopReason, STOP.gone);
  assert.deepEqual(fatal, [STOP.gone]);
  assert.equal(client.lastError?.message, 'meeting not found');
  await waitFor(() => queued.done, 'the queued command');
  assert.equal(queued.value?.ok, false);
  assert.match(queued.value?.error?.message ?? '', /not sent/);
  assert.deepEqual(ws2.commands(), []);
  assert.deepEqual(client.queued, []);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(FakeSocket.all.length, 2, 'no reconnect after a stop');
  const after = await client.send({ requestFloor: { kind: 'REQUEST_KIND_SPEAK' } });
  assert.equal(after.ok, false, 'a stopped client refuses at once');
});

test('after a restart with a new epoch the snapshot replaces the mirror', async () => {
  const client = makeClient();
  const ws1 = await live(client, 1, 9);
  ws1.deliver({ events: { events: [{ seq: '10', agendaItemUpdated: { itemId: 'i1', title: 'old' } }] } });
  assert.equal(client.state?.seq, 10);
  ws1.drop(1001);
  const ws2 = await nextSocket(2);
  const join = ws2.sent[0];
  assert.ok(join.kind.case === 'join' && join.kind.value.resume?.epoch === 1n && join.kind.value.resume?.seq === 10n);
  ws2.deliver(welcome(2, 4, { snapshot: snapshot(4, 'after the restore') }));
  assert.equal(client.status, STATUS.open);
  assert.equal(client.epoch, 2);
  assert.equal(client.state?.seq, 4, 'a lower seq in a new epoch is taken as is');
  assert.equal(client.state?.title, 'after the restore');
  assert.equal(client.state?.agenda[0].title, 'Budget');
  assert.equal(client.lastWelcome, 'snapshot');
  ws2.deliver({ events: { events: [{ seq: '5', agendaItemUpdated: { itemId: 'i1', title: 'new' } }] } });
  assert.equal(client.state?.agenda[0].title, 'new', 'events continue from the new seq');
  client.close();
});

test('a replay in another epoch is not applied: the client starts over with a snapshot', async () => {
  const client = makeClient();
  const ws1 = await live(client, 1, 5);
  ws1.drop(1006);
  const ws2 = await nextSocket(2);
  ws2.deliver(welcome(2, 5, { replay: { events: [] } }));
  assert.equal(client.state, null);
  const ws3 = await nextSocket(3);
  const join = ws3.sent[0];
  assert.ok(join.kind.case === 'join' && join.kind.value.resume === undefined, 'a fresh join, no resume');
  client.close();
});

test('close() settles queued commands as not sent; an invalid command is refused without sending', async () => {
  const client = makeClient();
  const ws = await live(client);
  const bad = await client.send({ requestFloor: { kind: 'NOT_A_KIND' } });
  assert.equal(bad.error?.code, 'ERROR_CODE_INVALID_ARGUMENT');
  assert.deepEqual(ws.commands(), []);
  ws.drop(1006);
  const queued = settled(client.send({ endTurn: {} }));
  client.close();
  await waitFor(() => queued.done, 'settled');
  assert.equal(queued.value?.ok, false);
  assert.equal(queued.value?.unknown, undefined);
});
