import test from 'ava';
import { mergePatch, redactSettings, restoreSecrets, REDACTED } from '../../appliance/http/settings-doc.ts';
import { defaultSettings } from '../../appliance/config/defaults.ts';
import { trunkDefaults } from '../../core/trunk-defaults.ts';
import type { Settings } from '../../core/settings-types.ts';
import { LoginLimiter } from '../../appliance/http/login-limiter.ts';
import { randomPassword } from '../../appliance/http/passwords.ts';

test('merge patch: objects merge, arrays replace, null deletes optional keys and nulls required ones', (t) => {
  const doc: Settings = { ...defaultSettings(), defaultTrunk: 'a', sip: { ...defaultSettings().sip, publicAddress: '192.0.2.1' } };
  const out = mergePatch(doc, { box: { name: 'b' }, trunks: [], defaultTrunk: null, sip: { publicAddress: null } }) as Settings;
  t.is(out.box.name, 'b');
  t.is(out.box.country, 'FR');
  t.deepEqual(out.trunks, []);
  t.is(out.defaultTrunk, null);
  t.false('publicAddress' in out.sip);
  t.is(doc.box.name, 'voice-broadcast-box', 'the target is not modified');
});

test('redaction round trip keeps secrets matched by trunk name, even reordered', (t) => {
  const stored = defaultSettings();
  stored.trunks = [
    trunkDefaults({ name: 'a', host: 'h', auth: 'digest', username: 'u', password: 'pa' }),
    trunkDefaults({ name: 'b', host: 'h', auth: 'digest', username: 'u', password: 'pb' }),
  ];
  const shown = redactSettings(stored) as { trunks: Array<{ name: string; password: string }> };
  t.is(shown.trunks[0]!.password, REDACTED);
  const next = { ...shown, trunks: [shown.trunks[1]!, shown.trunks[0]!] };
  t.deepEqual(restoreSecrets(next, stored), []);
  t.deepEqual(next.trunks.map((x) => [x.name, x.password]), [['b', 'pb'], ['a', 'pa']]);
});

test('login limiter: a sliding window per address and per account+address; a success clears only its own pair', (t) => {
  const clock = { t: 0 };
  const lim = new LoginLimiter({ max: 3, windowMs: 1000 }, () => clock.t);
  for (let i = 0; i < 3; i++) {
    t.is(lim.check('x', 'a').refuseMs, 0);
    lim.fail('x', 'a');
    clock.t += 100;
  }
  t.is(lim.check('x', 'a').refuseMs, 700, 'locked until the oldest failure (t=0) leaves the window');
  t.is(lim.check('x', 'b').refuseMs, 0, 'another address is not refused');
  clock.t = 1000;
  t.is(lim.check('x', 'a').refuseMs, 0, 'the first failure left the window');
  lim.succeed('x', 'a');
  clock.t = 1050;
  lim.fail('y', 'a');
  t.is(lim.check('z', 'a').refuseMs, 50, 'the address kept its two failures in the window');
  t.is(lim.check('x', 'b').refuseMs, 0);
});

test('random passwords are 20 unambiguous characters', (t) => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const p = randomPassword();
    t.regex(p, /^[a-km-zA-HJ-NP-Z2-9]{20}$/);
    seen.add(p);
  }
  t.is(seen.size, 200);
});
