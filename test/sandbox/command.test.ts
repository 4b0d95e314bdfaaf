// `appliance sandbox` as a user runs it: the real executable, a sipp call through it, SIGTERM to stop.
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSandboxLog } from '../../sip/sandbox/records.ts';
import { receivedStatuses, runSipp } from './sipp.ts';

const BIN = fileURLToPath(new URL('../../bin/appliance.js', import.meta.url));

test('appliance sandbox listens, answers like a trunk, logs INVITEs and stops on SIGTERM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
  const log = join(dir, 'invites.jsonl');
  const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0', '--json', '--seed', '4', '--time-scale', '0.1', '--mix', 'busy=1', '--log', log, '--data', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    const listening = await new Promise<{ port: number; seed: number; mix: string }>((resolve, reject) => {
      child.stdout.on('data', (s: string) => {
        out += s;
        const line = out.split('\n').find((l) => l.startsWith('{"listening"'));
        if (line) resolve((JSON.parse(line) as { listening: { port: number; seed: number; mix: string } }).listening);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    t.is(listening.seed, 4);
    t.is(listening.mix, 'busy=1');
    const r = await runSipp('sandbox-reject.xml', { port: listening.port, user: '33612345678' });
    t.is(r.code, 0, r.stderr);
    t.deepEqual(receivedStatuses(r.messages).filter((s) => s !== 100), [486]);
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    t.is(code, 0);
    const call = out.split('\n').filter((l) => l.startsWith('{"call"')).map((l) => (JSON.parse(l) as { call: { number: string; finalCode: number } }).call);
    t.is(call.length, 1);
    t.is(call[0]!.finalCode, 486);
    t.is(call[0]!.number, '+33…5678', 'numbers are masked on the console');
    t.deepEqual(readSandboxLog(log).map((l) => [l.type, l.number, l.finalCode]), [['invite', '+33612345678', null], ['end', '+33612345678', 486]]);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad --mix is refused with a message naming the item', (t) => {
  const r = spawnSync(process.execPath, [BIN, 'sandbox', '--mix', 'listener=40,ghost=2'], { encoding: 'utf8' });
  t.is(r.status, 2);
  t.regex(r.stderr, /--mix: unknown name "ghost"/);
});
