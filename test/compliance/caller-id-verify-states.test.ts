// The verification's other endings, driven through the call port with a scripted far end (the happy
// path and a busy line run against real SIP peers in caller-id-verify.test.ts): nobody types a code,
// the callee hangs up, the verification expires, a new one supersedes it, the number is removed.
import test from 'ava';
import { EventEmitter } from 'node:events';
import { CallerIdVerifier, type VerificationView } from '../../appliance/compliance/caller-id-verify.ts';
import { defaultSettings } from '../../appliance/config/defaults.ts';
import { silentLogger } from '../../core/log.ts';
import { listAudit, verifyAudit } from '../../appliance/store/compliance-audit-repo.ts';
import type { Call, CallEnded, CallEvents, DialRequest, PromptRef } from '../../core/call-port.ts';
import type { Settings } from '../../core/settings-types.ts';
import { memoryStore } from './fixtures.ts';

const NUMBER = '+33142000077';
const PROMPT: PromptRef = { id: 'p', pcmu: '/dev/null', pcma: '/dev/null' };

class ScriptedCall extends EventEmitter<CallEvents> implements Partial<Call> {
  readonly id = 'c1';
  state: Call['state'] = 'dialling';
  plays = 0;
  private resolveDone!: (e: CallEnded) => void;
  readonly done = new Promise<CallEnded>((r) => { this.resolveDone = r; });
  answer(): void { this.state = 'answered'; this.emit('answered'); }
  press(keys: string): void { for (const digit of keys) this.emit('dtmf', { digit, source: 'rfc4733' }); }
  end(by: 'local' | 'remote' = 'remote'): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    const e: CallEnded = { outcome: 'human', sipCode: 200, q850: 16, endedBy: by, durations: { setupMs: 0, ringMs: 0, talkMs: 0, totalMs: 0 } };
    this.emit('ended', e);
    this.resolveDone(e);
  }
  async play(): Promise<{ completed: boolean; playedMs: number }> { this.plays++; return { completed: true, playedMs: 10 }; }
  async collect(): Promise<string> { return ''; }
  async hangup(): Promise<void> { this.end('local'); }
}

function setup(o: { ttlMs?: number; keyTimeoutMs?: number } = {}) {
  const db = memoryStore();
  let settings: Settings = { ...defaultSettings(), callerIds: [{ number: NUMBER, label: 'desk', verified: false }], defaultTrunk: 'office' };
  settings.trunks = [{ name: 'office', kind: 'sip', enabled: true, host: '127.0.0.1', port: 5099, transport: 'udp', auth: 'ip', registerExpiresSec: 300, allowedSources: [], channels: 1, cps: 1, codecs: ['PCMU'], dtmf: 'auto', optionsIntervalSec: 0 }];
  const calls: ScriptedCall[] = [];
  const dialled: DialRequest[] = [];
  const verifier = new CallerIdVerifier({
    engine: { dial: (r) => { dialled.push(r); const c = new ScriptedCall(); calls.push(c); return c as unknown as Call; } },
    settings: () => settings,
    updateSettings: async (change) => { const d = structuredClone(settings); change(d); settings = d; return d; },
    db,
    prompts: async () => ({ ask: PROMPT, wrong: PROMPT, done: PROMPT }),
    logger: silentLogger(),
    keyTimeoutMs: o.keyTimeoutMs ?? 200,
    ...(o.ttlMs ? { ttlMs: o.ttlMs } : {}),
  });
  const call = async (i = 0): Promise<ScriptedCall> => {
    while (!calls[i]) await new Promise((r) => setImmediate(r));
    return calls[i]!;
  };
  const until = async (id: string, state: VerificationView['state']): Promise<VerificationView> => {
    for (let i = 0; i < 300; i++) {
      const v = verifier.get(id);
      if (v.state === state) return v;
      await new Promise((r) => setTimeout(r, 10));
    }
    return verifier.get(id);
  };
  return { db, verifier, call, until, dialled, settings: () => settings, remove: () => { settings = { ...settings, callerIds: [] }; } };
}

test('the call presents the number it verifies and goes through the default trunk', async (t) => {
  const s = setup();
  const v = s.verifier.begin(NUMBER, { actor: 'staff:ann' });
  await s.call();
  t.like(s.dialled[0], { to: NUMBER, from: NUMBER, trunk: 'office' });
  t.is(v.state, 'calling');
  await s.verifier.stop();
  t.like(s.verifier.get(v.id), { state: 'failed', reason: 'stopped' });
});

test('nobody types a code: asked three times, then failed "no-code" and the call is ended', async (t) => {
  const s = setup({ keyTimeoutMs: 30 });
  const v = s.verifier.begin(NUMBER, { actor: 'staff:ann' });
  const call = await s.call();
  call.answer();
  t.like(await s.until(v.id, 'failed'), { reason: 'no-code' });
  t.is(call.plays, 3);
  t.is(call.state, 'ended');
  t.false(s.settings().callerIds[0]!.verified);
});

test('the callee hangs up while asked for the code: failed "hung-up"', async (t) => {
  const s = setup({ keyTimeoutMs: 5000 });
  const v = s.verifier.begin(NUMBER, { actor: 'staff:ann' });
  const call = await s.call();
  call.answer();
  await s.until(v.id, 'waiting-for-code');
  call.press('12');
  call.end();
  t.like(await s.until(v.id, 'failed'), { reason: 'hung-up' });
});

test('a verification not finished in time expires and its call is ended', async (t) => {
  const s = setup({ ttlMs: 150, keyTimeoutMs: 5000 });
  const v = s.verifier.begin(NUMBER, { actor: 'staff:ann' });
  const call = await s.call();
  call.answer();
  t.like(await s.until(v.id, 'expired'), { reason: null });
  t.is(call.state, 'ended');
  t.deepEqual(listAudit(s.db).map((e) => e.action), ['callerid.verify-start', 'callerid.verify-expired']);
  t.true(verifyAudit(s.db).ok);
});

test('a second verification of the same number supersedes the first; the code typed on its call verifies', async (t) => {
  const s = setup({ keyTimeoutMs: 5000 });
  const first = s.verifier.begin(NUMBER, { actor: 'staff:ann' });
  await s.call(0);
  const second = s.verifier.begin(NUMBER, { actor: 'staff:ann' });
  t.like(s.verifier.get(first.id), { state: 'failed', reason: 'superseded' });
  const call = await s.call(1);
  call.answer();
  await s.until(second.id, 'waiting-for-code');
  call.press(`${second.code}`);
  t.like(await s.until(second.id, 'verified'), { wrongCodes: 0 });
  t.true(s.settings().callerIds[0]!.verified);
});

test('a number removed during its verification is not re-added: failed "removed"', async (t) => {
  const s = setup({ keyTimeoutMs: 5000 });
  const v = s.verifier.begin(NUMBER, { actor: 'staff:ann' });
  const call = await s.call();
  call.answer();
  await s.until(v.id, 'waiting-for-code');
  s.remove();
  call.press(v.code);
  t.like(await s.until(v.id, 'failed'), { reason: 'removed' });
  t.deepEqual(s.settings().callerIds, []);
});

test('unknown numbers and missing trunks are refused with clear errors', (t) => {
  const s = setup();
  t.throws(() => s.verifier.begin('+33142000078', { actor: 'staff:ann' }), { message: /\+33142000078 is not one of the box's caller IDs/ });
  t.throws(() => s.verifier.begin(NUMBER, { actor: 'staff:ann', trunk: 'nope' }), { message: /no enabled trunk named "nope"/ });
});
