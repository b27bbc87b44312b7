// The Majlis client: one WebSocket to /ws (protobuf binary frames by default, JSON text frames
// with format 'json'), a mirrored meeting state (mirror.ts), automatic reconnect with resume,
// commands as promises that wait out a lost connection in a queue, and the server clock offset
// for countdowns. Works in browsers, and in Node given a url (and a WebSocket class where Node
// has none: Node 18 and 20).

import { create, toBinary } from '@bufbuild/protobuf';
import { MeetingStateSchema } from './gen/majlis/v1/state_pb.js';
import { ClientMessageSchema } from './gen/majlis/v1/wire_pb.js';
import type { ClientMessage, ServerMessage, Welcome, Error as WireError, CommandResult, Pong } from './gen/majlis/v1/wire_pb.js';
import { ErrorCode, Role, Attendance } from './gen/majlis/v1/common_pb.js';
import type { Command } from './gen/majlis/v1/commands_pb.js';
import { applyEvents } from './mirror.js';
import { normalizeEvent, plainOf } from './schema.js';
import type { MirrorEvent, Plain } from './schema.js';
import type { MeetingState } from './types.js';
import { BACKOFF, backoffDelayMs, closeOutcome, stopReasonOfError } from './reconnect.js';
import type { StopReason } from './reconnect.js';
import { decodeServerMessage, toCommand } from './wire.js';
import type { CommandInput, WireFormat } from './wire.js';

export const STATUS = {
  connecting: 'connecting',
  open: 'open',           // welcomed: the mirror is current
  reconnecting: 'reconnecting',
  lobby: 'lobby',         // registered, waiting for the chair to admit (close 4010); joins again
  closed: 'closed',       // by close(), or stopped for good (stopReason says why)
} as const;

export type Status = (typeof STATUS)[keyof typeof STATUS];

/** The WebSocket surface the client uses (the browser's, the `ws` package's, or a test fake). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketFactory = new (url: string) => WebSocketLike;

export interface ClientOptions {
  meetingId: string;
  token: string;
  /** ws(s)://host/ws; default: /ws on the page's origin. */
  url?: string;
  /** 'binary' (protobuf, the default) or 'json' (text frames). */
  format?: WireFormat;
  /** Default: globalThis.WebSocket. */
  WebSocket?: WebSocketFactory;
  /** Ping when nothing went either way for this long (and every this long at most). */
  pingIntervalMs?: number;
  /** No frame at all this long after a ping: the connection is dead, reconnect. */
  pongTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  backoffLaterMs?: number;
  lobbyRetryMs?: number;
  /** Listen to the browser's 'offline' / 'online' events (default true where they exist). */
  watchNetwork?: boolean;
}

/** Who the connection is, as the token says (wire.proto Viewer, plain form). */
export interface Viewer {
  participantId: string;
  displayName: string;
  role: string;
  stakeholderGroup: string;
  attendance: string;
  connectionId: string;
}

export interface CommandError {
  code: string;
  message: string;
}

/**
 * A command's outcome. ok: applied, its events up to seq. !ok: refused (error says why), or —
 * unknown: true — the connection was lost after the command was sent and before its answer, so
 * the server may or may not have applied it (the server keeps no record of request ids across
 * connections, so the client never sends it again by itself; the mirror, current again when this
 * settles, shows whether it took effect).
 */
export interface CommandOutcome {
  requestId: string;
  ok: boolean;
  seq: number;
  error: CommandError | null;
  unknown?: boolean;
}

/** A command waiting for the connection: sent, in order, right after the next Welcome. */
export interface QueuedCommand {
  command: Command;
  queuedAtMs: number;
}

interface Waiting extends QueuedCommand {
  resolve: (outcome: CommandOutcome) => void;
}

const UNSENT = 'ERROR_CODE_UNAVAILABLE';
const errorName = (code: ErrorCode): string => `ERROR_CODE_${ErrorCode[code] ?? 'UNSPECIFIED'}`;

type Encoder = (message: ClientMessage) => string | Uint8Array;
const encodeBinary: Encoder = (message) => toBinary(ClientMessageSchema, message);
const unloadedEncoder: Encoder = () => { throw new Error('JSON encoder not loaded yet'); };

function defaultWsUrl(): string {
  const loc = (globalThis as { location?: { protocol: string; host: string } }).location;
  if (!loc) throw new Error('MajlisClient: url is required outside a browser');
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}

function failed(message: string, code = UNSENT): CommandOutcome {
  return { requestId: '', ok: false, seq: 0, error: { code, message } };
}

type Timer = ReturnType<typeof setTimeout>;

/**
 * Events (EventTarget): 'status' {status, attempt, delayMs, why}, 'state' {state, reason},
 * 'welcome' {welcome}, 'fatal' {error, reason}, 'result' {result}, 'queue' {queued}.
 *
 * Any close the client did not ask for (server restart 1001, killed server 1006, a ping left
 * unanswered for pongTimeoutMs, the browser going offline, no welcome within
 * handshakeTimeoutMs) leads to status 'reconnecting' at once, then a new connection after a
 * jittered backoff, resuming with the mirror's {epoch, seq}. Close codes and errors after which
 * the same Join can only fail (reconnect.ts) stop the client: status 'closed' with stopReason
 * set. Close 4010 (waiting in the lobby) gives status 'lobby' and a new Join every lobbyRetryMs
 * (jittered) until admitted.
 */
export class MajlisClient extends EventTarget {
  readonly meetingId: string;
  readonly token: string;
  readonly url: string;
  readonly format: WireFormat;
  // Binary frames at once; JSON once wire_json.ts (toJson) has loaded, see encoderReady.
  private encode: Encoder = encodeBinary;
  private encoderReady: Promise<void> = Promise.resolve();
  readonly opts: Required<Omit<ClientOptions, 'meetingId' | 'token' | 'url' | 'format' | 'WebSocket'>>;
  state: MeetingState | null = null; // the mirror, or null before the first welcome
  you: Viewer | null = null;
  epoch = 0;
  status: Status = STATUS.closed;
  lastError: CommandError | null = null;
  stopReason: StopReason | '' = ''; // set once retrying is pointless
  lastWelcome: '' | 'snapshot' | 'replay' = '';
  welcomes = { snapshot: 0, replay: 0 };
  clockOffsetMs = 0; // server time - local time
  bestRttMs = Infinity;
  attempt = 0;

  private readonly WebSocketClass: WebSocketFactory;
  private ws: WebSocketLike | null = null;
  private nextRequestId = 1;
  private readonly inflight = new Map<string, Waiting>(); // sent on the live connection
  private unanswered: Waiting[] = [];                      // sent on a connection since lost
  private waiting: Waiting[] = [];                         // not sent yet
  private seqWaiters: { seq: number; resolve: (ok: boolean) => void; timer: Timer }[] = [];
  private timers: Record<'reconnect' | 'ping' | 'pong' | 'handshake' | 'errorStop', Timer | null> =
    { reconnect: null, ping: null, pong: null, handshake: null, errorStop: null };
  private errorStop: { reason: StopReason; error: CommandError } | null = null;
  private stopped = true;
  private joinSentAt = 0;
  private lastSentAt = 0;
  private lastReceivedAt = 0;
  private pingNonce = 1;
  private pingSentAt = new Map<string, number>();
  private readonly onOnline = (): void => {
    if (this.status === STATUS.reconnecting && !this.ws) this.retryNow();
  };
  private readonly onOffline = (): void => {
    if (this.ws) this.dropConnection('offline');
  };

  constructor({ meetingId, token, url, format = 'binary', WebSocket: WebSocketClass, pingIntervalMs = 3000,
    pongTimeoutMs = 4000, handshakeTimeoutMs = 10000, backoffBaseMs = BACKOFF.baseMs,
    backoffMaxMs = BACKOFF.maxMs, backoffLaterMs = BACKOFF.laterMs, lobbyRetryMs = BACKOFF.lobbyMs,
    watchNetwork = true }: ClientOptions) {
    super();
    this.meetingId = meetingId;
    this.token = token;
    this.url = url || defaultWsUrl();
    this.format = format;
    if (format === 'json') {
      this.encode = unloadedEncoder;
      this.encoderReady = import('./wire_json.js').then((m) => { this.encode = m.encodeClientMessageJson; });
      this.encoderReady.catch(() => { /* the first join drops the connection and retries */ });
    }
    const ctor = WebSocketClass || (globalThis as { WebSocket?: WebSocketFactory }).WebSocket;
    if (!ctor) throw new Error('MajlisClient: no WebSocket here; pass one (e.g. the ws package)');
    this.WebSocketClass = ctor;
    this.opts = { pingIntervalMs, pongTimeoutMs, handshakeTimeoutMs, backoffBaseMs, backoffMaxMs,
      backoffLaterMs, lobbyRetryMs, watchNetwork };
  }

  /** Server time now, in ms since the epoch. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Whether the mirror is live (welcomed on an open connection). */
  get live(): boolean {
    return this.status === STATUS.open && this.ws !== null;
  }

  /** Commands not sent yet, in the order they will go once the connection is back. */
  get queued(): readonly QueuedCommand[] {
    return this.waiting.map(({ command, queuedAtMs }) => ({ command, queuedAtMs }));
  }

  connect(): this {
    this.stopped = false;
    this.stopReason = '';
    this.watch(true);
    this.open(STATUS.connecting);
    return this;
  }

  /** The deliberate close: no reconnect follows; commands not answered yet settle. */
  close(): void {
    this.stopped = true;
    this.watch(false);
    this.clearTimers();
    this.abandonSocket(1000, 'bye');
    this.settleAll('connection closed');
    this.setStatus(STATUS.closed);
  }

  /** Skips the rest of the backoff wait (the banner's "retry now", the browser coming online). */
  retryNow(): void {
    if (this.stopped) return;
    this.abandonSocket(4000, 'retry');
    this.open(STATUS.reconnecting);
  }

  /**
   * Sends a Command (JSON form, e.g. {requestFloor: {kind: 'REQUEST_KIND_SPEAK'}}, or a
   * generated Command). Resolves with the server's CommandOutcome; never rejects. While the
   * connection is down the command waits in `queued` (the promise stays pending) and goes out
   * after the resume; it fails without being sent only when the client stops or is closed.
   */
  send(input: CommandInput): Promise<CommandOutcome> {
    let command: Command;
    try {
      command = toCommand(input);
    } catch (e) {
      return Promise.resolve(failed(`not a command: ${(e as Error).message}`, 'ERROR_CODE_INVALID_ARGUMENT'));
    }
    if (this.stopped) return Promise.resolve(failed('not connected'));
    return new Promise((resolve) => {
      const entry: Waiting = { command, queuedAtMs: Date.now(), resolve };
      if (this.live) {
        this.transmit(entry);
      } else {
        this.waiting.push(entry);
        this.emitQueue();
      }
    });
  }

  /** Resolves true once the mirror has applied seq (e.g. a command's result seq), false after timeoutMs. */
  waitForSeq(seq: number, timeoutMs = 5000): Promise<boolean> {
    if (this.state && this.state.seq >= seq) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        seq, resolve, timer: setTimeout(() => {
          this.seqWaiters = this.seqWaiters.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.seqWaiters.push(waiter);
    });
  }

  // ---- internals ----

  private watch(on: boolean): void {
    if (!this.opts.watchNetwork) return;
    const target = globalThis as { addEventListener?: EventTarget['addEventListener']; removeEventListener?: EventTarget['removeEventListener'] };
    if (on) {
      target.addEventListener?.('online', this.onOnline);
      target.addEventListener?.('offline', this.onOffline);
    } else {
      target.removeEventListener?.('online', this.onOnline);
      target.removeEventListener?.('offline', this.onOffline);
    }
  }

  private emit(type: string, extra: Record<string, unknown>): void {
    this.dispatchEvent(Object.assign(new Event(type), extra));
  }

  private setStatus(status: Status, extra: Record<string, unknown> = {}): void {
    this.status = status;
    this.emit('status', { status, ...extra });
  }

  private emitState(reason: string): void {
    const state = this.state;
    if (state) {
      const ready = this.seqWaiters.filter((w) => state.seq >= w.seq);
      if (ready.length) {
        this.seqWaiters = this.seqWaiters.filter((w) => state.seq < w.seq);
        for (const w of ready) { clearTimeout(w.timer); w.resolve(true); }
      }
    }
    this.emit('state', { state, reason });
  }

  private emitQueue(): void {
    this.emit('queue', { queued: this.queued });
  }

  private clearTimers(): void {
    for (const k of Object.keys(this.timers) as (keyof MajlisClient['timers'])[]) {
      const t = this.timers[k];
      if (t !== null) { clearTimeout(t); clearInterval(t); }
      this.timers[k] = null;
    }
  }

  // Sent but not answered when the connection went: their fate is unknown until the mirror is
  // current again (the next Welcome) — never reported failed, since they may have been applied.
  private orphanInflight(): void {
    for (const entry of this.inflight.values()) this.unanswered.push(entry);
    this.inflight.clear();
  }

  private settleUnanswered(message: string): void {
    const unanswered = this.unanswered;
    this.unanswered = [];
    for (const entry of unanswered) {
      entry.resolve({ ...failed(message), unknown: true });
    }
  }

  // The client stops: nothing will be sent any more.
  private settleAll(message: string): void {
    this.orphanInflight();
    this.settleUnanswered(`${message}; the command may or may not have been applied`);
    const waiting = this.waiting;
    this.waiting = [];
    for (const entry of waiting) entry.resolve(failed(`${message}; the command was not sent`));
    if (waiting.length) this.emitQueue();
  }

  private write(message: ClientMessage): boolean {
    const ws = this.ws;
    if (!ws) return false;
    try {
      ws.send(this.encode(message));
      this.lastSentAt = Date.now();
      return true;
    } catch {
      this.dropConnection('send failed');
      return false;
    }
  }

  private transmit(entry: Waiting): void {
    const requestId = String(this.nextRequestId++);
    this.inflight.set(requestId, entry);
    this.write(create(ClientMessageSchema, {
      kind: { case: 'command', value: { requestId: BigInt(requestId), command: entry.command } },
    }));
  }

  private flushQueue(): void {
    if (this.waiting.length === 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const entry of waiting) {
      if (this.live) this.transmit(entry);
      else this.waiting.push(entry);
    }
    this.emitQueue();
  }

  // Forgets the current socket (its handlers check this.ws) and closes it.
  private abandonSocket(code: number, why: string): void {
    const ws = this.ws;
    if (!ws) return;
    this.ws = null;
    this.orphanInflight();
    try { ws.close(code, why); } catch { /* already closed */ }
  }

  private open(status: Status): void {
    this.clearTimers();
    this.errorStop = null;
    this.abandonSocket(4000, 'replaced');
    this.setStatus(status, { attempt: this.attempt });
    let ws: WebSocketLike;
    try {
      ws = new this.WebSocketClass(this.url);
      ws.binaryType = 'arraybuffer';
    } catch (e) {
      this.scheduleReconnect(String(e));
      return;
    }
    this.ws = ws;
    // Connecting and joining must end in a welcome; a half-open network path would hang here.
    this.timers.handshake = setTimeout(() => this.dropConnection('no welcome'), this.opts.handshakeTimeoutMs);
    const sendJoin = () => {
      if (this.ws !== ws) return;
      const resume = this.state && this.epoch
        ? { epoch: BigInt(this.epoch), seq: BigInt(this.state.seq) } : undefined;
      this.joinSentAt = Date.now();
      this.write(create(ClientMessageSchema, {
        kind: { case: 'join', value: { meetingId: this.meetingId, token: this.token, resume } },
      }));
    };
    ws.onopen = () => {
      if (this.ws !== ws) return;
      if (this.encode !== unloadedEncoder) sendJoin();
      // A JSON client's encoder may still be on its way (wire_json.ts).
      else this.encoderReady.then(sendJoin, () => { if (this.ws === ws) this.dropConnection('JSON encoder not loaded'); });
    };
    ws.onmessage = (msg) => {
      if (this.ws !== ws) return;
      // Anything from the server proves the connection alive.
      this.lastReceivedAt = Date.now();
      if (this.timers.pong !== null) clearTimeout(this.timers.pong);
      this.timers.pong = null;
      let message: ServerMessage;
      try {
        message = decodeServerMessage(msg.data as string | ArrayBuffer | Uint8Array);
      } catch {
        this.dropConnection('undecodable frame');
        return;
      }
      this.onServerMessage(message);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.orphanInflight();
      const errorStop = this.errorStop;
      this.errorStop = null;
      if (this.stopped) return;
      const outcome = closeOutcome(ev.code);
      // A close code that names its cause (removed, in the lobby, bad token) wins over the error
      // frame sent before it; otherwise that error decides.
      if ('stop' in outcome) {
        this.stop(outcome.stop, { code: `CLOSE_${ev.code}`, message: errorStop?.error.message || ev.reason || '' });
        return;
      }
      if ('lobby' in outcome) {
        this.waitInLobby();
        return;
      }
      if (errorStop) {
        this.stop(errorStop.reason, errorStop.error);
        return;
      }
      this.scheduleReconnect(`closed ${ev.code}`, outcome.later);
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  private dropConnection(why: string): void {
    if (!this.ws) return;
    this.abandonSocket(4000, why.slice(0, 100));
    if (!this.stopped) this.scheduleReconnect(why);
  }

  private scheduleReconnect(why: string, later = false): void {
    this.clearTimers();
    if (this.stopped) return;
    const delayMs = backoffDelayMs(this.attempt, { baseMs: this.opts.backoffBaseMs,
      maxMs: this.opts.backoffMaxMs, laterMs: this.opts.backoffLaterMs, later });
    this.attempt += 1;
    this.setStatus(STATUS.reconnecting, { attempt: this.attempt, delayMs, why });
    this.timers.reconnect = setTimeout(() => this.open(STATUS.reconnecting), delayMs);
  }

  // In the lobby: not an error; join again in a few seconds, until the chair admits us.
  private waitInLobby(): void {
    this.clearTimers();
    if (this.stopped) return;
    const delayMs = backoffDelayMs(0, { lobbyMs: this.opts.lobbyRetryMs, lobby: true });
    this.attempt = 0;
    this.lastError = null;
    this.setStatus(STATUS.lobby, { delayMs });
    this.timers.reconnect = setTimeout(() => this.open(STATUS.lobby), delayMs);
  }

  // Retrying cannot help (reconnect.ts): keep the mirror for reading, stop all timers.
  private stop(reason: StopReason, error: CommandError): void {
    this.stopped = true;
    this.watch(false);
    this.clearTimers();
    this.abandonSocket(1000, 'stopped');
    this.settleAll(error.message || error.code);
    this.lastError = error;
    this.stopReason = reason;
    this.setStatus(STATUS.closed, { error, reason });
    this.emit('fatal', { error, reason });
  }

  private onServerMessage(m: ServerMessage): void {
    switch (m.kind.case) {
      case 'welcome': return this.onWelcome(m.kind.value);
      case 'events': return this.onEvents(m.kind.value.events.map((e) => normalizeEvent(e)));
      case 'result': return this.onResult(m.kind.value);
      case 'pong': return this.onPong(m.kind.value);
      case 'error': return this.onError(m.kind.value);
      default: return undefined;
    }
  }

  private onWelcome(w: Welcome): void {
    const now = Date.now();
    const serverTime = Number(w.serverTimeMs);
    if (serverTime) {
      const rtt = this.joinSentAt ? now - this.joinSentAt : 0;
      this.clockOffsetMs = serverTime + rtt / 2 - now;
      this.bestRttMs = rtt;
    }
    const you = w.you;
    this.you = {
      participantId: you?.participantId || '',
      displayName: you?.displayName || '',
      role: `ROLE_${Role[you?.role ?? 0] ?? 'UNSPECIFIED'}`,
      stakeholderGroup: you?.stakeholderGroup || '',
      attendance: `ATTENDANCE_${Attendance[you?.attendance ?? 0] ?? 'UNSPECIFIED'}`,
      connectionId: you?.connectionId || '',
    };
    const epoch = Number(w.epoch);
    const seq = Number(w.seq);
    let replay: MirrorEvent[] = [];
    if (w.start.case === 'snapshot') {
      // A snapshot replaces the mirror whatever it held: a new epoch (restored log, a restart
      // that lost writes) or a resume outside the server's window.
      const state = plainOf(MeetingStateSchema, w.start.value as unknown as Plain) as MeetingState;
      state.seq = Math.max(state.seq, seq);
      this.state = state;
    } else if (w.start.case === 'replay' && this.state && epoch === this.epoch) {
      replay = w.start.value.events.map((e) => normalizeEvent(e));
      const { gap } = applyEvents(this.state, replay, { viewerId: this.you.participantId });
      if (gap || this.state.seq !== seq) {
        // The server promised exactly the missing events; anything else means start over.
        this.state = null;
        this.epoch = 0;
        this.dropConnection('replay did not line up');
        return;
      }
    } else {
      // A replay against a different epoch (or with no state) cannot be applied.
      this.state = null;
      this.epoch = 0;
      this.dropConnection('replay without a base state');
      return;
    }
    this.epoch = epoch;
    this.attempt = 0;
    this.lastError = null;
    this.lastWelcome = w.start.case === 'snapshot' ? 'snapshot' : 'replay';
    this.welcomes[this.lastWelcome] += 1;
    if (this.timers.handshake !== null) clearTimeout(this.timers.handshake);
    this.timers.handshake = null;
    this.setStatus(STATUS.open);
    this.startPings();
    const header = { you: this.you, serverTimeMs: serverTime, epoch, seq };
    this.emit('welcome', {
      welcome: w.start.case === 'snapshot' ? { ...header, snapshot: this.state } : { ...header, replay: { events: replay } },
    });
    this.emitState('welcome');
    // The mirror is current: a command lost with the old connection shows in it or not.
    this.settleUnanswered('the connection was lost before the answer; the command may or may not have been applied');
    this.flushQueue();
  }

  private onEvents(events: MirrorEvent[]): void {
    if (!this.state) return;
    const { applied, gap } = applyEvents(this.state, events, { viewerId: this.you?.participantId });
    if (applied) this.emitState('events');
    if (gap) this.dropConnection(`gap: expected seq ${gap.expected}, got ${gap.got}`);
  }

  private onResult(r: CommandResult): void {
    const requestId = String(r.requestId);
    const entry = this.inflight.get(requestId);
    const result: CommandOutcome = { requestId, ok: r.ok, seq: Number(r.seq),
      error: r.ok ? null : { code: errorName(r.error?.code ?? 0), message: r.error?.message || '' } };
    this.emit('result', { result });
    if (!entry) return;
    this.inflight.delete(requestId);
    entry.resolve(result);
  }

  private onPong(p: Pong): void {
    const nonce = String(p.nonce);
    const sentAt = this.pingSentAt.get(nonce);
    if (sentAt === undefined) return;
    this.pingSentAt.delete(nonce);
    const now = Date.now();
    const rtt = now - sentAt;
    const serverTime = Number(p.serverTimeMs);
    // The sample with the shortest round trip gives the best estimate of the offset.
    if (serverTime && rtt <= this.bestRttMs * 1.5 + 5) {
      this.bestRttMs = Math.min(this.bestRttMs, rtt);
      this.clockOffsetMs = serverTime + rtt / 2 - now;
    }
  }

  private onError(e: WireError): void {
    const error = { code: errorName(e.code), message: e.message };
    this.lastError = error;
    const reason = stopReasonOfError(error.code);
    if (!reason) return; // the server closes the connection and we resume
    if (!this.ws) {
      this.stop(reason, error);
      return;
    }
    // The close that follows may name the cause (4003 removed, 4010 lobby): wait for it a moment.
    this.errorStop = { reason, error };
    if (this.timers.errorStop !== null) clearTimeout(this.timers.errorStop);
    this.timers.errorStop = setTimeout(() => {
      const pending = this.errorStop;
      this.errorStop = null;
      if (pending && !this.stopped) this.stop(pending.reason, pending.error);
    }, 1500);
  }

  // A ping at once (for the clock offset), then whenever nothing went either way for
  // pingIntervalMs; a ping with no frame at all from the server within pongTimeoutMs means a
  // dead connection (a phone that lost its network, a sleeping laptop, a dropped NAT entry).
  private startPings(): void {
    if (this.timers.ping !== null) clearInterval(this.timers.ping);
    this.pingSentAt = new Map();
    const ping = (): void => {
      if (!this.live) return;
      const nonce = String(this.pingNonce++);
      this.pingSentAt.set(nonce, Date.now());
      if (this.pingSentAt.size > 8) this.pingSentAt.delete(this.pingSentAt.keys().next().value as string);
      this.write(create(ClientMessageSchema, { kind: { case: 'ping', value: { nonce: BigInt(nonce) } } }));
      if (this.timers.pong === null) {
        this.timers.pong = setTimeout(() => this.dropConnection('no answer to ping'), this.opts.pongTimeoutMs);
      }
    };
    ping();
    const every = this.opts.pingIntervalMs;
    // Ticks at a quarter of the interval so a quiet connection is pinged within ~interval.
    this.timers.ping = setInterval(() => {
      const now = Date.now();
      if (now - this.lastReceivedAt >= every || now - this.lastSentAt >= every) ping();
    }, Math.max(10, Math.floor(every / 4)));
  }
}
