// The language of the web clients: t(), the language switch, and the page direction. The strings
// are in i18n-en.js and i18n-ar.js, one module per language, loaded on demand so a page downloads
// only the language it shows: this module awaits the page's language before any importer runs
// (top-level await), setLang() loads another one first, loadLang() preloads (the room display's
// &lang=both, the console's search in both languages).
// Elements with data-i18n="key" (text), data-i18n-placeholder, data-i18n-title, data-i18n-aria
// are translated by applyStatic(); dynamic views call t() while rendering.

// First of all: the link's credential leaves the address bar (link.js) before anything waits.
import './link.js';

// Every language the pages know; a dictionary stays empty until loadLang() has filled it.
export const STRINGS = { en: {}, ar: {} };
const DICTIONARIES = {
  en: () => import('./i18n-en.js'),
  ar: () => import('./i18n-ar.js'),
};
const loading = new Map();

// Loads a language's strings into STRINGS[lang] (once; later calls share the first load).
export function loadLang(lang) {
  if (!DICTIONARIES[lang]) return Promise.resolve();
  if (!loading.has(lang)) {
    loading.set(lang, DICTIONARIES[lang]().then((m) => { Object.assign(STRINGS[lang], m.default); }));
  }
  return loading.get(lang);
}

// Whether the strings know key (in the shown language or in English).
function known(key) {
  return STRINGS[current][key] !== undefined || STRINGS.en[key] !== undefined;
}
export const LANGUAGES = [
  { code: 'en', label: 'English', dir: 'ltr' },
  { code: 'ar', label: 'العربية', dir: 'rtl' },
];

const STORAGE_KEY = 'majlis.lang';
const listeners = new Set();
let current = 'en';

function initialLang() {
  try {
    const fromUrl = new URLSearchParams(location.search).get('lang');
    if (fromUrl && STRINGS[fromUrl]) return fromUrl;
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved && STRINGS[saved]) return saved;
  } catch { /* no storage */ }
  const nav = (globalThis.navigator?.language || 'en').slice(0, 2);
  return STRINGS[nav] ? nav : 'en';
}

export function getLang() {
  return current;
}

export function dirOf(lang) {
  return LANGUAGES.find((l) => l.code === lang)?.dir || 'ltr';
}

// Translates key, filling {name} placeholders; unknown keys fall back to English, then the key.
export function t(key, params) {
  let s = STRINGS[current][key];
  if (s === undefined) s = STRINGS.en[key];
  if (s === undefined) return key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined ? String(params[k]) : m));
  return s;
}

// Translates a value when the table knows it (prefix + value), else shows the value itself.
export function tOr(prefix, value) {
  const key = prefix + value;
  if (known(key)) return t(key);
  return value;
}

// The i18n key of an error: an ErrorCode ('ERROR_CODE_NOT_FOUND', or the HTTP API's
// 'NOT_FOUND'), a close code (4001, '4001' or the client's 'CLOSE_4001'), or an HTTP status.
const HTTP_STATUS_CODES = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND',
  409: 'FAILED_PRECONDITION', 413: 'RESOURCE_EXHAUSTED', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL',
  502: 'UNAVAILABLE', 503: 'UNAVAILABLE', 504: 'UNAVAILABLE',
};
export function errorKey(code, httpStatus) {
  const raw = String(code ?? '').trim();
  const close = /^(?:CLOSE_)?(\d{4})$/.exec(raw);
  if (close && known(`err.close.${close[1]}`)) return `err.close.${close[1]}`;
  let name = raw.replace(/^ERROR_CODE_/, '');
  if (!name && httpStatus) name = HTTP_STATUS_CODES[httpStatus] || (httpStatus >= 500 ? 'UNAVAILABLE' : '');
  const key = `err.ERROR_CODE_${name}`;
  return known(key) ? key : 'err.ERROR_CODE_UNSPECIFIED';
}

// An error in the page's language; the server's (English) message is the caller's detail.
export function errorText(code, httpStatus) {
  return t(errorKey(code, httpStatus));
}

export function groupLabel(group) {
  if (!group) return t('common.noGroup');
  const norm = group.trim().toLowerCase().replace(/[\s-]+/g, '_');
  const key = `group.${norm}`;
  return STRINGS[current][key] ?? STRINGS.en[key] ?? group;
}

export function applyStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
}

// persist: false for a language the page takes from elsewhere (the room display follows its link
// or the meeting), which must not become the browser's choice for the other pages. Loads the
// language first when needed; resolves once the page shows it (a later switch wins).
let switches = 0;
export async function setLang(lang, { persist = true } = {}) {
  if (!STRINGS[lang]) return;
  const switchNo = ++switches;
  await loadLang(lang);
  if (switchNo !== switches) return;
  current = lang;
  if (persist) {
    try { localStorage.setItem(STORAGE_KEY, lang); } catch { /* no storage */ }
  }
  if (globalThis.document) {
    document.documentElement.lang = lang;
    document.documentElement.dir = dirOf(lang);
    applyStatic();
    for (const sel of document.querySelectorAll('select.lang-switch')) sel.value = lang;
  }
  for (const fn of listeners) fn(lang);
}

// Runs fn with t() (and everything built on it) in `lang`, then restores the page's language:
// how the room display writes a label in both languages (after loadLang(lang)).
export function inLang(lang, fn) {
  if (!STRINGS[lang]) return fn();
  const saved = current;
  current = lang;
  try { return fn(); } finally { current = saved; }
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// A <select> that switches the language; put it in the page header.
export function langSwitch() {
  const sel = document.createElement('select');
  sel.className = 'lang-switch';
  sel.setAttribute('aria-label', 'Language / اللغة');
  for (const l of LANGUAGES) {
    const o = document.createElement('option');
    o.value = l.code;
    o.textContent = l.label;
    o.lang = l.code;
    sel.append(o);
  }
  sel.value = current;
  sel.addEventListener('change', () => setLang(sel.value));
  return sel;
}

if (globalThis.document) {
  current = initialLang();
  document.documentElement.lang = current;
  document.documentElement.dir = dirOf(current);
}
await loadLang(current);
