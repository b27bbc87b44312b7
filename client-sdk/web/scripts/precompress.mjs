// Writes X.gz (gzip level 9) and X.br (brotli quality 11) next to every compressible file X in
// the given folder (default dist/), each only when it is smaller than X. majlisd serves the
// variant the browser accepts, so nothing is compressed per request.
//   node scripts/precompress.mjs [dir]
import { readdir, readFile, writeFile, rm } from 'node:fs/promises';
import { join, extname, resolve } from 'node:path';
import { constants, gzipSync, brotliCompressSync } from 'node:zlib';

const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json']);

async function* files(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

function variants(data) {
  return {
    gz: gzipSync(data, { level: 9 }),
    br: brotliCompressSync(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      },
    }),
  };
}

const dir = resolve(process.argv[2] ?? 'dist');
let count = 0, before = 0, afterGz = 0, afterBr = 0;
for await (const path of files(dir)) {
  if (!COMPRESSIBLE.has(extname(path).toLowerCase())) continue;
  const data = await readFile(path);
  const { gz, br } = variants(data);
  for (const [suffix, packed] of [['gz', gz], ['br', br]]) {
    // A stale variant from an earlier build must not outlive a file that no longer shrinks.
    if (packed.length < data.length) await writeFile(`${path}.${suffix}`, packed);
    else await rm(`${path}.${suffix}`, { force: true });
  }
  count += 1;
  before += data.length;
  afterGz += Math.min(gz.length, data.length);
  afterBr += Math.min(br.length, data.length);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`precompressed ${count} files in ${dir}: ${kb(before)} → gzip ${kb(afterGz)}, brotli ${kb(afterBr)}`);
