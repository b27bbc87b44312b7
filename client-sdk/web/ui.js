// The helpers of the pages with a live meeting (participant, console, display): re-render that
// keeps focus and typed text, connection banner and lobby, clocks, time formatting, labels; with
// the SDK-free ones of dom.js re-exported.

import { t, groupLabel, onLangChange } from './i18n.js';
import { findParticipant, floorElapsedMs, MajlisClient, STATUS } from '@majlis/client';
import { h, appendChildren, toast, errorMessage, errorNode } from './dom.js';

export { h, toast, errorMessage, apiErrorMessage, linkParams, tabCredential, mountHeader } from './dom.js';

// Text someone typed (names, titles, comments): isolated, direction from its own script.
export function userText(text, tag = 'bdi', cls) {
  return h(tag, { dir: 'auto', class: cls }, text);
}

// Replaces a container's children; an input that had focus (matched by data-key) keeps its
// focus, typed text and caret, so live updates never eat what the chair is typing.
export function patch(container, ...children) {
  const active = document.activeElement;
  let saved = null;
  if (active && container.contains(active) && active.dataset.key) {
    saved = { key: active.dataset.key, value: active.value, start: active.selectionStart, end: active.selectionEnd };
  }
  const drafts = new Map();
  for (const el of container.querySelectorAll('input[data-key], textarea[data-key], select[data-key]')) {
    if (el.type !== 'checkbox' && el.type !== 'radio' && el.dataset.draft !== undefined) drafts.set(el.dataset.key, el.value);
  }
  container.replaceChildren();
  appendChildren(container, children);
  for (const [key, value] of drafts) {
    const el = container.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (el && el.dataset.draft !== undefined) el.value = value;
  }
  if (saved) {
    const el = container.querySelector(`[data-key="${CSS.escape(saved.key)}"]`);
    if (el) {
      el.value = saved.value;
      el.focus();
      try { el.setSelectionRange(saved.start, saved.end); } catch { /* not a text field */ }
    }
  }
}

// ---- formatting ----

// 83_000 -> "1:23"; negative -> "+0:05" is left to the caller.
export function fmtClock(ms) {
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function fmtMinutes(ms) {
  return fmtClock(ms);
}

export function nameOf(state, participantId) {
  return findParticipant(state, participantId)?.displayName || participantId || t('common.unknown');
}

export function kindLabel(kind) { return t(`kind.${kind}`); }
export function attendanceLabel(a) { return t(`att.${a}`); }
const GROUP_LEAST = ' has spoken least'; // the domain's "<group> has spoken least"

export function reasonLabel(reason) {
  if (!reason) return '';
  if (reason.endsWith(GROUP_LEAST)) {
    return t('reason.groupLeast', { group: groupLabel(reason.slice(0, -GROUP_LEAST.length)) });
  }
  const key = `reason.${reason}`;
  const s = t(key);
  return s === key ? reason : s;
}
export { groupLabel };

// The floor's countdown at server time now: {text, overtime, paused, elapsed, remaining}.
export function floorClock(floor, nowMs) {
  const elapsed = floorElapsedMs(floor, nowMs);
  if (!floor.timeLimitMs) return { text: fmtClock(elapsed), overtime: false, paused: floor.paused, elapsed, remaining: null };
  const remaining = floor.timeLimitMs - elapsed;
  const overtime = remaining < 0;
  return { text: (overtime ? '+' : '') + fmtClock(remaining), overtime, paused: floor.paused, elapsed, remaining };
}

// A <span class="clock"> that tick() keeps current; always left-to-right digits.
export function clockElement(cls = 'clock') {
  return h('span', { class: cls, dir: 'ltr', 'data-clock': '1' });
}

export function updateClocks(root, floor, nowMs) {
  const c = floor ? floorClock(floor, nowMs) : null;
  for (const el of root.querySelectorAll('[data-clock]')) {
    el.textContent = c ? c.text : '';
    el.classList.toggle('overtime', !!c?.overtime);
    el.classList.toggle('paused', !!c?.paused);
  }
}

// ---- page scaffolding ----

// No answer (the connection dropped, or timed out, with the command in flight): it may or may
// not have been applied. "not connected" means it was never sent.
export function isUncertain(result) {
  return !result.ok && result.error?.code === 'ERROR_CODE_UNAVAILABLE' && result.error?.message !== 'not connected';
}

// Sends a command; shows a toast when the server refuses it. Returns the result.
export async function run(client, command) {
  const result = await client.send(command);
  if (!result.ok) {
    toast(isUncertain(result)
      ? errorNode(t('err.maybeApplied'), result.error?.message, 'uncertain')
      : errorMessage(result.error?.code, result.error?.message));
  }
  return result;
}

// The connection as the page shows it, also set as <html data-conn="…"> for styles and tests:
// 'open' (live), 'connecting', 'reconnecting', 'lobby' (waiting for the chair to admit),
// 'stopped' (retrying cannot help) or 'closed'.
export function connState(client) {
  if (client.status === STATUS.closed) return client.stopReason ? 'stopped' : 'closed';
  return client.status;
}

// What stops a page for good, translated, with a way back to the start page.
function stopMessage(client) {
  const key = `conn.stop.${client.stopReason}`;
  const text = t(key);
  return text === key ? t('conn.stop.stopped') : text;
}

// Where a stopped page sends people: the start page, unless the page knows better (home()).
function wayBack(home) {
  return (home && home()) || { href: 'index.html', text: t('conn.home') };
}

// In the page's language only: the server's English message is kept as the card's title.
export function stopCard(client, home) {
  const e = client.lastError;
  const back = wayBack(home);
  return h('div', {
    class: 'card fatal-card stack', id: 'conn-stopped', dataset: { reason: client.stopReason, code: e?.code || '' },
    title: e?.message && client.stopReason !== 'removed' ? `${t('err.detail')}: ${e.message}` : null,
  },
  h('strong', {}, stopMessage(client)),
  h('div', {}, h('a', { href: back.href, id: 'conn-home', class: 'button primary' }, back.text)));
}

// The meeting status badge in a page header: the meeting's status while live; "not live —
// reconnecting" or "offline" otherwise, never a stale green "Live".
export function renderStatusBadge(el, client) {
  if (!el) return;
  const state = client.state;
  const conn = connState(client);
  if (conn === 'open' && state) {
    el.textContent = t(`status.${state.status}`);
    el.className = `badge ${state.status === 'MEETING_STATUS_LIVE' ? 'green' : ''}`;
  } else if (conn === 'lobby') {
    el.textContent = t('lobby.badge');
    el.className = 'badge blue conn-badge';
  } else if (conn === 'connecting' || conn === 'reconnecting') {
    el.textContent = t('conn.badge.reconnecting');
    el.className = 'badge amber conn-badge';
  } else {
    el.textContent = t('conn.badge.offline');
    el.className = 'badge red conn-badge';
  }
  el.dataset.conn = conn;
}

// Connection banner: hidden while connected; "connection lost, reconnecting…" with a retry
// button; or, once retrying cannot help, why and a link to the start page.
export function mountBanner(client, home) {
  const banner = h('div', { class: 'conn-banner', role: 'status', 'aria-live': 'polite', hidden: true });
  document.body.prepend(banner);
  const render = () => {
    const conn = connState(client);
    document.documentElement.dataset.conn = conn;
    banner.className = 'conn-banner';
    banner.dataset.conn = conn;
    // In the lobby the page shows lobbyCard instead: waiting is not a lost connection.
    if (conn === 'open' || conn === 'lobby') {
      banner.hidden = true;
      return;
    }
    banner.hidden = false;
    if (conn === 'stopped') {
      banner.classList.add('fatal');
      const back = wayBack(home);
      banner.replaceChildren(stopMessage(client), ' ', h('a', { href: back.href }, back.text));
    } else if (conn === 'closed') {
      banner.classList.add('fatal');
      banner.replaceChildren(t('conn.closed'));
    } else if (conn === 'reconnecting') {
      banner.classList.add('lost');
      banner.replaceChildren(
        t('conn.reconnectingIn', { n: client.attempt }), ' ',
        h('button', { class: 'link', onclick: () => client.retryNow() }, t('conn.retry')));
    } else {
      banner.replaceChildren(t('conn.connecting'));
    }
  };
  client.addEventListener('status', render);
  onLangChange(render);
  render();
  return banner;
}

// Puts stopCard first in <main>; CSS (html[data-conn="stopped"]) hides the rest, which stays in
// the document so page code holding its elements keeps working.
function showStopCard(client, home) {
  const main = document.querySelector('main') || document.body;
  main.querySelector('#conn-stopped')?.remove();
  main.prepend(stopCard(client, home));
}

// Waiting in the lobby (close 4010): what is happening, and that the page keeps trying.
export function lobbyCard() {
  return h('div', { class: 'card lobby-card stack', id: 'lobby', role: 'status', 'aria-live': 'polite' },
    h('strong', { class: 'big' }, t('lobby.heading')),
    h('div', {}, t('lobby.body')),
    h('div', { class: 'small muted' }, t('lobby.retrying')));
}

// Puts lobbyCard first in <main> while waiting; CSS (html[data-conn="lobby"]) hides the rest.
function syncLobbyCard(client) {
  const main = document.querySelector('main') || document.body;
  const shown = main.querySelector('#lobby');
  if (client.status === STATUS.lobby) {
    if (shown) shown.replaceWith(lobbyCard());
    else main.prepend(lobbyCard());
  } else if (shown) {
    shown.remove();
  }
}

// Connects a page: client + banner + batched re-render on state, connection and language
// change, and a 4 Hz tick for clocks. render(state, client) and tick(state, client) are page
// functions; statusBadge is the header's meeting status element, kept by renderStatusBadge.
// Once the client stops for good the page's content gives way to stopCard, whose link is
// home() ({href, text}) when the page gives one, else the start page.
export function startPage({ meetingId, token, render, tick, statusBadge, home }) {
  // ?wire=json keeps JSON text frames (readable in the network panel; the e2e specs that read frames).
  const format = new URLSearchParams(location.search).get('wire') === 'json' ? 'json' : 'binary';
  const client = new MajlisClient({ meetingId, token, format });
  mountBanner(client, home);
  let scheduled = false;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      renderStatusBadge(statusBadge, client);
      syncLobbyCard(client);
      if (client.stopReason) {
        showStopCard(client, home);
        return;
      }
      if (client.state) {
        render(client.state, client);
        if (tick) tick(client.state, client);
      }
    });
  };
  client.addEventListener('state', schedule);
  // The badge and the stop card change with the banner, not a frame later.
  client.addEventListener('status', () => {
    renderStatusBadge(statusBadge, client);
    syncLobbyCard(client);
    if (client.stopReason) showStopCard(client, home);
    schedule();
  });
  onLangChange(schedule);
  if (tick) setInterval(() => client.state && !client.stopReason && tick(client.state, client), 250);
  client.connect();
  globalThis.majlis = client; // handy in the browser console and for tests
  return { client, rerender: schedule };
}

// back ({href, text}, optional): a way out of the page, e.g. to the join page.
export function showFatalPage(message, back) {
  const main = document.querySelector('main') || document.body;
  main.replaceChildren(h('div', { class: 'card fatal-card stack', id: 'fatal' }, h('strong', {}, message),
    back ? h('div', {}, h('a', { href: back.href, class: 'button primary', id: 'fatal-back' }, back.text)) : null));
}
