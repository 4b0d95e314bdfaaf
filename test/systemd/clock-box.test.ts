// The whole box with a real trunk (a UDP socket on loopback standing for the ITSP, answering 486)
// and a clock that is not synchronised: campaign start is refused, a running campaign waits with a
// clear reason and sends no INVITE; once the clock is synchronised the INVITE goes out.
import test from 'ava';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestBox } from '../support/appliance.ts';
import { trunkDefaults } from '../../core/trunk-defaults.ts';
import type { ClockState } from '../../appliance/system/clock.ts';

/** Records every SIP request; answers INVITEs 486 Busy Here so the call ends at once. */
async function busyTrunk(): Promise<{ port: number; requests: string[]; close: () => Promise<void> }> {
  const sock = createSocket('udp4');
  const requests: string[] = [];
  sock.on('message', (buf: Buffer, from: RemoteInfo) => {
    const text = buf.toString('utf8');
    const method = /^([A-Z]+) sip:/.exec(text)?.[1];
    if (!method) return;
    requests.push(method);
    if (method !== 'INVITE') return;
    const head = text.split('\r\n\r\n')[0]!.split('\r\n');
    const copy = head.filter((l) => /^(Via|From|Call-ID|CSeq|v|f|i):/i.test(l));
    const to = head.find((l) => /^(To|t):/i.test(l))!;
    const reply = ['SIP/2.0 486 Busy Here', ...copy, `${to};tag=busy1`, 'Content-Length: 0', '', ''].join('\r\n');
    sock.send(reply, from.port, from.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return { port: sock.address().port, requests, close: () => new Promise<void>((r) => sock.close(() => r())) };
}

test('no INVITE while the clock is not synchronised; the campaign says why; the INVITE goes once it is', async (t) => {
  t.timeout(60_000);
  const trunk = await busyTrunk();
  t.teardown(() => trunk.close());
  let clock: ClockState = { synchronized: true, detail: 'synchronised (test)' };
  const box = await startTestBox({
    clockReader: async () => clock,
    settings: (s) => {
      s.trunks = [trunkDefaults({ name: 'office', host: '127.0.0.1', port: trunk.port, allowedSources: ['127.0.0.1'], optionsIntervalSec: 0, channels: 2, cps: 5 })];
      s.defaultTrunk = 'office';
      s.compliance.pack = 'none';
      s.callerIds = [{ number: '+33123456789', label: 'office', verified: true }];
    },
  });
  t.teardown(() => box.stop());

  const csv = 'Nom;Téléphone\nMarie Dupont;06 12 34 56 78\nJean Martin;06 12 34 56 79\n';
  const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=c.csv', Buffer.from(csv, 'utf8'));
  const list = await box.api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'clock', country: 'FR' });
  t.is(list.status, 201, list.text);
  const dir = mkdtempSync(join(tmpdir(), 'vba-clock-msg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', join(dir, 'm.wav'), 'synth', '0.5', 'sine', '440']);
  const rec = await box.api.send<{ id: string }>('POST', '/api/recordings?name=m&filename=m.wav', readFileSync(join(dir, 'm.wav')));
  t.is(rec.status, 201, rec.text);
  const created = await box.api.send<{ id: number }>('POST', '/api/campaigns', {
    name: 'clock', listId: list.body.list.id,
    config: { message: rec.body.id, callerId: '+33123456789', trunks: ['office'], menu: { optOut: '9' }, amd: false,
      script: { identificationEndsMs: 1000, callbackNumber: '+33123456789', optOutAnnouncedMs: 2000 }, maxConcurrent: 2, cps: 5, ringTimeoutMs: 5000,
      schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] } },
  });
  t.is(created.status, 201, created.text);
  const id = created.body.id;

  clock = { synchronized: false, detail: 'not synchronised yet (test)' };
  await box.app.clock.refresh();
  const health = await box.api.get<{ clock: unknown }>('/api/health');
  t.deepEqual(health.body.clock, { synchronized: false, required: true, detail: 'not synchronised yet (test)' });
  const refused = await box.api.send<{ error: { code: string; message: string } }>('POST', `/api/campaigns/${id}/start`);
  t.is(refused.status, 409, refused.text);
  t.is(refused.body.error.code, 'E_CLOCK_UNSYNCED');
  t.regex(refused.body.error.message, /clock is not synchronised/);

  // A campaign already running when the clock goes (e.g. running before a power cut, the Pi reboots
  // without NTP): started and paused in one turn of the loop, so the dialer never saw it running.
  clock = { synchronized: true, detail: 'synchronised (test)' };
  await box.app.clock.refresh();
  box.app.campaigns.start(id);
  box.app.campaigns.pause(id);
  clock = { synchronized: false, detail: 'not synchronised yet (test)' };
  await box.app.clock.refresh();
  const resumed = await box.api.send<{ status: string }>('POST', `/api/campaigns/${id}/resume`);
  t.is(resumed.status, 200, resumed.text);

  await new Promise((r) => setTimeout(r, 3000));
  t.deepEqual(trunk.requests, [], 'no request reaches the trunk while the clock is not synchronised');
  const waiting = (await box.api.get<{ status: string; waitingReason: string | null; waitingCode: string | null; counters: Record<string, number> }>(`/api/campaigns/${id}`)).body;
  t.is(waiting.status, 'running');
  t.regex(waiting.waitingReason ?? '', /^waiting for clock synchronisation: the system clock is not synchronised/);
  t.is(waiting.waitingCode, 'clock-unsynchronised', 'a code the web UI words in its own language');
  t.is(waiting.counters.pending, 2, JSON.stringify(waiting.counters));

  clock = { synchronized: true, detail: 'synchronised (test)' };
  await box.app.clock.refresh();
  const until = Date.now() + 20_000;
  while (!trunk.requests.includes('INVITE') && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  t.true(trunk.requests.includes('INVITE'), 'the INVITE goes out once the clock is synchronised');
  const after = (await box.api.get<{ waitingReason: string | null; waitingCode: string | null }>(`/api/campaigns/${id}`)).body;
  t.is(after.waitingReason, null);
  t.is(after.waitingCode, null);
});
