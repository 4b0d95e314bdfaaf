// Every staff action through the API leaves an audit entry naming the user: campaigns (create, edit,
// start, pause, resume, stop), settings (without secrets), users, lists (import, delete), recordings.
// Afterwards `appliance audit verify` (the real executable) still finds the chain intact.
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestBox } from '../support/appliance.ts';
import { listAudit } from '../../appliance/store/compliance-audit-repo.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('each kind of staff action leaves an entry with its actor; audit verify passes', async (t) => {
  t.timeout(90_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'vba-staff-audit-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const box = await startTestBox({ dataDir, sandbox: { seed: 3, timeScale: 0.1, mix: 'no-answer=1' } });
  let stopped = false;
  t.teardown(async () => { if (!stopped) await box.stop(); });
  const ok = (r: { status: number; text: string }, status = 200): void => { t.is(r.status, status, r.text); };

  // Users
  ok(await box.api.send('POST', '/api/users', { username: 'olga', password: 'correct horse battery', role: 'operator' }), 201);
  ok(await box.api.send('PUT', '/api/users/olga', { role: 'viewer', password: 'another long passphrase' }));
  // Settings: a trunk with a password (disabled, so the box keeps dialling the sandbox) and the pack.
  ok(await box.api.send('PUT', '/api/settings', {
    box: { name: 'Branch 7' }, compliance: { pack: 'fr' },
    trunks: [{ name: 'itsp', kind: 'sip', enabled: false, host: '127.0.0.1', port: 5099, transport: 'udp', auth: 'register', username: 'u1', password: 'hunter2-secret', registerExpiresSec: 300, allowedSources: [], channels: 2, cps: 1, codecs: ['PCMU'], dtmf: 'auto', optionsIntervalSec: 0 }],
  }, { 'content-type': 'application/merge-patch+json' }));
  // Lists: import two, delete one.
  const csv = 'phone,name\n+33142000001,Ann\n+33142000002,Bob\n';
  const importList = async (name: string): Promise<number> => {
    const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=c.csv', Buffer.from(csv));
    ok(up);
    const r = await box.api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name, country: 'FR', mapping: { phone: 'phone' } });
    ok(r, 201);
    return r.body.list.id;
  };
  const listId = await importList('patients');
  const spare = await importList('spare');
  ok(await box.api.send('DELETE', `/api/lists/${spare}`));
  // Recordings: upload, rename; a second one uploaded and deleted.
  const wav = join(dataDir, 'm.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', wav, 'synth', '1.0', 'sine', '300-900', 'vol', '0.5']);
  const rec = await box.api.send<{ id: string }>('POST', '/api/recordings?name=m&filename=m.wav', readFileSync(wav));
  ok(rec, 201);
  ok(await box.api.send('PUT', `/api/recordings/${rec.body.id}`, { name: 'Reminder' }));
  const extra = await box.api.send<{ id: string }>('POST', '/api/recordings?name=x&filename=x.wav', readFileSync(wav));
  ok(await box.api.send('DELETE', `/api/recordings/${extra.body.id}`));
  // Campaign life cycle; a start the compliance checks refuse is kept too (marketing under the US pack
  // needs a copy of the national do-not-call registry, on the sandbox as anywhere).
  const config = { message: rec.body.id, callerId: '+33162000000', trunks: ['sandbox'], schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] }, ringTimeoutMs: 5000, maxAttempts: 1 };
  const c = await box.api.send<{ id: number }>('POST', '/api/campaigns', { name: 'reminders', listId, config });
  ok(c, 201);
  ok(await box.api.send('PUT', `/api/campaigns/${c.body.id}`, { ...config, cps: 1 }));
  for (const action of ['start', 'pause', 'resume', 'stop']) ok(await box.api.send('POST', `/api/campaigns/${c.body.id}/${action}`));
  ok(await box.api.send('DELETE', '/api/users/olga'));
  const promo = await box.api.send<{ id: number }>('POST', '/api/campaigns', { name: 'promo', listId, config: { ...config, purpose: 'marketing', seller: 'Acme', pack: 'us' } });
  ok(promo, 201);
  const refused = await box.api.send<{ error: { code: string } }>('POST', `/api/campaigns/${promo.body.id}/start`);
  t.is(refused.status, 409);
  t.is(refused.body.error.code, 'E_COMPLIANCE');

  const entries = listAudit(box.app.db, { limit: 1000 }).filter((e) => e.actor.startsWith('staff:'));
  const actions = entries.map((e) => e.action);
  for (const a of ['user.add', 'user.update', 'user.delete', 'settings.update', 'list.import', 'list.delete', 'recording.upload', 'recording.rename', 'recording.delete',
    'campaign.create', 'campaign.update', 'campaign.start', 'campaign.pause', 'campaign.resume', 'campaign.stop']) {
    t.true(actions.includes(a), `${a} audited (have ${actions.join(', ')})`);
  }
  t.true(entries.every((e) => e.actor === 'staff:admin'));
  const settings = entries.find((e) => e.action === 'settings.update')!;
  t.like(settings.details, { pack: { from: null, to: 'fr' } });
  t.true((settings.details.changed as string[]).includes('trunks'));
  const all = JSON.stringify(listAudit(box.app.db, { limit: 1000 }));
  t.false(all.includes('hunter2'), 'no secret in the audit log');
  t.false(all.includes('horse') || all.includes('passphrase') || all.includes('$argon2'), 'no password or hash in the audit log');
  t.like(entries.find((e) => e.action === 'campaign.create')!.details, { name: 'reminders', callerId: '+33162000000' });
  t.like(entries.find((e) => e.action === 'campaign.start-refused')!, { subject: `campaign:${promo.body.id}`, details: { code: 'E_COMPLIANCE', reason: 'registry-missing' } });

  await box.stop();
  stopped = true;
  const verify = spawnSync(process.execPath, [join(ROOT, 'bin', 'appliance.js'), 'audit', 'verify', '--data', dataDir], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' }, timeout: 30_000 });
  t.is(verify.status, 0, verify.stdout + verify.stderr);
  t.regex(verify.stdout, /audit log intact/);
});
