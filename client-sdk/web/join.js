// Self-registration from an invite link: name, stakeholder group, attendance -> token.

import { api, loadToken, storeToken } from '@majlis/client';
import { t, groupLabel, onLangChange } from './i18n.js';
import { h, linkParams, tabCredential, mountHeader, toast, apiErrorMessage } from './dom.js';

const link = linkParams();
const meetingId = link.meetingId;
const invite = meetingId ? tabCredential('invite', meetingId, link.invite) : '';
const status = document.getElementById('join-status');
const form = document.getElementById('join-form');
const groupSelect = document.getElementById('join-group');
let groups = [];

mountHeader(document.querySelector('.topbar'));

// The token travels in the fragment only when this browser could not keep it.
function participantUrl(token, withToken) {
  const q = new URLSearchParams({ meeting: meetingId });
  return `participant.html?${q}${withToken ? `#${new URLSearchParams({ token })}` : ''}`;
}

function fillGroups() {
  const selected = groupSelect.value;
  groupSelect.replaceChildren(...groups.map((g) => h('option', { value: g }, groupLabel(g))));
  if (selected) groupSelect.value = selected;
}
onLangChange(fillGroups);

async function load() {
  if (!meetingId || !invite) {
    status.textContent = t('link.incomplete');
    return;
  }
  const saved = loadToken(meetingId);
  if (saved) {
    const again = document.getElementById('join-again');
    document.getElementById('join-again-link').href = participantUrl(saved, false);
    again.hidden = false;
  }
  try {
    const summary = await api.summary(meetingId, { invite });
    document.getElementById('meeting-title').textContent = summary.title || '';
    document.title = `${summary.title || 'Majlis'} — Majlis`;
    groups = summary.stakeholderGroups || [];
    fillGroups();
    status.hidden = true;
    form.hidden = false;
    document.getElementById('join-name').focus();
  } catch (e) {
    // In the page's language; the server's English stays a small detail.
    status.replaceChildren(h('strong', {}, t('join.badLinkPlain')), h('br'), apiErrorMessage(e),
      h('br'), h('a', { href: 'index.html', id: 'join-home', class: 'button' }, t('conn.home')));
    status.classList.add('error-line');
  }
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const name = document.getElementById('join-name').value.trim();
  if (!name) {
    toast(t('join.nameRequired'));
    return;
  }
  const attendance = form.querySelector('input[name="attendance"]:checked')?.value || 'remote';
  const button = document.getElementById('join-submit');
  button.disabled = true;
  try {
    const res = await api.register(meetingId, { invite, name, stakeholderGroup: groupSelect.value, attendance });
    const stored = storeToken(meetingId, res.token);
    location.assign(participantUrl(res.token, !stored));
  } catch (e) {
    toast(registerError(e));
    button.disabled = false;
  }
});

// Registration refused: closed to the invite link (403), or its cap reached, said plainly.
function registerError(e) {
  if (e.status === 403) return t('join.closed');
  if (e.code === 'RESOURCE_EXHAUSTED') return t('join.full');
  return apiErrorMessage(e);
}

load();
