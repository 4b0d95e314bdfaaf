import test from 'ava';
import { PACKS, type PackId } from '../../appliance/compliance/packs.ts';
import { checkCallerId } from '../../appliance/compliance/caller-id.ts';
import { checkScript, type ScriptDeclaration } from '../../appliance/compliance/script-check.ts';
import type { Purpose } from '../../appliance/campaigns/model.ts';

const callerCases: Array<[PackId, string, Purpose, string[]]> = [
  ['fr', '+33162000000', 'marketing', []],
  ['fr', '+33949123456', 'marketing', []],
  ['fr', '+33142000000', 'marketing', ['caller-id-range']],
  ['fr', '+33142000000', 'informational', []],
  ['fr', '+33612345678', 'informational', ['caller-id-forbidden']],
  ['fr', '+33712345678', 'marketing', ['caller-id-forbidden', 'caller-id-range']],
  ['uk', '+442071234567', 'marketing', []],
  ['uk', '+449091234567', 'informational', ['caller-id-forbidden']],
  ['uk', '+4412', 'informational', ['caller-id-invalid']],
  ['us', '+12120550123', 'marketing', ['caller-id-invalid']], // exchange codes never start with 0
  ['us', '+12127365000', 'marketing', []],
  ['ca', '+14161234567', 'informational', ['caller-id-invalid']],
  ['ca', '+14165550123', 'informational', []],
  ['none', '+4412', 'marketing', []],
];

for (const [pack, id, purpose, codes] of callerCases) {
  test(`caller ID ${id} for ${purpose} under ${pack}: ${codes.join(', ') || 'ok'}`, (t) => {
    t.deepEqual(checkCallerId(PACKS[pack], { callerId: id, purpose }).map((p) => p.code), codes);
  });
}

test('an unverified caller ID is refused', (t) => {
  t.deepEqual(checkCallerId(PACKS.fr, { callerId: '+33162000000', purpose: 'informational', verified: false }).map((p) => p.code), ['caller-id-unverified']);
});

const good: ScriptDeclaration = { identificationEndsMs: 4000, callbackNumber: '+12127365000', optOutAnnouncedMs: 5500, voicemail: { identification: true, callbackNumber: '+18002752273' } };

test('script check: US needs the opt-out within 2 s of the identification, and a complete voicemail', (t) => {
  const us = PACKS.us;
  t.deepEqual(checkScript(us, { purpose: 'informational', optOutKey: '2', hasVoicemail: true, script: good }), []);
  t.deepEqual(checkScript(us, { purpose: 'informational', optOutKey: '2', hasVoicemail: true, script: { ...good, optOutAnnouncedMs: 6500 } }).map((p) => p.code), ['script-opt-out-late']);
  t.deepEqual(checkScript(us, { purpose: 'informational', optOutKey: undefined, hasVoicemail: true, script: good }).map((p) => p.code), ['script-opt-out']);
  t.deepEqual(checkScript(us, { purpose: 'marketing', optOutKey: '2', hasVoicemail: true, script: { ...good, identificationEndsMs: null, voicemail: { identification: true, callbackNumber: null } } }).map((p) => p.code),
    ['script-identification', 'script-voicemail']);
  t.deepEqual(checkScript(us, { purpose: 'informational', optOutKey: '2', hasVoicemail: false, script: { ...good, voicemail: null } }), [], 'no voicemail message, no voicemail rule');
});

test('script check: emergency calls need only the opt-out; "none" only the opt-out key', (t) => {
  const bare: ScriptDeclaration = { identificationEndsMs: null, callbackNumber: null, optOutAnnouncedMs: 1000, voicemail: null };
  t.deepEqual(checkScript(PACKS.fr, { purpose: 'emergency', optOutKey: '2', hasVoicemail: true, script: bare }), []);
  t.deepEqual(checkScript(PACKS.none, { purpose: 'marketing', optOutKey: '2', hasVoicemail: true, script: bare }), []);
  t.deepEqual(checkScript(PACKS.uk, { purpose: 'marketing', optOutKey: '2', hasVoicemail: false, script: bare }).map((p) => p.code), ['script-identification', 'script-callback']);
});
