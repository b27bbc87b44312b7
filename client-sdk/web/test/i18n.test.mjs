// Every text the pages ask for by a literal key exists in English and in Arabic (i18n.js).
// node --test client-sdk/web/test/

import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { STRINGS } from '../i18n.js';

const DIR = new URL('../', import.meta.url);
const pages = readdirSync(DIR).filter((f) => f.endsWith('.js') && f !== 'i18n.js');

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

test('the two languages have the same keys', () => {
  const en = Object.keys(STRINGS.en).sort();
  const ar = Object.keys(STRINGS.ar).sort();
  assert.deepEqual(ar.filter((k) => STRINGS.en[k] === undefined), [], 'only in Arabic');
  assert.deepEqual(en.filter((k) => STRINGS.ar[k] === undefined), [], 'only in English');
});

test('the admission and check-in texts are there in both languages', () => {
  for (const key of ['conn.stop.removed', 'lobby.heading', 'checkin.refused', 'details.pending', 'verify.unverified']) {
    for (const lang of ['en', 'ar']) assert.ok(STRINGS[lang][key], `${key} (${lang})`);
  }
  assert.match(STRINGS.ar['checkin.refused'], /[\u0600-\u06FF]/, 'Arabic text');
});
