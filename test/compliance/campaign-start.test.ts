// Campaign start: the caller ID must be one the box verified and pass the pack's checks, the script must
// carry what the pack requires; a campaign that only dials the sandbox is warned, not refused.
import test from 'ava';
import { httpStatus } from '../../appliance/http/error-status.ts';
import { addCampaign, addList, memoryStore } from './fixtures.ts';
import { callerIdPresentable, checkCampaignStart, startProblems, type StartSettings } from '../../appliance/compliance/campaign-start.ts';
import { campaignPack, createComplianceGate } from '../../appliance/compliance/gate.ts';
import { parseCampaignConfig } from '../../appliance/campaigns/model.ts';
import { CampaignsRepo } from '../../appliance/store/campaigns-repo.ts';
import type { AppError } from '../../core/errors.ts';

const NOW = Date.parse('2026-06-03T09:00:00Z');
const CALLER = '+33162000000';
const SCRIPT = { identificationEndsMs: 3000, callbackNumber: '+33142000099', optOutAnnouncedMs: 6000, voicemail: { identification: true, callbackNumber: '+33142000099' } };

function settings(verified: boolean | null, trunkKind: 'sip' | 'sandbox' = 'sip'): StartSettings {
  return { callerIds: verified === null ? [] : [{ number: CALLER, label: 'Office', verified }], trunks: [{ name: 't1', kind: trunkKind }] };
}

function setup(config: Record<string, unknown> = {}) {
  const db = memoryStore();
  const { listId, contactIds } = addList(db, 'l', [{ e164: '+33142000001', zones: ['Europe/Paris'] }]);
  return { db, contactIds, campaign: addCampaign(db, 'c', listId, { purpose: 'informational', script: SCRIPT, ...config }) };
}

function startError(f: () => void): AppError & { fields: Array<{ key: string; message: string }> } {
  try {
    f();
  } catch (e) {
    return e as AppError & { fields: Array<{ key: string; message: string }> };
  }
  throw new Error('expected the start to be refused');
}

test('a real trunk refuses an unverified caller ID with E_CALLER_ID naming the number', (t) => {
  const { db, campaign } = setup();
  const e = startError(() => checkCampaignStart(db, campaign, 'fr', NOW, settings(false)));
  t.is(e.code, 'E_CALLER_ID');
  t.is(httpStatus(e.code), 409);
  t.regex(e.message, /caller ID \+33162000000 has not been verified/);
  t.like(e.where, { reason: 'caller-id-unverified', callerId: CALLER });
  t.deepEqual(e.fields.map((f) => f.key), ['config.callerId']);
  const unlisted = startError(() => checkCampaignStart(db, campaign, 'fr', NOW, settings(null)));
  t.regex(unlisted.message, /caller ID \+33162000000 is not one of the box's caller IDs/);
  t.notThrows(() => checkCampaignStart(db, campaign, 'fr', NOW, settings(true)));
});

test('the permissive "none" pack still needs a verified caller ID on a real trunk', (t) => {
  const { db, campaign } = setup();
  t.is(startError(() => checkCampaignStart(db, campaign, 'none', NOW, settings(false))).code, 'E_CALLER_ID');
  t.notThrows(() => checkCampaignStart(db, campaign, 'none', NOW, settings(true)));
});

test('on the sandbox, caller-ID and script problems are shown but do not block the start', (t) => {
  const { db, campaign } = setup({ script: null });
  t.notThrows(() => checkCampaignStart(db, campaign, 'none', NOW, settings(null, 'sandbox')));
  t.notThrows(() => checkCampaignStart(db, campaign, 'fr', NOW, settings(false, 'sandbox')));
  const problems = startProblems(db, campaign, 'fr', NOW, settings(false, 'sandbox'));
  t.true(problems.length > 0);
  t.true(problems.every((p) => !p.blocking && /only dials the sandbox/.test(p.message)));
});

test('the pack\'s caller-ID range and forbidden-range checks run at start', (t) => {
  const { db, campaign } = setup({ callerId: '+449091234567' });
  const s: StartSettings = { callerIds: [{ number: '+449091234567', label: 'premium', verified: true }], trunks: [{ name: 't1', kind: 'sip' }] };
  const e = startError(() => checkCampaignStart(db, campaign, 'uk', NOW, s));
  t.is(e.code, 'E_CALLER_ID');
  t.is(e.where?.reason, 'caller-id-forbidden');
});

test('the script check runs at start: identity, callback number, opt-out announced', (t) => {
  const { db, campaign } = setup({ script: null });
  const e = startError(() => checkCampaignStart(db, campaign, 'fr', NOW, settings(true)));
  t.is(e.code, 'E_COMPLIANCE');
  t.deepEqual([...new Set(e.fields.map((f) => f.key))], ['config.script']);
  t.regex(e.message, /open with the caller's identity/);
  t.regex(e.message, /declare where the message says it/);
  const late = setup({ purpose: 'marketing', seller: 'Acme', script: { ...SCRIPT, optOutAnnouncedMs: 9000 }, voicemail: null });
  const p = startProblems(late.db, late.campaign, 'us', NOW, { callerIds: [{ number: CALLER, label: 'x', verified: true }], trunks: [{ name: 't1', kind: 'sip' }] });
  t.true(p.some((x) => x.code === 'script-opt-out-late'), JSON.stringify(p));
});

test('campaign fields: seller required for marketing, pack one of the packs, script parsed', (t) => {
  const base = { message: 'm', callerId: CALLER, trunks: ['t1'] };
  t.throws(() => parseCampaignConfig({ ...base, purpose: 'marketing' }), { message: /"seller": marketing calls need the seller/ });
  t.is(parseCampaignConfig({ ...base, purpose: 'marketing', seller: ' Acme ' }).seller, 'Acme');
  t.throws(() => parseCampaignConfig({ ...base, pack: 'de' }), { message: /"pack": one of us, ca, fr, uk, none/ });
  t.is(parseCampaignConfig({ ...base, pack: 'uk' }).pack, 'uk');
  t.is(parseCampaignConfig(base).pack, undefined);
  t.throws(() => parseCampaignConfig({ ...base, script: { callbackNumber: '0142' } }), { message: /"0142" is not a phone number for the callback number/ });
  t.deepEqual(parseCampaignConfig({ ...base, script: { identificationEndsMs: 2500 } }).script, { identificationEndsMs: 2500, callbackNumber: null, optOutAnnouncedMs: null, voicemail: null });
});

test('a campaign\'s own pack wins over the settings default and is stamped on its attempts', (t) => {
  const { db, contactIds, campaign } = setup({ pack: 'uk' });
  t.is(campaignPack(campaign, 'fr'), 'uk');
  const gate = createComplianceGate({ db, pack: (c) => campaignPack(c, 'none') });
  const v = gate({ campaign, contact: { contactId: contactIds[0]!, e164: '+33142000001', zones: ['Europe/Paris'], fields: {}, attempts: 0, retries: {}, nextAt: 0 }, now: NOW });
  t.deepEqual(v, { allow: true });
  const id = new CampaignsRepo(db).beginAttempt({ campaignId: campaign.id, contactId: contactIds[0]!, e164: '+33142000001', trunk: 't1', callerId: CALLER, now: NOW });
  t.regex(db.prepare('SELECT pack_version FROM attempts WHERE id = ?').pluck().get(id) as string, /^uk-/);
  const other = setup();
  t.is(campaignPack(other.campaign, 'fr'), 'fr', 'no pack of its own: the settings default');
});

test('at dial time, a caller ID unverified or removed after the start holds calls back (never on the sandbox)', (t) => {
  const { db, contactIds, campaign } = setup();
  let s = settings(true);
  const gate = createComplianceGate({ db, pack: () => 'fr', callerIdAllowed: (c) => callerIdPresentable(c, s) });
  const contact = { contactId: contactIds[0]!, e164: '+33142000001', zones: ['Europe/Paris'], fields: {}, attempts: 0, retries: {}, nextAt: 0 };
  t.deepEqual(gate({ campaign, contact, now: NOW }), { allow: true });
  s = settings(null);
  t.like(gate({ campaign, contact, now: NOW }), { allow: false, reason: 'caller-id-unverified', retryAt: NOW + 10 * 60_000 });
  s = settings(null, 'sandbox');
  t.deepEqual(gate({ campaign, contact, now: NOW }), { allow: true });
});
