// npm run generate: the message types of proto/majlis/v1/*.proto as TypeScript (protoc-gen-es,
// run by the system's protoc: Debian's protobuf-compiler, 3.21 on Debian 12) into src/gen/.
// src/gen/ is not committed; npm run build (and so npm test) regenerates it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, '..');
const protoRoot = resolve(pkg, '../../proto');
const out = join(pkg, 'src/gen');
const plugin = join(pkg, 'node_modules/.bin/protoc-gen-es');
const protos = readdirSync(join(protoRoot, 'majlis/v1')).filter((f) => f.endsWith('.proto')).sort()
  .map((f) => `majlis/v1/${f}`);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
try {
  execFileSync('protoc', [`--plugin=protoc-gen-es=${plugin}`, `--es_out=${out}`,
    '--es_opt=target=ts,import_extension=js', `-I${protoRoot}`, ...protos], { stdio: 'inherit' });
} catch (e) {
  if (e.code === 'ENOENT') {
    console.error('protoc not found: install it (Debian: apt-get install protobuf-compiler)');
  }
  process.exit(1);
}
console.log(`generated ${protos.length} files into ${out}`);
