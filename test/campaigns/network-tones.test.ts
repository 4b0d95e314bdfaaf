// A dead number in a real campaign: the box dials through a trunk (sipp) that answers with 183 and plays
// a Special Information Tone and announcement in early media. The attempt ends 'invalid-number' with
// what was heard, the contact is not called again (not a no-answer to retry), and it does not count as
// reached.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sitSpec, sitTones } from '../../media/dsp/call-progress.ts';
import { startSippUas } from '../peers/sipp.ts';
import { pcapOf } from '../sip/amd-callee.ts';
import { startTestBox } from '../support/appliance.ts';
import { loopbackTrunk } from '../support/engine.ts';
import { addList } from '../compliance/fixtures.ts';

const CALLER = '+33142000077';
// A Monday 10:00 in Paris: inside every calling window, whatever day the test runs.
const MONDAY = Date.parse('2026-12-07T09:00:00Z');

test('a SIT in early media ends the attempt invalid-number with what was heard, and the number is not tried again', async (t) => {
  t.timeout(90_000);
  const audio = new Int16Array(8 * 6000);
  audio.set(sitTones(sitSpec('vacant-code'), 2500), 8 * 300);
  const sipp = await startSippUas({ scenario: 'uas-183-sit-cancel.xml', calls: 2, timeoutSec: 80, files: { 'stream.pcap': pcapOf(audio) }, args: ['-mi', '127.0.0.1', '-mp', 'auto'] });
  const startedAt = Date.now();
  const box = await startTestBox({
    now: () => MONDAY + (Date.now() - startedAt),
    settings: (s) => {
      s.box.country = 'FR';
      s.trunks = [loopbackTrunk(sipp.port, { name: 'office', channels: 2, cps: 5, codecs: ['PCMU'] })];
      s.defaultTrunk = 'office';
      s.compliance.pack = 'none';
      s.callerIds = [{ number: CALLER, label: 'Front desk', verified: true }];
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'vba-sit-'));
  t.teardown(async () => {
    await box.stop();
    await sipp.stop(0);
    rmSync(dir, { recursive: true, force: true });
  });
  const { listId } = addList(box.app.db, 'dead-numbers', [{ e164: '+33142000001', zones: ['Europe/Paris'] }]);
  const wav = join(dir, 'm.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', wav, 'synth', '1.0', 'sine', '300-900', 'vol', '0.5']);
  const rec = await box.api.send<{ id: string }>('POST', '/api/recordings?name=m&filename=m.wav', readFileSync(wav));
  t.is(rec.status, 201, rec.text);
  const c = await box.api.send<{ id: number }>('POST', '/api/campaigns', { name: 'reminders', listId, config: { message: rec.body.id, callerId: CALLER, trunks: ['office'], menu: { optOut: '9' }, script: { identificationEndsMs: 2000, callbackNumber: CALLER, optOutAnnouncedMs: 5000 } } });
  t.is(c.status, 201, c.text);
  const started = await box.api.send('POST', `/api/campaigns/${c.body.id}/start`);
  t.is(started.status, 200, started.text);

  const until = Date.now() + 40_000;
  let status = '';
  while (Date.now() < until) {
    status = (await box.api.get<{ status: string }>(`/api/campaigns/${c.body.id}`)).body.status;
    if (status === 'completed') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  t.is(status, 'completed', 'nothing left to retry');
  const attempts = box.app.db.prepare('SELECT outcome, sip_code AS sipCode, detail, counted FROM attempts WHERE campaign_id = ?').all(c.body.id) as Array<{ outcome: string; sipCode: number; detail: string }>;
  t.is(attempts.length, 1, 'one attempt: a dead number is not retried');
  t.like(attempts[0], { outcome: 'invalid-number', sipCode: 183 });
  t.regex(attempts[0]!.detail, /SIT \(vacant-code\) heard in early media/);
  const report = await box.api.get<{ answeredContacts: number; answerRate: number; byFinalOutcome: Record<string, number> }>(`/api/campaigns/${c.body.id}/report`);
  t.is(report.status, 200, report.text);
  t.like(report.body, { answeredContacts: 0, answerRate: 0, byFinalOutcome: { 'invalid-number': 1 } }, 'not reached');
});
