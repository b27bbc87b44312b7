// The chair console's admission panels: who may come in through the invite link (mode, cap,
// rotating the invite code), the lobby (admit, optionally correcting group and attendance, or
// decline), in-room check-in (open/close, the current code), and per person in the roster:
// remove / admit again, the "unverified" marker, Verify, and change requests to answer.

import { api } from '@majlis/client';
import { admissionOf, registrationModeOf, hasPendingRequest } from '@majlis/client';
import { t } from './i18n.js';
import { h, patch, userText, run, groupLabel, attendanceLabel, toast, apiErrorMessage } from './ui.js';

const $ = (id) => document.getElementById(id);
const MODES = ['REGISTRATION_MODE_OPEN', 'REGISTRATION_MODE_APPROVAL', 'REGISTRATION_MODE_CLOSED'];
const ATTENDANCES = ['ATTENDANCE_IN_ROOM', 'ATTENDANCE_REMOTE'];

// ctx: {client, meetingId, token, showLinks(res)} — showLinks takes the /links answer.
let ctx = null;
const draft = { mode: '', cap: '' }; // the admission form while the chair edits it

export function initAdmission(context) {
  ctx = context;
}

// ---- registration, invite code, check-in ----------------------------------------------------

async function saveRegistration(state) {
  const mode = $('reg-mode').value;
  const cap = Math.max(0, Math.floor(Number($('reg-cap').value || 0)));
  const r = await run(ctx.client, { setRegistration: { mode, registrationCap: cap } });
  if (r.ok) {
    draft.mode = '';
    draft.cap = '';
    toast(t('admission.saved'), 'ok');
    renderAdmission(ctx.client.state || state);
  }
}

// A fresh invite nonce voids every earlier invite link at once; the new link comes from /links.
async function rotateInvite() {
  if (!confirm(t('admission.rotateConfirm'))) return;
  const r = await run(ctx.client, { rotateInviteCode: {} });
  if (!r.ok) return;
  await ctx.client.waitForSeq(r.seq);
  try {
    const res = await api.links(ctx.meetingId, ctx.token);
    ctx.showLinks(res);
    toast(t('admission.rotated'), 'ok');
  } catch (e) {
    toast(apiErrorMessage(e));
  }
}

function secondsUntil(ms) {
  return Math.max(0, Math.ceil((ms - ctx.client.now()) / 1000));
}

export function renderAdmission(state) {
  const a = state.settings.admission;
  const mode = registrationModeOf(state);
  const modeSelect = h('select', {
    id: 'reg-mode', onchange: (e) => { draft.mode = e.target.value; },
  }, MODES.map((m) => h('option', { value: m, selected: (draft.mode || mode) === m }, t(`regMode.${m}`))));
  const capInput = h('input', {
    id: 'reg-cap', type: 'number', min: 0, max: 100000, dir: 'ltr', style: { width: '6em' },
    value: draft.cap !== '' ? draft.cap : String(a.registrationCap || ''),
    placeholder: t('admission.capDefault'),
    dataset: { key: 'reg-cap' }, oninput: (e) => { draft.cap = e.target.value; },
  });
  const check = state.checkIn;
  patch($('admission'),
    h('h2', {}, t('admission.heading')),
    h('div', { class: 'row' },
      h('label', {}, t('admission.mode'), ' ', modeSelect),
      h('label', {}, t('admission.cap'), ' ', capInput),
      h('button', { class: 'small primary', id: 'reg-save', onclick: () => saveRegistration(state) }, t('common.save'))),
    h('p', { class: 'small muted', id: 'reg-help' }, t(`regMode.help.${mode}`)),
    h('p', { class: 'small muted', id: 'reg-count' }, a.registrationCap
      ? t('admission.count', { n: a.registrations, cap: a.registrationCap })
      : t('admission.countDefault', { n: a.registrations })),
    h('div', { class: 'actions' },
      h('button', { class: 'small', id: 'rotate-invite', onclick: rotateInvite }, t('admission.rotate'))),
    h('h3', { style: { marginTop: '10px' } }, t('checkin.heading')),
    h('div', { class: 'row' },
      check.open ? h('span', { class: 'badge green', id: 'checkin-open' }, t('checkin.isOpen')) : h('span', { class: 'badge' }, t('checkin.isClosed')),
      h('button', {
        class: `small ${check.open ? '' : 'primary'}`, id: 'checkin-toggle',
        onclick: () => run(ctx.client, { setCheckIn: { open: !check.open } }),
      }, check.open ? t('checkin.close') : t('checkin.open'))),
    check.open && check.code
      ? h('div', { class: 'row' },
        h('span', { class: 'checkin-code', id: 'checkin-code-now', dir: 'ltr' }, check.code),
        h('span', { class: 'small muted', id: 'checkin-next', dir: 'auto' }))
      : null);
  tickAdmission(state);
}

// The countdown to the next code.
export function tickAdmission(state) {
  const next = $('checkin-next');
  if (next && state.checkIn.nextRotationMs) next.textContent = t('checkin.nextIn', { n: secondsUntil(state.checkIn.nextRotationMs) });
}

// ---- lobby --------------------------------------------------------------------------------------

function lobbyEntry(state, p) {
  const groupSelect = h('select', { class: 'lobby-group', dataset: { key: `lobby-group-${p.id}`, draft: '' }, 'aria-label': t('join.group') },
    h('option', { value: '' }, t('lobby.asRegistered', { value: p.stakeholderGroup ? groupLabel(p.stakeholderGroup) : t('common.noGroup') })),
    state.stakeholderGroups.map((g) => h('option', { value: g }, groupLabel(g))));
  const attSelect = h('select', { class: 'lobby-attendance', dataset: { key: `lobby-att-${p.id}`, draft: '' }, 'aria-label': t('details.attendance') },
    h('option', { value: '' }, t('lobby.asRegistered', { value: attendanceLabel(p.attendance) })),
    ATTENDANCES.map((a) => h('option', { value: a }, attendanceLabel(a))));
  const admit = () => {
    const command = { participantId: p.id };
    if (groupSelect.value) command.stakeholderGroup = groupSelect.value;
    if (attSelect.value) command.attendance = attSelect.value;
    run(ctx.client, { admitParticipant: command });
  };
  return h('li', { class: 'lobby-entry', dataset: { participant: p.id } },
    h('div', { class: 'line' },
      h('span', { class: `dot ${p.online ? 'on' : ''}` }),
      h('span', { class: 'grow' }, userText(p.displayName))),
    h('div', { class: 'small muted' }, `${p.stakeholderGroup ? groupLabel(p.stakeholderGroup) : t('common.noGroup')} · ${attendanceLabel(p.attendance)}`),
    h('div', { class: 'actions' },
      groupSelect, attSelect,
      h('button', { class: 'small primary lobby-admit', onclick: admit }, t('lobby.admit')),
      h('button', { class: 'small danger lobby-decline', onclick: () => run(ctx.client, { removeParticipant: { participantId: p.id } }) }, t('lobby.decline'))));
}

export function renderLobby(state) {
  const waiting = state.participants.filter((p) => admissionOf(p) === 'ADMISSION_STATUS_LOBBY')
    .sort((a, b) => a.registeredAtMs - b.registeredAtMs);
  $('lobby-count').textContent = String(waiting.length);
  $('lobby-count').className = `badge ${waiting.length ? 'amber' : ''}`;
  patch($('lobby-list'), waiting.length
    ? waiting.map((p) => lobbyEntry(state, p))
    : h('li', { class: 'empty' }, t('lobby.empty')));
}

// ---- per person in the roster -------------------------------------------------------------------

// Who the roster lists: everyone but displays and those still in the lobby.
export function inRoster(p) {
  return p.role !== 'ROLE_DISPLAY' && admissionOf(p) !== 'ADMISSION_STATUS_LOBBY';
}

// Badges after a name: removed, unverified (group or attendance), checked in.
export function rosterBadges(p) {
  if (admissionOf(p) === 'ADMISSION_STATUS_REMOVED') return [h('span', { class: 'badge red removed' }, t('roster.removed'))];
  if (p.role !== 'ROLE_PARTICIPANT') return [];
  const unverified = [!p.groupVerified ? t('join.group') : '', !p.attendanceVerified ? t('details.attendance') : ''].filter(Boolean);
  return [
    unverified.length ? h('span', { class: 'badge amber unverified', title: unverified.join(', ') }, t('verify.unverified')) : null,
    p.checkedInAtMs ? h('span', { class: 'badge green checked-in' }, t('checkin.badge')) : null,
  ];
}

// The admission controls below a person: a request to answer, Verify, Remove / Admit again.
export function rosterControls(p) {
  if (p.role !== 'ROLE_PARTICIPANT') return null;
  const client = ctx.client;
  if (admissionOf(p) === 'ADMISSION_STATUS_REMOVED') {
    return h('div', { class: 'actions' },
      h('button', { class: 'small readmit', onclick: () => run(client, { admitParticipant: { participantId: p.id } }) }, t('roster.admitAgain')));
  }
  const request = hasPendingRequest(p)
    ? h('div', { class: 'line small change-request' },
      h('span', { class: 'grow pending-line' }, t('verify.asks', {
        what: [p.requestedGroup ? groupLabel(p.requestedGroup) : '',
          p.requestedAttendance !== 'ATTENDANCE_UNSPECIFIED' ? attendanceLabel(p.requestedAttendance) : ''].filter(Boolean).join(' · '),
      })),
      h('button', { class: 'small primary request-accept', onclick: () => run(client, { answerParticipantRequest: { participantId: p.id, accept: true } }) }, t('verify.accept')),
      h('button', { class: 'small request-decline', onclick: () => run(client, { answerParticipantRequest: { participantId: p.id, accept: false } }) }, t('verify.decline')))
    : null;
  const unverified = !p.groupVerified || !p.attendanceVerified;
  return [request, h('div', { class: 'actions' },
    unverified ? h('button', { class: 'small verify', onclick: () => run(client, { verifyParticipant: { participantId: p.id } }) }, t('verify.verify')) : null,
    h('button', {
      class: 'small danger remove-participant',
      onclick: () => confirm(t('roster.removeConfirm', { name: p.displayName })) && run(client, { removeParticipant: { participantId: p.id } }),
    }, t('roster.remove')))];
}
