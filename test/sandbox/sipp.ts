// Runs one sipp scenario from test/peers/sipp/ against the sandbox and reports what sipp saw.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, freeUdpRange } from '../peers/ports.ts';

const SCENARIOS = fileURLToPath(new URL('../peers/sipp/', import.meta.url));

export interface SippRun {
  code: number;
  /** Every SIP message sipp sent and received. */
  messages: string;
  stderr: string;
}

type Target = { port: number; user?: string; transport?: 'udp' | 'tcp'; timeoutSec?: number };

/**
 * A port found free can be taken by another process's port-0 bind before sipp binds it; sipp then exits
 * at once ("Address already in use", nothing sent), and it is run again on new ports.
 */
export async function runSipp(scenario: string, target: Target): Promise<SippRun> {
  for (let attempt = 1; ; attempt++) {
    const run = await runOnce(scenario, target);
    if (attempt >= 3 || run.messages !== '' || !/Address already in use/.test(run.stderr)) return run;
  }
}

async function runOnce(scenario: string, target: Target): Promise<SippRun> {
  const dir = mkdtempSync(join(tmpdir(), 'sipp-sandbox-'));
  const msgFile = join(dir, 'messages.log');
  const args = [
    `127.0.0.1:${target.port}`,
    '-sf', join(SCENARIOS, scenario),
    '-s', target.user ?? 'sandbox',
    '-m', '1',
    '-i', '127.0.0.1',
    '-p', String(await freePort()),
    '-mp', String(await freeUdpRange(4)),
    '-t', target.transport === 'tcp' ? 't1' : 'u1',
    '-timeout', `${target.timeoutSec ?? 20}s`,
    '-timeout_error',
    '-nostdin',
    '-trace_msg', '-message_file', msgFile,
  ];
  try {
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve, reject) => {
      const child = spawn('sipp', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (s: string) => { if (err.length < 20_000) err += s; });
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c ?? 1, stderr: err }));
    });
    const messages = existsSync(msgFile) ? readFileSync(msgFile, 'utf8') : '';
    return { code, messages, stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Status codes of the responses sipp received, in order, each response once: a retransmission (the same
 * status for the same CSeq, sent again because our ACK came late on a loaded machine) is not a new answer.
 */
export function receivedStatuses(messages: string): number[] {
  const out: number[] = [];
  const seen = new Set<string>();
  for (const block of messages.split(/-{10,}/)) {
    if (!/message received/i.test(block)) continue;
    const m = /^SIP\/2\.0 (\d{3})/m.exec(block);
    if (!m) continue;
    const key = `${m[1]} ${/^CSeq:\s*(.+)$/im.exec(block)?.[1]?.trim() ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(Number(m[1]));
  }
  return out;
}
