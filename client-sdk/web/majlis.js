// A small client for Majlis: one WebSocket to /ws carrying the protobuf JSON mapping in text
// frames, a mirrored meeting state (mirror.js), automatic reconnect with resume, commands as
// promises, and the server clock offset for countdowns. Also the HTTP API helpers.
// Works in browsers; in Node 22+ too (global WebSocket), given an explicit url.

import { applyEvents, normalizeEvent, normalizeState } from './mirror.js';
import { BACKOFF, backoffDelayMs, closeOutcome, stopReasonOfError } from './reconnect.js';

export { STOP } from './reconnect.js';

export const STATUS = {
  connecting: 'connecting',
  open: 'open',           // welcomed: the mirror is current
  reconnecting: 'reconnecting',
  lobby: 'lobby',         // registered, waiting for the chair to admit (close 4010); joins again
  closed: 'closed',       // by close(), or stopped for good (stopReason says why)
};

function defaultWsUrl() {
  const loc = globalThis.location;
  if (!loc) throw new Error('MajlisClient: url is required outside a browser');
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}

function normalizeError(e) {
  return { code: e?.code || 'ERROR_CODE_UNSPECIFIED', message: e?.message || '' };
}

/**
 * Events (EventTarget): 'status' {status, attempt, delayMs, why}, 'state' {state, reason},
 * 'welcome' {welcome}, 'fatal' {error, reason}, 'result' {result}.
 *
 * Any close the client did not ask for (server restart 1001, killed server 1006, a ping left
 * unanswered for pongTimeoutMs, no welcome within handshakeTimeoutMs) leads to status
 * 'reconnecting' at once, then a new connection after a jittered backoff, resuming with the
 * mirror's {epoch, seq}. Close codes and errors after which the same Join can only fail
 * (reconnect.js) stop the client: status 'closed' with stopReason set. Close 4010 (waiting in
 * the lobby) gives status 'lobby' and a new Join every lobbyRetryMs (jittered) until admitted.
 */
export class MajlisClient extends EventTarget {
  constructor({ meetingId, token, url, pingIntervalMs = 4000, pongTimeoutMs = 5000,
    handshakeTimeoutMs = 10000, backoffBaseMs = BACKOFF.baseMs, backoffMaxMs = BACKOFF.maxMs,
    backoffLaterMs = BACKOFF.laterMs, lobbyRetryMs = BACKOFF.lobbyMs, commandTimeoutMs = 15000 } = {}) {
    super();
    this.meetingId = meetingId;
    this.token = token;
    this.url = url || defaultWsUrl();
    this.opts = { pingIntervalMs, pongTimeoutMs, handshakeTimeoutMs, backoffBaseMs, backoffMaxMs,
      backoffLaterMs, lobbyRetryMs, commandTimeoutMs };
    this.state = null;     // normalized MeetingState, or null before the first welcome
    this.you = null;       // Viewer
    this.epoch = 0;
    this.status = STATUS.closed;
    this.lastError = null;
    this.stopReason = '';  // a STOP value once retrying is pointless
    this.lastWelcome = ''; // 'snapshot' or 'replay'
    this.welcomes = { snapshot: 0, replay: 0 };
    this.clockOffsetMs = 0; // server time - local time
    this.bestRttMs = Infinity;
    this.ws = null;
    this.attempt = 0;
    this.nextRequestId = 1;
    this.pending = new Map(); // requestId -> {resolve, timer}
    this.seqWaiters = [];     // {seq, resolve}
    this.timers = { reconnect: null, ping: null, pong: null, handshake: null, errorStop: null };
    this.errorStop = null;    // {reason, error}: an error frame that stops us unless the close says more
    this.stopped = true;
    this.onOnline = () => { if (this.status === STATUS.reconnecting && !this.ws) this.retryNow(); };
  }

  // Server time now, in ms since the epoch.
  now() {
    return Date.now() + this.clockOffsetMs;
  }

  connect() {
    this.stopped = false;
    this.stopReason = '';
    globalThis.addEventListener?.('online', this.onOnline);
    this.open(STATUS.connecting);
    return this;
  }

  // The deliberate close: no reconnect follows.
  close() {
    this.stopped = true;
    globalThis.removeEventListener?.('online', this.onOnline);
    this.clearTimers();
    this.abandonSocket(1000, 'bye');
    this.failPending('connection closed');
    this.setStatus(STATUS.closed);
  }

  // Skips the rest of the backoff wait (the banner's "retry now", the browser coming online).
  retryNow() {
    if (this.stopped) return;
    this.abandonSocket(4000, 'retry');
    this.open(STATUS.reconnecting);
  }

  /**
   * Sends a Command (oneof form, e.g. {requestFloor: {kind: 'REQUEST_KIND_SPEAK'}}).
   * Resolves with {ok, error: {code, message}, seq}; never rejects.
   */
  send(command) {
    if (this.status !== STATUS.open || !this.ws) {
      return Promise.resolve({ ok: false, seq: 0,
        error: { code: 'ERROR_CODE_UNAVAILABLE', message: 'not connected' } });
    }
    const requestId = String(this.nextRequestId++);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        resolve({ ok: false, seq: 0, error: { code: 'ERROR_CODE_UNAVAILABLE', message: 'no answer from the server' } });
      }, this.opts.commandTimeoutMs);
      this.pending.set(requestId, { resolve, timer });
      this.write({ command: { requestId, command } });
    });
  }

  // Resolves once the mirror has applied seq (e.g. a command's result seq), or after timeoutMs.
  waitForSeq(seq, timeoutMs = 5000) {
    if (this.state && this.state.seq >= seq) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = { seq, resolve };
      waiter.timer = setTimeout(() => {
        this.seqWaiters = this.seqWaiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.seqWaiters.push(waiter);
    });
  }

  // ---- internals ----

  setStatus(status, extra = {}) {
    this.status = status;
    this.dispatchEvent(Object.assign(new Event('status'), { status, ...extra }));
  }

  emitState(reason) {
    if (this.state) {
      const ready = this.seqWaiters.filter((w) => this.state.seq >= w.seq);
      if (ready.length) {
        this.seqWaiters = this.seqWaiters.filter((w) => this.state.seq < w.seq);
        for (const w of ready) { clearTimeout(w.timer); w.resolve(true); }
      }
    }
    this.dispatchEvent(Object.assign(new Event('state'), { state: this.state, reason }));
  }

  clearTimers() {
    for (const k of Object.keys(this.timers)) {
      clearTimeout(this.timers[k]);
      clearInterval(this.timers[k]);
      this.timers[k] = null;
    }
  }

  failPending(message) {
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ ok: false, seq: 0, error: { code: 'ERROR_CODE_UNAVAILABLE', message } });
    }
    this.pending.clear();
  }

  write(message) {
    try {
      this.ws.send(JSON.stringify(message));
    } catch {
      this.dropConnection('send failed');
    }
  }

  // Forgets the current socket (its handlers check this.ws) and closes it.
  abandonSocket(code, why) {
    const ws = this.ws;
    if (!ws) return;
    this.ws = null;
    try { ws.close(code, why); } catch { /* already closed */ }
  }

  open(status) {
    this.clearTimers();
    this.errorStop = null;
    this.abandonSocket(4000, 'replaced');
    this.setStatus(status, { attempt: this.attempt });
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (e) {
      this.scheduleReconnect(String(e));
      return;
    }
    this.ws = ws;
    // Connecting and joining must end in a welcome; a half-open network path would hang here.
    this.timers.handshake = setTimeout(() => this.dropConnection('no welcome'), this.opts.handshakeTimeoutMs);
    ws.onopen = () => {
      if (this.ws !== ws) return;
      const join = { meetingId: this.meetingId, token: this.token };
      if (this.state && this.epoch) join.resume = { epoch: String(this.epoch), seq: String(this.state.seq) };
      this.joinSentAt = Date.now();
      this.write({ join });
    };
    ws.onmessage = (msg) => {
      if (this.ws !== ws) return;
      // Anything from the server proves the connection alive.
      clearTimeout(this.timers.pong);
      this.timers.pong = null;
      if (typeof msg.data !== 'string') return; // we speak JSON; ignore binary
      let data;
      try {
        data = JSON.parse(msg.data);
      } catch {
        this.dropConnection('undecodable frame');
        return;
      }
      this.onServerMessage(data);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.failPending('connection lost; the command may or may not have been applied');
      const errorStop = this.errorStop;
      this.errorStop = null;
      if (this.stopped) return;
      const outcome = closeOutcome(ev.code);
      // A close code that names its cause (removed, in the lobby, bad token) wins over the error
      // frame sent before it; otherwise that error decides.
      if (outcome.stop) {
        this.stop(outcome.stop, { code: `CLOSE_${ev.code}`, message: errorStop?.error.message || ev.reason || '' });
        return;
      }
      if (outcome.lobby) {
        this.waitInLobby();
        return;
      }
      if (errorStop) {
        this.stop(errorStop.reason, errorStop.error);
        return;
      }
      this.scheduleReconnect(`closed ${ev.code}`, { later: outcome.later });
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  dropConnection(why) {
    if (!this.ws) return;
    this.abandonSocket(4000, why.slice(0, 100));
    this.failPending(`connection dropped (${why})`);
    if (!this.stopped) this.scheduleReconnect(why);
  }

  scheduleReconnect(why, { later = false } = {}) {
    this.clearTimers();
    if (this.stopped) return;
    const delayMs = backoffDelayMs(this.attempt, { baseMs: this.opts.backoffBaseMs,
      maxMs: this.opts.backoffMaxMs, laterMs: this.opts.backoffLaterMs, later });
    this.attempt += 1;
    this.setStatus(STATUS.reconnecting, { attempt: this.attempt, delayMs, why });
    this.timers.reconnect = setTimeout(() => this.open(STATUS.reconnecting), delayMs);
  }

  // In the lobby: not an error; join again in a few seconds, until the chair admits us.
  waitInLobby() {
    this.clearTimers();
    if (this.stopped) return;
    const delayMs = backoffDelayMs(0, { lobbyMs: this.opts.lobbyRetryMs, lobby: true });
    this.attempt = 0;
    this.lastError = null;
    this.setStatus(STATUS.lobby, { delayMs });
    this.timers.reconnect = setTimeout(() => this.open(STATUS.lobby), delayMs);
  }

  // Retrying cannot help (reconnect.js): keep the mirror for reading, stop all timers.
  stop(reason, error) {
    this.stopped = true;
    globalThis.removeEventListener?.('online', this.onOnline);
    this.clearTimers();
    this.abandonSocket(1000, 'stopped');
    this.failPending(error.message || error.code);
    this.lastError = error;
    this.stopReason = reason;
    this.setStatus(STATUS.closed, { error, reason });
    this.dispatchEvent(Object.assign(new Event('fatal'), { error, reason }));
  }

  onServerMessage(data) {
    if (data.welcome) this.onWelcome(data.welcome);
    else if (data.events) this.onEvents(data.events.events || []);
    else if (data.result) this.onResult(data.result);
    else if (data.pong) this.onPong(data.pong);
    else if (data.error) this.onError(data.error);
  }

  onWelcome(w) {
    const now = Date.now();
    const serverTime = Number(w.serverTimeMs || 0);
    if (serverTime) {
      const rtt = this.joinSentAt ? now - this.joinSentAt : 0;
      this.clockOffsetMs = serverTime + rtt / 2 - now;
      this.bestRttMs = rtt;
    }
    this.you = {
      participantId: w.you?.participantId || '',
      displayName: w.you?.displayName || '',
      role: w.you?.role || 'ROLE_UNSPECIFIED',
      stakeholderGroup: w.you?.stakeholderGroup || '',
      attendance: w.you?.attendance || 'ATTENDANCE_UNSPECIFIED',
      connectionId: w.you?.connectionId || '',
    };
    const epoch = Number(w.epoch || 0);
    const seq = Number(w.seq || 0);
    if (w.snapshot) {
      this.state = normalizeState(w.snapshot);
      this.state.seq = Math.max(this.state.seq, seq);
    } else if (this.state && epoch === this.epoch) {
      const events = (w.replay?.events || []).map(normalizeEvent);
      const { gap } = applyEvents(this.state, events, { viewerId: this.you.participantId });
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
    this.lastWelcome = w.snapshot ? 'snapshot' : 'replay';
    this.welcomes[this.lastWelcome] += 1;
    clearTimeout(this.timers.handshake);
    this.timers.handshake = null;
    this.startPings();
    this.setStatus(STATUS.open);
    this.dispatchEvent(Object.assign(new Event('welcome'), { welcome: w }));
    this.emitState('welcome');
  }

  onEvents(rawEvents) {
    if (!this.state) return;
    const events = rawEvents.map(normalizeEvent);
    const { applied, gap } = applyEvents(this.state, events, { viewerId: this.you?.participantId });
    if (applied) this.emitState('events');
    if (gap) this.dropConnection(`gap: expected seq ${gap.expected}, got ${gap.got}`);
  }

  onResult(r) {
    const requestId = String(r.requestId || '0');
    const p = this.pending.get(requestId);
    const result = { requestId, ok: r.ok === true, seq: Number(r.seq || 0),
      error: r.ok ? null : normalizeError(r.error) };
    this.dispatchEvent(Object.assign(new Event('result'), { result }));
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(requestId);
    p.resolve(result);
  }

  onPong(p) {
    const sentAt = this.pingSentAt?.get(String(p.nonce || '0'));
    if (sentAt === undefined) return;
    this.pingSentAt.delete(String(p.nonce || '0'));
    const now = Date.now();
    const rtt = now - sentAt;
    const serverTime = Number(p.serverTimeMs || 0);
    // The sample with the shortest round trip gives the best estimate of the offset.
    if (serverTime && rtt <= this.bestRttMs * 1.5 + 5) {
      this.bestRttMs = Math.min(this.bestRttMs, rtt);
      this.clockOffsetMs = serverTime + rtt / 2 - now;
    }
  }

  onError(e) {
    const error = normalizeError(e);
    this.lastError = error;
    const reason = stopReasonOfError(error.code);
    if (!reason) return; // the server closes the connection and we resume
    if (!this.ws) {
      this.stop(reason, error);
      return;
    }
    // The close that follows may name the cause (4003 removed, 4010 lobby): wait for it a moment.
    this.errorStop = { reason, error };
    clearTimeout(this.timers.errorStop);
    this.timers.errorStop = setTimeout(() => {
      const pending = this.errorStop;
      this.errorStop = null;
      if (pending && !this.stopped) this.stop(pending.reason, pending.error);
    }, 1500);
  }

  // Pings every pingIntervalMs; a ping with no frame at all from the server within
  // pongTimeoutMs means a silently dead connection (sleeping laptop, dropped NAT entry).
  startPings() {
    clearInterval(this.timers.ping);
    this.pingSentAt = new Map();
    let nonce = 1;
    const ping = () => {
      if (!this.ws || this.status !== STATUS.open) return;
      const n = String(nonce++);
      this.pingSentAt.set(n, Date.now());
      if (this.pingSentAt.size > 8) this.pingSentAt.delete(this.pingSentAt.keys().next().value);
      this.write({ ping: { nonce: n } });
      if (!this.timers.pong) {
        this.timers.pong = setTimeout(() => this.dropConnection('no answer to ping'), this.opts.pongTimeoutMs);
      }
    };
    ping();
    this.timers.ping = setInterval(ping, this.opts.pingIntervalMs);
  }
}

// ---- HTTP API --------------------------------------------------------------------------------

async function httpJson(method, path, { body, headers = {} } = {}) {
  const res = await fetch(path, {
    method,
    headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) {
    const message = json?.error?.message || json?.message || (typeof json?.error === 'string' ? json.error : '')
      || text || res.statusText;
    const err = new Error(message);
    err.status = res.status;
    err.code = json?.error?.code || '';
    throw err;
  }
  return json;
}

export const api = {
  createMeeting(adminKey, { title, languages, stakeholderGroups }) {
    const body = { title, languages };
    if (stakeholderGroups && stakeholderGroups.length) body.stakeholderGroups = stakeholderGroups;
    return httpJson('POST', '/api/meetings', { body, headers: { Authorization: `Bearer ${adminKey}` } });
  },
  register(meetingId, { invite, name, stakeholderGroup, attendance }) {
    return httpJson('POST', `/api/meetings/${encodeURIComponent(meetingId)}/register`,
      { body: { invite, name, stakeholderGroup, attendance } });
  },
  // The meeting's links with the current invite code (moderator token), as POST /api/meetings.
  links(meetingId, token) {
    return httpJson('GET', `/api/meetings/${encodeURIComponent(meetingId)}/links`,
      { headers: { Authorization: `Bearer ${token}` } });
  },
  // Credentials go in the Authorization header, never in the URL (README "HTTP API").
  summary(meetingId, { invite, token } = {}) {
    const authorization = invite ? `Invite ${invite}` : `Bearer ${token || ''}`;
    return httpJson('GET', `/api/meetings/${encodeURIComponent(meetingId)}`, { headers: { Authorization: authorization } });
  },
};

// ---- token storage ---------------------------------------------------------------------------

const tokenKey = (meetingId) => `majlis.token.${meetingId}`;

export function storeToken(meetingId, token) {
  try { localStorage.setItem(tokenKey(meetingId), token); return true; } catch { return false; }
}

export function loadToken(meetingId) {
  try { return localStorage.getItem(tokenKey(meetingId)) || ''; } catch { return ''; }
}

export function forgetToken(meetingId) {
  try { localStorage.removeItem(tokenKey(meetingId)); } catch { /* ignore */ }
}
