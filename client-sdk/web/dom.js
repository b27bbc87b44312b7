// The DOM helpers a page without a live connection needs (the join and start pages): element
// builder, toasts, error messages, the link's parameters, the page header. No import of the
// SDK's WebSocket client or protobuf types, so these pages stay small; ui.js re-exports all of it.

import { t, langSwitch, applyStatic, errorText } from './i18n.js';
import { pageLink } from './link.js';

// h('button', {class: 'x', onclick: fn, dataset: {id: 1}}, 'text', child, [more])
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'value') el.value = v;
      else if (k === 'checked' || k === 'disabled' || k === 'selected' || k === 'required') el[k] = !!v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  appendChildren(el, children);
  return el;
}

export function appendChildren(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) appendChildren(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// ---- page scaffolding ----

let toastBox = null;
export function toast(message, kind = 'error') {
  if (!toastBox) {
    toastBox = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(toastBox);
  }
  const el = h('div', { class: `toast toast-${kind}`, dir: 'auto' }, message);
  toastBox.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 6000 : 2500);
}

// An error for people: the page-language message for its code (ErrorCode, close code or HTTP
// status), with the server's English message only as a small secondary detail.
export function errorMessage(code, detail, httpStatus) {
  return errorNode(errorText(code, httpStatus), detail, code || httpStatus);
}

export function errorNode(text, detail, code) {
  const extra = detail && detail !== text ? String(detail) : '';
  return h('span', { class: 'error-message', dataset: { code: String(code || '') } },
    h('span', { class: 'error-text' }, text),
    extra ? h('small', { class: 'error-detail', dir: 'auto', title: t('err.detail') }, extra) : null);
}

// The same for an HTTP API failure (api.* throws an Error with .code and .status; a failed
// fetch has neither: the server could not be reached).
export function apiErrorMessage(e) {
  return errorMessage(e?.code || (e?.status ? '' : 'UNAVAILABLE'), e?.message, e?.status);
}

// Reads a link: ?meeting=ID in the query, the credential in the fragment (#token=, #invite=,
// #key=; old links carry it in the query and still work). link.js has already taken the
// credential out of the address bar, before the page waited for its strings.
export function linkParams() {
  return { ...pageLink };
}

// A credential kept for this tab only (sessionStorage), so a reload works once the link's
// fragment is gone: stores `value` when given, else returns the one kept before.
export function tabCredential(name, meetingId, value) {
  const key = `majlis.${name}.${location.pathname.split('/').pop()}.${meetingId}`;
  try {
    if (value) sessionStorage.setItem(key, value);
    else value = sessionStorage.getItem(key) || '';
  } catch { /* storage disabled: the link must be opened again after a reload */ }
  return value || '';
}

// Fills the page header: a language switch and the connection banner.
export function mountHeader(header) {
  const slot = header.querySelector('.header-tools') || header;
  slot.append(langSwitch());
  applyStatic();
}
