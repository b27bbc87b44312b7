// The join page's shared chunk stays small (vite.config.js 'base': i18n.js, dom.js): neither
// module may import the SDK, whose WebSocket client and protobuf code only the pages with a live
// connection load; the strings stay one module per language, loaded on demand.
// node --test client-sdk/web/test/

import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const DIR = new URL('../', import.meta.url);
const source = (file) => readFileSync(new URL(file, DIR), 'utf8');
const imports = (text) => [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gm)].map((m) => m[1]);

test('dom.js and i18n.js import nothing of the SDK', () => {
  for (const file of ['dom.js', 'i18n.js']) {
    const found = imports(source(file));
    assert.ok(found.length > 0 || file === 'i18n.js', `${file}: imports read`);
    assert.deepEqual(found.filter((m) => m.startsWith('@majlis/') || m.includes('client-sdk/ts')), [], file);
  }
});

test('the join and start pages import the SDK-free helpers, not ui.js', () => {
  for (const file of ['join.js', 'index.js']) {
    const found = imports(source(file));
    assert.ok(found.includes('./dom.js'), `${file} imports dom.js`);
    assert.ok(!found.includes('./ui.js') && !found.includes('./views.js'), `${file} imports ui.js or views.js`);
    assert.deepEqual(found.filter((m) => m.startsWith('@majlis/')), file === 'join.js' ? ['@majlis/client'] : [], file);
  }
  // join.js takes only the HTTP helpers from the SDK.
  const named = /import\s*\{([^}]*)\}\s*from\s*'@majlis\/client'/.exec(source('join.js'))?.[1] || '';
  assert.deepEqual(named.split(',').map((s) => s.trim()).filter(Boolean).sort(), ['api', 'loadToken', 'storeToken']);
});

test('i18n.js holds no dictionary: each language is its own module, imported on demand', () => {
  const text = source('i18n.js');
  assert.match(text, /import\('\.\/i18n-en\.js'\)/);
  assert.match(text, /import\('\.\/i18n-ar\.js'\)/);
  assert.ok(!/^import .*i18n-(en|ar)/m.test(text), 'a static import of a dictionary');
  assert.ok(text.length < 12000, `i18n.js is ${text.length} characters`);
});
