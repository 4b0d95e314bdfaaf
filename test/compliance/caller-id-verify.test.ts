// Caller-ID verification end to end: the box calls the number through a real trunk; baresip answers
// and types keys on its keypad (RFC 4733). A wrong code is refused and asked again; the code shown by
// the API verifies the number (settings file, audit log). A busy line fails with its reason. Until then
// a campaign presenting that number is refused at start on a real trunk.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestBox, type TestBox } from '../support/appliance.ts';
import { startBaresip } from '../peers/baresip.ts';
import { startSippUas } from '../peers/sipp.ts';
import { addList } from './fixtures.ts';
import { verifyAudit, listAudit } from '../../appliance/store/compliance-audit-repo.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import type { VerificationView } from '../../appliance/compliance/caller-id-verify.ts';
import { loopbackTrunk } from '../support/engine.ts';

const NUMBER = '+33142000077';

function trunk(name: string, port: number): TrunkProfile {
  return loopbackTrunk(port, { name, channels: 2, cps: 5, codecs: ['PCMU'] });
}

async function waitState(box: TestBox, v: { id: string }, want: Array<VerificationView['state']>, ms = 30_000): Promise<VerificationView> {
  const until = Date.now() + ms;
  let last: VerificationView | null = null;
  while (Date.now() < until) {
    const r = await box.api.get<VerificationView>(`/api/compliance/caller-ids/${encodeURIComponent(NUMBER)}/verify/${v.id}`);
    last = r.body;
    if (want.includes(last.state)) return last;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`verification still ${JSON.stringify(last)}`);
}

test('a caller ID is verified by typing the code shown in the UI; until then a campaign on a real trunk is refused', async (t) => {
  t.timeout(90_000);
  const phone = await startBaresip({ keypad: true, codecs: 'PCMU', user: NUMBER.slice(1) });
  const busy = await startSippUas({ scenario: 'uas-busy.xml', calls: 1, timeoutSec: 60 });
  const box = await startTestBox({ settings: (s) => {
    s.box.country = 'FR';
    s.trunks = [trunk('office', phone.port), trunk('busy-line', busy.port)];
    s.defaultTrunk = 'office';
    s.compliance.pack = 'fr';
  } });
  const dir = mkdtempSync(join(tmpdir(), 'vba-verify-'));
  t.teardown(async () => {
    await box.stop();
    await phone.stop();
    await busy.stop(0);
    rmSync(dir, { recursive: true, force: true });
  });

  const added = await box.api.send<{ number: string; verified: boolean }>('POST', '/api/compliance/caller-ids', { number: '01 42 00 00 77', label: 'Front desk' });
  t.is(added.status, 201, added.text);
  t.like(added.body, { number: NUMBER, verified: false });
  const forged = await box.api.send<{ error: { fields: Array<{ key: string }> } }>('PUT', '/api/settings', { callerIds: [{ number: NUMBER, label: 'Front desk', verified: true }] }, { 'content-type': 'application/merge-patch+json' });
  t.is(forged.status, 400, 'the settings API cannot mark a number verified');
  t.is(forged.body.error.fields[0]!.key, 'callerIds.0.verified');

  // A campaign presenting the unverified number is refused at start, naming the number.
  const { listId } = addList(box.app.db, 'verify-list', [{ e164: '+33142000001', zones: ['Europe/Paris'] }]);
  const wav = join(dir, 'm.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', wav, 'synth', '1.0', 'sine', '300-900', 'vol', '0.5']);
  const rec = await box.api.send<{ id: string }>('POST', '/api/recordings?name=m&filename=m.wav', readFileSync(wav));
  const c = await box.api.send<{ id: number }>('POST', '/api/campaigns', { name: 'reminders', listId, config: {
    message: rec.body.id, callerId: NUMBER, trunks: ['office'], script: { identificationEndsMs: 2000, callbackNumber: NUMBER, optOutAnnouncedMs: 5000 },
  } });
  t.is(c.status, 201, c.text);
  const refused = await box.api.send<{ error: { code: string; message: string } }>('POST', `/api/campaigns/${c.body.id}/start`);
  t.is(refused.status, 409);
  t.is(refused.body.error.code, 'E_CALLER_ID');
  t.regex(refused.body.error.message, /caller ID \+33142000077 has not been verified/);

  // The verification call: a wrong code first, then the code the UI shows.
  const started = await box.api.send<VerificationView>('POST', `/api/compliance/caller-ids/${encodeURIComponent(NUMBER)}/verify`, {});
  t.is(started.status, 202, started.text);
  t.regex(started.body.code, /^\d{6}$/);
  t.is(started.body.state, 'calling');
  await waitState(box, started.body, ['waiting-for-code']);
  const wrong = started.body.code === '000000' ? '111111' : '000000';
  await phone.sendDigits(wrong);
  const until = Date.now() + 15_000;
  while ((await waitState(box, started.body, ['waiting-for-code', 'failed'])).wrongCodes === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  t.is((await waitState(box, started.body, ['waiting-for-code'])).wrongCodes, 1);
  await phone.sendDigits(started.body.code);
  const done = await waitState(box, started.body, ['verified', 'failed', 'expired']);
  t.like(done, { state: 'verified', reason: null, wrongCodes: 1 });

  const list = await box.api.get<Array<{ number: string; verified: boolean }>>('/api/compliance/caller-ids');
  t.deepEqual(list.body.map((x) => ({ number: x.number, verified: x.verified })), [{ number: NUMBER, verified: true }]);
  const onDisk = JSON.parse(readFileSync(join(box.dataDir, 'settings.json'), 'utf8')) as { callerIds: Array<{ number: string; verified: boolean }> };
  t.deepEqual(onDisk.callerIds, [{ number: NUMBER, label: 'Front desk', verified: true }]);
  const check = await box.api.get<{ ok: boolean }>(`/api/compliance/campaigns/${c.body.id}/start-check`);
  t.true(check.body.ok, JSON.stringify(check.body));

  // A busy line: the verification fails with the reason.
  const again = await box.api.send<VerificationView>('POST', `/api/compliance/caller-ids/${encodeURIComponent(NUMBER)}/verify`, { trunk: 'busy-line' });
  t.is(again.status, 202, again.text);
  t.like(await waitState(box, again.body, ['verified', 'failed', 'expired']), { state: 'failed', reason: 'busy' });

  const actions = listAudit(box.app.db, { limit: 1000 }).filter((e) => e.action.startsWith('callerid.'));
  t.deepEqual(actions.map((e) => e.action), ['callerid.add', 'callerid.verify-start', 'callerid.verified', 'callerid.verify-start', 'callerid.verify-failed']);
  t.true(actions.every((e) => e.actor === 'staff:admin'));
  t.true(verifyAudit(box.app.db).ok);

  const unknown = await box.api.send<{ error: { code: string } }>('POST', `/api/compliance/caller-ids/${encodeURIComponent('+33142000078')}/verify`, {});
  t.is(unknown.status, 404);
  t.is((await box.api.send('DELETE', `/api/compliance/caller-ids/${encodeURIComponent(NUMBER)}`)).status, 200);
  t.deepEqual((await box.api.get<unknown[]>('/api/compliance/caller-ids')).body, []);
});
