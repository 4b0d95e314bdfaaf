// Issue 13 point 10: the sandbox's simulated people press the campaign's own menu keys (told in the
// INVITE's X-Sandbox-Menu header), so a first campaign shows every outcome, opt-out included, whatever
// key the campaign chose for it. (Before, they pressed 1, 9 or 2 whatever the menu: no 4, no #.)
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSandboxMenu, parseSandboxMenu } from '../../core/sandbox-menu.ts';
import { AFTER_REPEAT, FIRST_PRESS, pressesFor } from '../../sip/sandbox/menu-keys.ts';
import { parseKeys, parseMix } from '../../sip/sandbox/mix.ts';
import { planCall } from '../../sip/sandbox/plan.ts';
import { startTestBox } from '../support/appliance.ts';

test('the menu hint says each role with its key and reads back the same', (t) => {
  const text = formatSandboxMenu({ confirm: '1', repeat: '2', optOut: '9' });
  t.is(text, 'confirm=1;repeat=2;opt-out=9');
  t.deepEqual(parseSandboxMenu(text), { confirm: '1', repeat: '2', 'opt-out': '9' });
  t.deepEqual(parseSandboxMenu('opt-out=#;bogus=3;confirm=xx'), { 'opt-out': '#' });
  t.is(parseSandboxMenu(''), null);
  t.is(parseSandboxMenu('nothing'), null);
});

test('pressers press the menu\'s keys in the documented shares, repeat followed by a second press', (t) => {
  const menu = { confirm: '4', repeat: '2', 'opt-out': '9' } as const;
  const counts = new Map<string, number>();
  const n = 4000;
  for (let i = 0; i < n; i++) {
    const keys = pressesFor(menu, (i + 0.5) / n, ((i * 7919) % n + 0.5) / n)!;
    counts.set(keys.join(''), (counts.get(keys.join('')) ?? 0) + 1);
  }
  const share = (k: string) => (counts.get(k) ?? 0) / n;
  t.true(Math.abs(share('4') - FIRST_PRESS.confirm / 100) < 0.01);
  t.true(Math.abs(share('9') - FIRST_PRESS['opt-out'] / 100) < 0.01);
  const repeats = share('2') + share('24') + share('29');
  t.true(Math.abs(repeats - FIRST_PRESS.repeat / 100) < 0.01);
  t.true(Math.abs(share('29') / repeats - AFTER_REPEAT['opt-out'] / 100) < 0.03);
  t.true(Math.abs(share('2') / repeats - AFTER_REPEAT.none / 100) < 0.03);
  t.false([...counts.keys()].some((k) => /[^249]/.test(k)), 'only the menu\'s keys are pressed');
});

test('a menu without a repeat key shares its weight among confirm and opt-out; no key at all falls back to the network\'s keys', (t) => {
  for (let i = 0; i < 100; i++) t.notDeepEqual(pressesFor({ confirm: '1', 'opt-out': '9' }, i / 100, 0.5), ['2']);
  t.deepEqual(pressesFor({ confirm: '1', 'opt-out': '9' }, 0.99, 0.5), ['9']);
  t.is(pressesFor({}, 0.5, 0.5), null);
  const clips = [{ id: 'u', kind: 'utterance' as const, lang: 'en' as const }];
  const inputs = { seed: 5, mix: parseMix('presser=1'), keys: parseKeys('7=1'), timeScale: 1, clips };
  t.deepEqual(planCall(inputs, '+15550000001', 1).keys, ['7']);
  t.deepEqual(planCall(inputs, '+15550000001', 1, { 'opt-out': '9' }).keys, ['9']);
});

test('a campaign whose opt-out key is 9 gets opt-outs on the sandbox, and its people press 9 to opt out', async (t) => {
  t.timeout(180_000);
  const box = await startTestBox({ sandbox: { seed: 13, timeScale: 0.1, mix: 'presser=1' } });
  t.teardown(() => box.stop());
  const rows = Array.from({ length: 40 }, (_, i) => `Client ${i},+336123450${String(i).padStart(2, '0')}`);
  const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=clients.csv', Buffer.from(`name,phone\n${rows.join('\n')}\n`));
  t.is(up.status, 200, up.text);
  const imp = await box.api.send<{ accepted: number; list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'Keys', country: 'FR' });
  t.is(imp.status, 201, imp.text);
  const wav = join(mkdtempSync(join(tmpdir(), 'vba-keys-')), 'message.wav');
  // 3 s: the people say hello first and listen after; a message over before the hello ends is not heard
  // (the box's media runs on its own threads, the sandbox's people on the busier main thread)
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', wav, 'synth', '3.0', 'sine', '300-900', 'vol', '0.5']);
  const rec = await box.api.send<{ id: string }>('POST', '/api/recordings?name=Msg&filename=message.wav', readFileSync(wav));
  t.is(rec.status, 201, rec.text);
  const created = await box.api.send<{ id: number }>('POST', '/api/campaigns', {
    name: 'Opt-out on 9', listId: imp.body.list.id,
    config: {
      message: rec.body.id, callerId: '+33123456789', trunks: ['sandbox'], amd: false,
      menu: { confirm: '4', repeat: '#', optOut: '9' },
      schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] },
      maxConcurrent: 40, cps: 20, ringTimeoutMs: 5000, maxAttempts: 1,
    },
  });
  t.is(created.status, 201, created.text);
  const started = await box.api.send('POST', `/api/campaigns/${created.body.id}/start`);
  t.is(started.status, 200, started.text);
  const until = Date.now() + 150_000;
  let status = 'running';
  while (Date.now() < until && status !== 'completed') {
    await new Promise((r) => setTimeout(r, 1000));
    status = (await box.api.get<{ status: string }>(`/api/campaigns/${created.body.id}`)).body.status;
  }
  t.is(status, 'completed');
  const attempts = box.app.db.prepare('SELECT outcome, dtmf FROM attempts WHERE campaign_id = ?').all(created.body.id) as Array<{ outcome: string; dtmf: string | null }>;
  const by = (o: string) => attempts.filter((a) => a.outcome === o);
  t.true(by('opted-out').length > 0, JSON.stringify(attempts));
  t.true(by('opted-out').every((a) => (a.dtmf ?? '').endsWith('9')), 'every opt-out came from the key 9');
  t.true(by('confirmed').length > 0, 'confirmations too');
  t.true(by('confirmed').every((a) => (a.dtmf ?? '').endsWith('4')));
  t.true(attempts.some((a) => (a.dtmf ?? '').startsWith('#')), 'some asked to hear it again (#)');
  t.false(attempts.some((a) => /[^49#]/.test(a.dtmf ?? '')), 'nobody pressed a key the menu does not have');
  // An opt-out is recorded for good: the number is on the box's do-not-call list.
  const dnc = box.app.db.prepare('SELECT COUNT(*) FROM suppressions').pluck().get() as number;
  t.true(dnc >= by('opted-out').length);
});
