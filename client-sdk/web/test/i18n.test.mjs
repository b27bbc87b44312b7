// Every text the pages ask for by a literal key exists in English and in Arabic (i18n.js).
// node --test client-sdk/web/test/

import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { STRINGS, loadLang, errorKey, errorText } from '../i18n.js';
import { MINUTES_STRINGS } from '../minutes_strings.js';

// One module per language (i18n-en.js, i18n-ar.js), loaded on demand: the checks need both.
await Promise.all(['en', 'ar'].map(loadLang));

const DIR = new URL('../', import.meta.url);
const pages = readdirSync(DIR).filter((f) => f.endsWith('.js') && !/^i18n(-\w+)?\.js$/.test(f));

function literalKeys(source) {
  const keys = new Set();
  for (const m of source.matchAll(/\bt\(\s*'([^']+)'/g)) keys.add(m[1]);
  for (const m of source.matchAll(/data-i18n(?:-placeholder|-title|-aria)?="([^"]+)"/g)) keys.add(m[1]);
  return keys;
}

test('every literal i18n key of the pages is translated into both languages', () => {
  const missing = [];
  const files = [...pages, ...readdirSync(DIR).filter((f) => f.endsWith('.html'))];
  for (const file of files) {
    for (const key of literalKeys(readFileSync(new URL(file, DIR), 'utf8'))) {
      for (const lang of ['en', 'ar']) {
        if (STRINGS[lang][key] === undefined) missing.push(`${file}: ${key} (${lang})`);
      }
    }
  }
  assert.deepEqual(missing, []);
});

test('the minutes view has its strings in both languages', () => {
  const en = Object.keys(MINUTES_STRINGS.en);
  assert.ok(en.length > 40, 'minutes strings loaded');
  assert.deepEqual(en.filter((k) => MINUTES_STRINGS.ar[k] === undefined), [], 'only in English');
  const extra = Object.keys(MINUTES_STRINGS.ar).filter((k) => MINUTES_STRINGS.en[k] === undefined);
  assert.deepEqual(extra.filter((k) => !/\.(zero|two|few|many)$/.test(k)), [], 'only in Arabic');
});

test('the two languages have the same keys', () => {
  assert.ok(Object.keys(STRINGS.en).length > 300, 'English loaded');
  assert.ok(Object.keys(STRINGS.ar).length > 300, 'Arabic loaded');
  const en = Object.keys(STRINGS.en).sort();
  const ar = Object.keys(STRINGS.ar).sort();
  // Arabic has plural categories English lacks (zero, two, few, many): allowed where English has
  // the same count's `.other`.
  const arabicPlural = (k) => /\.(zero|two|few|many)$/.test(k) && STRINGS.en[k.replace(/\.\w+$/, '.other')] !== undefined;
  assert.deepEqual(ar.filter((k) => STRINGS.en[k] === undefined && !arabicPlural(k)), [], 'only in Arabic');
  assert.deepEqual(en.filter((k) => STRINGS.ar[k] === undefined), [], 'only in English');
});

test('the admission and check-in texts are there in both languages', () => {
  for (const key of ['conn.stop.removed', 'lobby.heading', 'checkin.refused', 'details.pending', 'verify.unverified']) {
    for (const lang of ['en', 'ar']) assert.ok(STRINGS[lang][key], `${key} (${lang})`);
  }
  assert.match(STRINGS.ar['checkin.refused'], /[\u0600-\u06FF]/, 'Arabic text');
});

// Every error a page can meet has its own message in both languages: each value of
// proto/majlis/v1/common.proto `ErrorCode` and each code of README "Close codes".
const ROOT = new URL('../../../', import.meta.url);

function protoErrorCodes() {
  const proto = readFileSync(new URL('proto/majlis/v1/common.proto', ROOT), 'utf8');
  const body = /enum ErrorCode \{([^}]*)\}/.exec(proto)?.[1] || '';
  return [...body.matchAll(/^\s*(ERROR_CODE_[A-Z_]+)\s*=\s*\d+\s*;/gm)].map((m) => m[1]);
}

function readmeCloseCodes() {
  const readme = readFileSync(new URL('README.md', ROOT), 'utf8');
  const section = readme.split(/^### Close codes$/m)[1]?.split(/^#{2,3} /m)[0] || '';
  return [...section.matchAll(/^\| (\d{4}) \|/gm)].map((m) => m[1]);
}

test('every ErrorCode of the proto has a message in English and in Arabic', () => {
  const codes = protoErrorCodes();
  assert.ok(codes.length >= 12, `ErrorCode values read from the proto: ${codes}`);
  const missing = [];
  for (const code of codes) {
    assert.equal(errorKey(code), `err.${code}`, `${code} resolves to its own key`);
    for (const lang of ['en', 'ar']) if (!STRINGS[lang][`err.${code}`]) missing.push(`${code} (${lang})`);
    assert.match(STRINGS.ar[`err.${code}`] || '', /[\u0600-\u06FF]/, `${code}: Arabic text`);
  }
  assert.deepEqual(missing, []);
});

test('every close code of the README has a message in English and in Arabic', () => {
  const codes = readmeCloseCodes();
  assert.ok(codes.length >= 16, `close codes read from the README: ${codes}`);
  const missing = [];
  for (const code of codes) {
    assert.equal(errorKey(`CLOSE_${code}`), `err.close.${code}`, `close ${code} resolves to its own key`);
    assert.equal(errorKey(Number(code)), `err.close.${code}`);
    for (const lang of ['en', 'ar']) if (!STRINGS[lang][`err.close.${code}`]) missing.push(`${code} (${lang})`);
    assert.match(STRINGS.ar[`err.close.${code}`] || '', /[\u0600-\u06FF]/, `${code}: Arabic text`);
  }
  assert.deepEqual(missing, []);
});

test('HTTP API codes (no ERROR_CODE_ prefix) and bare HTTP statuses find their message', () => {
  assert.equal(errorKey('RESOURCE_EXHAUSTED'), 'err.ERROR_CODE_RESOURCE_EXHAUSTED');
  assert.equal(errorKey('', 404), 'err.ERROR_CODE_NOT_FOUND');
  assert.equal(errorKey('', 502), 'err.ERROR_CODE_UNAVAILABLE');
  assert.equal(errorKey('SOMETHING_NEW'), 'err.ERROR_CODE_UNSPECIFIED');
  assert.notEqual(errorText('ERROR_CODE_NOT_FOUND'), 'err.ERROR_CODE_NOT_FOUND');
});
