import test from 'ava';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { invitesPerNumber, maxInvitesInWindow, readSandboxLog } from '../../sip/sandbox/records.ts';
import { sandboxTrunk } from '../../sip/sandbox/trunk.ts';

test('the busiest one-second window of INVITEs, sliding', (t) => {
  const at = (...ms: number[]) => ms.map((inviteMonoMs) => ({ inviteMonoMs }));
  t.is(maxInvitesInWindow([]), 0);
  t.is(maxInvitesInWindow(at(0, 100, 200, 999)), 4);
  t.is(maxInvitesInWindow(at(0, 100, 200, 1000)), 3, 'a window is [t, t + 1000)');
  t.is(maxInvitesInWindow(at(900, 1000, 1100, 1800, 2500)), 4, 'windows are not aligned to whole seconds');
  t.is(maxInvitesInWindow(at(5, 3, 1, 4, 2)), 5, 'order does not matter');
});

test('a log cut short by a crash still reads, and INVITEs are counted per number', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-log-'));
  try {
    const file = join(dir, 'log.jsonl');
    appendFileSync(file, JSON.stringify({ type: 'invite', number: '+33612345678', callId: 'a' }) + '\n');
    appendFileSync(file, JSON.stringify({ type: 'end', number: '+33612345678', callId: 'a' }) + '\n');
    appendFileSync(file, JSON.stringify({ type: 'invite', number: '+33612345678', callId: 'b' }) + '\n');
    appendFileSync(file, '{"type":"invite","number":"+4420');
    t.is(readSandboxLog(file).length, 3);
    t.deepEqual([...invitesPerNumber(file)], [['+33612345678', 2]]);
    t.deepEqual(readSandboxLog(join(dir, 'missing.jsonl')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the sandbox trunk profile points at the network and says it is the sandbox', (t) => {
  const trunk = sandboxTrunk({ address: '127.0.0.1', port: 5080 });
  t.is(trunk.kind, 'sandbox');
  t.is(trunk.host, '127.0.0.1');
  t.is(trunk.port, 5080);
  t.deepEqual(trunk.allowedSources, ['127.0.0.1']);
  t.is(sandboxTrunk({ address: '127.0.0.1', port: 5080 }, { channels: 10 }).channels, 10);
});
