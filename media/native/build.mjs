#!/usr/bin/env node
// Builds media/native/build/udp-batch.node, the media workers' batched UDP I/O (media/rtp/batch-io.ts),
// with the machine's C compiler and the Node-API headers of the node-api-headers package. Run by
// `npm install` (package.json "postinstall") and by systemd/make-release.sh --bundle. Without a C
// compiler, or when the build fails, it says so and exits 0: the media workers then use Node's dgram
// (fewer calls per core, nothing else changes). `node media/native/build.mjs` shows the compiler's errors.
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'build', 'udp-batch.node');
const say = (s) => process.stdout.write(`media: ${s}\n`);

if (process.platform !== 'linux') {
  say('batched UDP I/O is for Linux (epoll); the media workers use Node\'s dgram here.');
  process.exit(0);
}
let include;
try {
  include = createRequire(import.meta.url)('node-api-headers').include_dir;
} catch {
  say('batched UDP I/O not built: the node-api-headers package is missing (npm install). The media workers use Node\'s dgram.');
  process.exit(0);
}
const cc = process.env.CC || 'cc';
if (spawnSync(cc, ['--version'], { stdio: 'ignore' }).status !== 0) {
  say(`batched UDP I/O not built: no C compiler (${cc}; Debian: apt-get install gcc), so the media workers use Node's dgram (a call costs about 40 % more CPU).`);
  process.exit(0);
}
mkdirSync(dirname(out), { recursive: true });
const tmp = join(dirname(out), `udp-batch.${process.pid}.tmp.node`);
const args = ['-O2', '-Wall', '-Wextra', '-fPIC', '-shared', '-fvisibility=hidden', '-I', include, '-o', tmp, join(here, 'udp-batch.c')];
const r = spawnSync(cc, args, { encoding: 'utf8' });
if (r.status !== 0) {
  rmSync(tmp, { force: true });
  say(`batched UDP I/O did not build (${cc} exited ${r.status}); the media workers use Node's dgram.`);
  if (r.stderr) process.stdout.write(r.stderr);
  process.exit(0);
}
try {
  createRequire(import.meta.url)(tmp);
} catch (err) {
  rmSync(tmp, { force: true });
  say(`batched UDP I/O built but does not load (${err.message}); the media workers use Node's dgram.`);
  process.exit(0);
}
renameSync(tmp, out); // whole or not at all: a box never loads a half-written module
say(`batched UDP I/O built (${out})`);
