#!/usr/bin/env node
// `npm run bench -- <name> [args]`: runs bench/<name>.ts through tsx. Each bench ends with one JSON line.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [name, ...args] = process.argv.slice(2);
const available = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.startsWith('_') && !f.includes('-lib')).map((f) => f.slice(0, -3));
if (!name || !existsSync(join(here, `${name}.ts`))) {
  process.stderr.write(`usage: npm run bench -- <name> [args]\navailable benches: ${available.join(', ') || '(none)'}\n`);
  process.exit(2);
}
const child = spawn(process.execPath, ['--import=tsx', join(here, `${name}.ts`), ...args], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
