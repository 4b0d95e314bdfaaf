// `appliance audit verify` and `appliance preflight` through the real executable. Active once the lead
// adds both commands to appliance/cli.ts; until then the test says so and passes without running.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openStore } from '../../appliance/store/db.ts';
import { appendAudit } from '../../appliance/store/compliance-audit-repo.ts';
import { addCampaign, addList } from './fixtures.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'appliance.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' }, timeout: 30_000 });

test('appliance audit verify passes on an intact log and fails on an edited one; preflight prints its report', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vba-audit-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = openStore({ dir });
  for (let i = 0; i < 4; i++) appendAudit(db, { actor: 'staff:ann', action: 'campaign.start', details: { i } });
  const { listId } = addList(db, 'l', [{ e164: '+33142000001', zones: ['Europe/Paris'] }, { e164: '+33115', zones: ['Europe/Paris'] }]);
  addCampaign(db, 'promo', listId);
  db.close();

  const ok = run(['audit', 'verify', '--data', dir]);
  t.is(ok.status, 0, ok.stdout + ok.stderr);
  t.regex(ok.stdout, /intact: 4 entries/);
  const pre = run(['preflight', 'promo', '--pack', 'fr', '--json', '--data', dir]);
  t.is(pre.status, 0, pre.stderr);
  t.like(JSON.parse(pre.stdout.trim().split('\n').pop()!), { contacts: 2, callable: 1, blocked: { 'restricted-number': 1 } });

  const raw = new Database(join(dir, 'appliance.db'));
  raw.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET details = '{\"i\":7}' WHERE seq = 2");
  raw.close();
  const broken = run(['audit', 'verify', '--json', '--data', dir]);
  t.is(broken.status, 1);
  t.like(JSON.parse(broken.stdout.trim()), { ok: false, problems: [{ seq: 2, problem: 'content-changed' }] });
});
