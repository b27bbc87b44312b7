// What a client does after its connection ends, as pure functions (no sockets, no timers), so
// Node can test them: which close codes and server errors make retrying pointless, and how long
// to wait before the next attempt. client.ts applies the answers.

// Why a client stopped for good: each has its own translated message (i18n 'conn.stop.*').
export const STOP = {
  token: 'token',       // 4001 / UNAUTHENTICATED: forged, expired or other-meeting token
  gone: 'gone',         // 4004 / NOT_FOUND: the meeting does not exist (any more)
  protocol: 'protocol', // 1002, 1007, 1009 / PROTOCOL, INVALID_ARGUMENT: a client bug
  denied: 'denied',     // PERMISSION_DENIED on the connection itself
  removed: 'removed',   // 4003: the chair removed this participant from the meeting
} as const;

export type StopReason = (typeof STOP)[keyof typeof STOP];

/** What closeOutcome decides. */
export type CloseOutcome = { stop: StopReason } | { lobby: true } | { retry: true; later: boolean };

/** Backoff settings; later = a close that asks for patience, lobby = waiting to be admitted. */
export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  laterMs?: number;
  lobbyMs?: number;
  later?: boolean;
  lobby?: boolean;
}

// 4010: registered through the invite link, waiting in the lobby for the chair to admit. Not an
// error and not a lost connection: the client joins again every few seconds until admitted.
export const LOBBY_CLOSE = 4010;

// Close codes after which the same Join can only fail again (README "Close codes").
const STOP_CLOSE = new Map<number, StopReason>([
  [4001, STOP.token],
  [4003, STOP.removed],
  [4004, STOP.gone],
  [1002, STOP.protocol],
  [1007, STOP.protocol],
  [1009, STOP.protocol],
]);

// Close codes that ask the client to come back later rather than at once.
const LATER_CLOSE = new Set([
  1008, // flooding past the rate limit
  4013, // server or meeting full
  4029, // too many connections for this participant or address, or joins too fast
]);

// Server `error` codes (sent before the close) after which reconnecting cannot help.
const STOP_ERROR = new Map<string, StopReason>([
  ['ERROR_CODE_UNAUTHENTICATED', STOP.token],
  ['ERROR_CODE_NOT_FOUND', STOP.gone],
  ['ERROR_CODE_PROTOCOL', STOP.protocol],
  ['ERROR_CODE_INVALID_ARGUMENT', STOP.protocol],
  ['ERROR_CODE_PERMISSION_DENIED', STOP.denied],
]);

/**
 * Backoff defaults: the first retry after 0.25–0.5 s, doubling up to 2.5–5 s; "later" 5–10 s;
 * in the lobby every 2–4 s.
 */
export const BACKOFF = { baseMs: 500, maxMs: 5000, laterMs: 10000, lobbyMs: 4000 };

/** The stop reason for a server error code, or '' when a reconnect may succeed. */
export function stopReasonOfError(code: string): StopReason | '' {
  return STOP_ERROR.get(code) || '';
}

/**
 * What to do after the server (or the network) closed the connection with `code`:
 * {stop: reason}, {lobby: true} (join again in a few seconds) or {retry: true, later: bool}.
 * 1006 (no close frame: killed server, lost network) and every other code retry.
 */
export function closeOutcome(code: number): CloseOutcome {
  const stop = STOP_CLOSE.get(code);
  if (stop) return { stop };
  if (code === LOBBY_CLOSE) return { lobby: true };
  return { retry: true, later: LATER_CLOSE.has(code) };
}

/** Whether a close code decides by itself what follows, whatever error frame came before it. */
export function closeDecides(code: number): boolean {
  return STOP_CLOSE.has(code) || code === LOBBY_CLOSE;
}

/**
 * Delay before reconnect attempt number `attempt` (0 = the first after a drop): "equal jitter"
 * over an exponentially growing cap, so a room full of clients does not return in one burst
 * after a server restart. `random` is injected for tests.
 */
export function backoffDelayMs(attempt: number, { baseMs = BACKOFF.baseMs, maxMs = BACKOFF.maxMs,
  laterMs = BACKOFF.laterMs, lobbyMs = BACKOFF.lobbyMs, later = false, lobby = false }: BackoffOptions = {},
random: () => number = Math.random): number {
  let cap: number;
  if (lobby) cap = lobbyMs;
  else if (later) cap = Math.max(laterMs, maxMs);
  else cap = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt, 0), 16));
  return Math.round(cap / 2 + random() * (cap / 2));
}
