// View pieces shared by the console, the participant page and the room display.

import { t } from './i18n.js';
import { h, userText, nameOf, groupLabel, attendanceLabel, kindLabel } from './ui.js';

const DEFAULT_ELIGIBLE = ['ROLE_PARTICIPANT', 'ROLE_MODERATOR'];

export function optionLabel(poll, index) {
  if (poll.kind === 'POLL_KIND_YES_NO_ABSTAIN') {
    const fixed = [t('poll.yes'), t('poll.no'), t('poll.abstain')];
    return fixed[index] ?? poll.options[index] ?? String(index + 1);
  }
  return poll.options[index] ?? String(index + 1);
}

export function optionCount(poll) {
  if (poll.kind === 'POLL_KIND_YES_NO_ABSTAIN') return Math.max(3, poll.options.length);
  return poll.options.length;
}

export function eligibleRoles(poll) {
  return poll.eligibleRoles.length ? poll.eligibleRoles : DEFAULT_ELIGIBLE;
}

export function isEligible(poll, role) {
  return eligibleRoles(poll).includes(role);
}

// Voted / eligible online: live while open, frozen at close. Only the poll's eligible roles
// count (the chair only when the poll lets the chair vote); someone who voted and then went
// offline still counts, so "voted" never exceeds "eligible".
export function turnout(state, poll) {
  const voted = poll.voterIds.length;
  let eligible;
  if (poll.status === 'POLL_STATUS_OPEN' || poll.status === 'POLL_STATUS_DRAFT' || !poll.eligibleOnlineAtClose) {
    const roles = eligibleRoles(poll);
    const voters = new Set(poll.voterIds);
    eligible = state.participants.filter((p) => roles.includes(p.role) && (p.online || voters.has(p.id))).length;
  } else {
    eligible = poll.eligibleOnlineAtClose;
  }
  return { voted, eligible: Math.max(eligible, voted) };
}

// Whether this viewer may see the poll's tally (the server projects tally_visible per audience:
// for the chair it means "visible to me", for everyone else "visible to all").
export function hasTally(poll) {
  return poll.tallyVisible && poll.status !== 'POLL_STATUS_DRAFT';
}

export function tallyBars(poll) {
  const n = Math.max(optionCount(poll), poll.tally.length);
  const counts = Array.from({ length: n }, (_, i) => poll.tally[i] || 0);
  const total = counts.reduce((a, b) => a + b, 0);
  const max = Math.max(1, ...counts);
  return h('div', { class: 'bars' }, counts.map((c, i) => {
    const pct = total ? Math.round((c * 100) / total) : 0;
    return h('div', { class: 'bar', dataset: { option: i } },
      userText(optionLabel(poll, i), 'span', 'label'),
      h('div', { class: 'track' }, h('div', { class: 'fill', style: { width: `${(c * 100) / max}%` } })),
      h('span', { class: 'num', dir: 'ltr' }, `${c} · ${pct}%`));
  }));
}

// Generic horizontal bars for {label, value, text}.
export function figureBars(rows) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return h('div', { class: 'bars' }, rows.map((r) =>
    h('div', { class: 'bar' },
      h('span', { class: 'label' }, r.label),
      h('div', { class: 'track' }, h('div', { class: 'fill', style: { width: `${(r.value * 100) / max}%` } })),
      h('span', { class: 'num', dir: 'ltr' }, r.text))));
}

export function choicesText(poll, choices) {
  return choices.map((c) => optionLabel(poll, c)).join('، ');
}

export function pollMeta(poll) {
  return h('div', { class: 'row tight small' },
    h('span', { class: `badge ${poll.status === 'POLL_STATUS_OPEN' ? 'green' : ''}` }, t(`poll.status.${poll.status}`)),
    h('span', { class: 'badge' }, t(`poll.kind.${poll.kind}`)),
    h('span', { class: `badge ${poll.secrecy === 'POLL_SECRECY_SECRET' ? 'amber' : ''}` }, t(`poll.secrecy.${poll.secrecy}`)),
    h('span', { class: 'badge blue' }, t(`poll.vis.${poll.visibility}`)));
}

// "Name · group · attendance" for a participant id.
export function personLine(state, participantId, { you } = {}) {
  const p = state.participants.find((x) => x.id === participantId);
  return [
    userText(nameOf(state, participantId), 'bdi', 'who'),
    you && participantId === you ? h('span', { class: 'badge green' }, t('common.you')) : null,
    p ? h('span', { class: 'muted small' }, ` · ${groupLabel(p.stakeholderGroup)} · ${attendanceLabel(p.attendance)}`) : null,
  ];
}

export function kindBadge(kind) {
  return h('span', { class: `badge kind-${kind}` }, kindLabel(kind));
}
