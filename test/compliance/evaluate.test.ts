import test from 'ava';
import { evaluate, type EvaluateInput, type ReasonCode } from '../../appliance/compliance/evaluate.ts';
import { PACKS, packAt, type PackId } from '../../appliance/compliance/packs.ts';
import { zonesForNumber } from '../../appliance/contacts/timezones.ts';

const Z = (iso: string): number => Date.parse(iso);
const zonesOf = (e164: string): string[] => [...(zonesForNumber(e164)?.zones ?? [])];

function input(over: Partial<EvaluateInput> & { e164: string; now: number }): EvaluateInput {
  return {
    purpose: 'informational', lineType: 'fixed', zones: zonesOf(over.e164), seller: 'Acme',
    consent: [], history: { attempts: [], refusalAt: null }, dnc: { internal: false, registries: [] },
    ...over,
  };
}

const consent = (seller: string | null, purpose: string | null, givenAt = Z('2026-01-01T00:00:00Z'), revokedAt: number | null = null, kind: 'written' | 'express' = 'written') => ({ seller, purpose, kind, givenAt, revokedAt });

interface Case {
  name: string;
  pack: PackId;
  in: Partial<EvaluateInput> & { e164: string; now: number };
  allow: boolean;
  reason?: ReasonCode;
  retryAt?: string;
}

const cases: Case[] = [
  // United States: 08:00-21:00 local, across the 2026-03-08 and 2026-11-01 DST changes.
  { name: 'US NY Monday 08:30 EDT (day after DST starts)', pack: 'us', in: { e164: '+12125550123', now: Z('2026-03-09T12:30:00Z') }, allow: true },
  { name: 'US NY Friday 07:30 EST (before DST)', pack: 'us', in: { e164: '+12125550123', now: Z('2026-03-06T12:30:00Z') }, allow: false, reason: 'outside-legal-window', retryAt: '2026-03-06T13:00:00Z' },
  { name: 'US NY Saturday 22:00 EST opens Sunday 08:00 EDT', pack: 'us', in: { e164: '+12125550123', now: Z('2026-03-08T03:00:00Z') }, allow: false, reason: 'outside-legal-window', retryAt: '2026-03-08T12:00:00Z' },
  { name: 'US LA 07:30 PST (day after DST ends)', pack: 'us', in: { e164: '+13105550123', now: Z('2026-11-02T15:30:00Z') }, allow: false, reason: 'outside-legal-window', retryAt: '2026-11-02T16:00:00Z' },
  { name: 'US LA 20:59 PDT', pack: 'us', in: { e164: '+13105550123', now: Z('2026-07-02T03:59:00Z') }, allow: true },
  { name: 'US LA 21:00 PDT closed', pack: 'us', in: { e164: '+13105550123', now: Z('2026-07-02T04:00:00Z') }, allow: false, reason: 'outside-legal-window', retryAt: '2026-07-02T15:00:00Z' },
  { name: 'US Alaska two zones: both open', pack: 'us', in: { e164: '+19075550123', now: Z('2026-07-01T17:30:00Z') }, allow: true },
  { name: 'US Alaska two zones: Adak still 07:30', pack: 'us', in: { e164: '+19075550123', now: Z('2026-07-01T16:30:00Z') }, allow: false, reason: 'outside-legal-window', retryAt: '2026-07-01T17:00:00Z' },
  { name: 'US Honolulu 08:00 HST', pack: 'us', in: { e164: '+18085550123', now: Z('2026-07-01T18:00:00Z') }, allow: true },
  { name: 'US toll-free maps to 42 zones from Guam to Pago Pago: waits for all', pack: 'us', in: { e164: '+18005550123', now: Z('2026-07-01T18:00:00Z') }, allow: false, reason: 'outside-legal-window', retryAt: '2026-07-01T22:00:00Z' },
  { name: 'US NY number, time-zone column says Los Angeles (06:00 there)', pack: 'us', in: { e164: '+12125550123', zones: ['America/Los_Angeles'], now: Z('2026-07-01T13:00:00Z') }, allow: false, reason: 'outside-legal-window', retryAt: '2026-07-01T15:00:00Z' },
  { name: 'US NY number, time-zone column Los Angeles, 09:00 there', pack: 'us', in: { e164: '+12125550123', zones: ['America/Los_Angeles'], now: Z('2026-07-01T16:00:00Z') }, allow: true },
  { name: 'US wireless informational without consent', pack: 'us', in: { e164: '+12125550123', lineType: 'mobile', now: Z('2026-07-01T16:00:00Z') }, allow: false, reason: 'no-consent' },
  { name: 'US wireless informational with prior consent', pack: 'us', in: { e164: '+12125550123', lineType: 'mobile', consent: [consent(null, null)], now: Z('2026-07-01T16:00:00Z') }, allow: true },
  { name: 'US unknown line type treated as wireless', pack: 'us', in: { e164: '+12125550123', lineType: 'unknown', now: Z('2026-07-01T16:00:00Z') }, allow: false, reason: 'no-consent' },
  { name: 'US marketing with consent to another seller', pack: 'us', in: { e164: '+12125550123', purpose: 'marketing', consent: [consent('Other Co', 'marketing')], now: Z('2026-07-01T16:00:00Z') }, allow: false, reason: 'no-consent' },
  { name: 'US marketing with PEWC for this seller', pack: 'us', in: { e164: '+12125550123', purpose: 'marketing', consent: [consent('acme ', 'marketing')], now: Z('2026-07-01T16:00:00Z') }, allow: true },
  { name: 'US marketing consent revoked', pack: 'us', in: { e164: '+12125550123', purpose: 'marketing', consent: [consent('Acme', 'marketing', Z('2026-01-01T00:00:00Z'), Z('2026-06-01T00:00:00Z'))], now: Z('2026-07-01T16:00:00Z') }, allow: false, reason: 'consent-revoked' },
  { name: 'US marketing on the national DNC copy', pack: 'us', in: { e164: '+12125550123', purpose: 'marketing', consent: [consent('Acme', 'marketing', undefined, null, 'express')], dnc: { internal: false, registries: ['us-national-dnc'] }, now: Z('2026-07-01T16:00:00Z') }, allow: false, reason: 'dnc-registry' },
  { name: 'US informational not scrubbed against the national DNC', pack: 'us', in: { e164: '+12125550123', dnc: { internal: false, registries: ['us-national-dnc'] }, now: Z('2026-07-01T16:00:00Z') }, allow: true },
  { name: 'US internal DNC blocks even emergency', pack: 'us', in: { e164: '+12125550123', purpose: 'emergency', dnc: { internal: true, registries: [] }, now: Z('2026-07-01T16:00:00Z') }, allow: false, reason: 'dnc-internal' },
  { name: 'US emergency at 03:00 local', pack: 'us', in: { e164: '+12125550123', purpose: 'emergency', lineType: 'mobile', now: Z('2026-07-01T07:00:00Z') }, allow: true },
  { name: 'US restricted: 988 crisis line', pack: 'us', in: { e164: '+1988', zones: ['America/New_York'], purpose: 'emergency', now: Z('2026-07-01T16:00:00Z') }, allow: false, reason: 'restricted-number' },
  { name: 'US exempt landline calls: 3 in 30 days reached', pack: 'us', in: { e164: '+12125550123', history: { attempts: [Z('2026-06-05T15:00:00Z'), Z('2026-06-10T15:00:00Z'), Z('2026-06-20T15:00:00Z')], refusalAt: null }, now: Z('2026-07-01T16:00:00Z') }, allow: false, reason: 'frequency-cap', retryAt: '2026-07-05T15:00:00Z' },
  { name: 'US exempt cap lifted by consent', pack: 'us', in: { e164: '+12125550123', consent: [consent('Acme', null)], history: { attempts: [Z('2026-06-05T15:00:00Z'), Z('2026-06-10T15:00:00Z'), Z('2026-06-20T15:00:00Z')], refusalAt: null }, now: Z('2026-07-01T16:00:00Z') }, allow: true },
  { name: 'US healthcare: second call the same day', pack: 'us', in: { e164: '+12125550123', purpose: 'healthcare', lineType: 'fixed', history: { attempts: [Z('2026-07-01T14:00:00Z')], refusalAt: null }, now: Z('2026-07-01T16:00:00Z') }, allow: false, reason: 'frequency-cap', retryAt: '2026-07-02T14:00:00Z' },
  // Canada: weekdays 09:00-21:30, weekends 10:00-18:00.
  { name: 'CA Toronto weekday 21:29', pack: 'ca', in: { e164: '+14165550123', now: Z('2026-07-02T01:29:00Z') }, allow: true },
  { name: 'CA Toronto weekday 21:30 closed, Thursday 09:00 next', pack: 'ca', in: { e164: '+14165550123', now: Z('2026-07-02T01:30:00Z') }, allow: false, reason: 'outside-legal-window', retryAt: '2026-07-02T13:00:00Z' },
  { name: 'CA Toronto Saturday 17:59', pack: 'ca', in: { e164: '+14165550123', now: Z('2026-07-04T21:59:00Z') }, allow: true },
  { name: 'CA Toronto Saturday 18:00 closed, Sunday 10:00 next', pack: 'ca', in: { e164: '+14165550123', now: Z('2026-07-04T22:00:00Z') }, allow: false, reason: 'outside-legal-window', retryAt: '2026-07-05T14:00:00Z' },
  { name: 'CA Vancouver Sunday 09:30 PDT', pack: 'ca', in: { e164: '+16045550123', now: Z('2026-07-05T16:30:00Z') }, allow: false, reason: 'outside-legal-window', retryAt: '2026-07-05T17:00:00Z' },
  { name: 'CA marketing without express consent', pack: 'ca', in: { e164: '+14165550123', purpose: 'marketing', now: Z('2026-07-02T15:00:00Z') }, allow: false, reason: 'no-consent' },
  // France: Mon-Fri 10-13 and 14-20, no public holidays (per overseas department), 4 per 30 days, 60 days after a refusal.
  { name: 'FR Paris Monday 10:30 CEST (day after DST starts)', pack: 'fr', in: { e164: '+33142000000', now: Z('2026-03-30T08:30:00Z') }, allow: true },
  { name: 'FR Paris Friday 09:30 CET', pack: 'fr', in: { e164: '+33142000000', now: Z('2026-03-27T08:30:00Z') }, allow: false, reason: 'outside-legal-window', retryAt: '2026-03-27T09:00:00Z' },
  { name: 'FR Paris lunch break 13:30', pack: 'fr', in: { e164: '+33612345678', lineType: 'mobile', now: Z('2026-06-03T11:30:00Z') }, allow: false, reason: 'outside-legal-window', retryAt: '2026-06-03T12:00:00Z' },
  { name: 'FR Paris Friday 20:30 CEST opens Monday 10:00 CET (after DST ends)', pack: 'fr', in: { e164: '+33142000000', now: Z('2026-10-23T18:30:00Z') }, allow: false, reason: 'outside-legal-window', retryAt: '2026-10-26T09:00:00Z' },
  { name: 'FR Paris 14 July (a Tuesday)', pack: 'fr', in: { e164: '+33142000000', now: Z('2026-07-14T10:00:00Z') }, allow: false, reason: 'public-holiday', retryAt: '2026-07-15T08:00:00Z' },
  { name: 'FR Guadeloupe 27 May (abolition day there)', pack: 'fr', in: { e164: '+590590123456', now: Z('2026-05-27T14:00:00Z') }, allow: false, reason: 'public-holiday', retryAt: '2026-05-28T14:00:00Z' },
  { name: 'FR Paris on 27 May is a working day', pack: 'fr', in: { e164: '+33142000000', now: Z('2026-05-27T14:00:00Z') }, allow: true },
  { name: 'FR Martinique 10:00 local on 21 May', pack: 'fr', in: { e164: '+596596123456', now: Z('2026-05-21T14:00:00Z') }, allow: true },
  { name: 'FR Martinique 22 May (abolition day there)', pack: 'fr', in: { e164: '+596596123456', now: Z('2026-05-22T14:00:00Z') }, allow: false, reason: 'public-holiday', retryAt: '2026-05-26T14:00:00Z' },
  { name: 'FR Reunion 19:59 local', pack: 'fr', in: { e164: '+262262123456', now: Z('2026-06-03T15:59:00Z') }, allow: true },
  { name: 'FR Reunion 20:00 local closed', pack: 'fr', in: { e164: '+262262123456', now: Z('2026-06-03T16:00:00Z') }, allow: false, reason: 'outside-legal-window', retryAt: '2026-06-04T06:00:00Z' },
  { name: 'FR 4 calls in 30 days reached', pack: 'fr', in: { e164: '+33142000000', history: { attempts: [Z('2026-05-20T09:00:00Z'), Z('2026-05-25T09:00:00Z'), Z('2026-05-28T09:00:00Z'), Z('2026-06-01T09:00:00Z')], refusalAt: null }, now: Z('2026-06-03T09:00:00Z') }, allow: false, reason: 'frequency-cap', retryAt: '2026-06-19T09:00:00Z' },
  { name: 'FR 60 days after a refusal', pack: 'fr', in: { e164: '+33142000000', history: { attempts: [], refusalAt: Z('2026-05-04T12:00:00Z') }, now: Z('2026-06-03T09:00:00Z') }, allow: false, reason: 'refusal-cooldown', retryAt: '2026-07-03T12:00:00Z' },
  { name: 'FR 60 days after a refusal end on a Saturday: next Monday 10:00', pack: 'fr', in: { e164: '+33142000000', history: { attempts: [], refusalAt: Z('2026-05-05T12:00:00Z') }, now: Z('2026-06-03T09:00:00Z') }, allow: false, reason: 'refusal-cooldown', retryAt: '2026-07-06T08:00:00Z' },
  { name: 'FR zones Paris and Tahiti never share a window', pack: 'fr', in: { e164: '+33142000000', zones: ['Europe/Paris', 'Pacific/Tahiti'], now: Z('2026-06-03T09:00:00Z') }, allow: false, reason: 'no-legal-window' },
  { name: 'FR marketing without consent', pack: 'fr', in: { e164: '+33142000000', purpose: 'marketing', now: Z('2026-06-03T09:00:00Z') }, allow: false, reason: 'no-consent' },
  { name: 'FR marketing with consent on Bloctel copy', pack: 'fr', in: { e164: '+33142000000', purpose: 'marketing', consent: [consent('Acme', 'marketing')], dnc: { internal: false, registries: ['fr-bloctel'] }, now: Z('2026-06-03T09:00:00Z') }, allow: false, reason: 'dnc-registry' },
  { name: 'FR restricted: 3114', pack: 'fr', in: { e164: '+333114', zones: ['Europe/Paris'], now: Z('2026-06-03T09:00:00Z') }, allow: false, reason: 'restricted-number' },
  // United Kingdom and the explicit "none" pack.
  { name: 'UK London 07:59 BST', pack: 'uk', in: { e164: '+442071234567', now: Z('2026-07-01T06:59:00Z') }, allow: false, reason: 'outside-legal-window', retryAt: '2026-07-01T07:00:00Z' },
  { name: 'UK mobile (three zones) 08:00 BST', pack: 'uk', in: { e164: '+447911123456', lineType: 'mobile', now: Z('2026-07-01T07:00:00Z') }, allow: true },
  { name: 'UK political needs consent (PECR 19)', pack: 'uk', in: { e164: '+442071234567', purpose: 'political', now: Z('2026-07-01T10:00:00Z') }, allow: false, reason: 'no-consent' },
  { name: 'none: 03:00 on a Sunday', pack: 'none', in: { e164: '+33142000000', purpose: 'marketing', now: Z('2026-07-05T01:00:00Z') }, allow: true },
  { name: 'none: opt-outs still hold', pack: 'none', in: { e164: '+33142000000', dnc: { internal: true, registries: [] }, now: Z('2026-07-05T01:00:00Z') }, allow: false, reason: 'dnc-internal' },
];

for (const c of cases) {
  test(`${c.pack}: ${c.name}`, (t) => {
    const v = evaluate(PACKS[c.pack], input(c.in));
    t.is(v.allow, c.allow, JSON.stringify(v));
    t.is(v.reason, c.reason);
    t.is(v.retryAt === undefined ? undefined : new Date(v.retryAt).toISOString(), c.retryAt === undefined ? undefined : new Date(c.retryAt).toISOString());
    t.is(v.packVersion, packAt(c.pack, c.in.now).version);
  });
}

test('every rule of every pack names its source', (t) => {
  for (const p of Object.values(PACKS)) {
    for (const r of [...p.windows, ...p.caps, ...p.refusal, ...p.consent, ...p.registries, ...p.restricted]) t.true(r.source.length > 10, `${p.id}: ${JSON.stringify(r)}`);
    t.regex(p.revision, /^[a-z]+-/);
  }
});

test('a retry time is the earliest allowed moment: allowed then, still refused a minute before', (t) => {
  for (const c of cases.filter((x) => x.retryAt)) {
    const at = Date.parse(c.retryAt!);
    const v = evaluate(PACKS[c.pack], input({ ...c.in, now: at }));
    t.true(v.allow, `${c.name}: ${JSON.stringify(v)}`);
    const before = evaluate(PACKS[c.pack], input({ ...c.in, now: at - 60_000 }));
    t.false(before.allow, `${c.name}, a minute before the retry time: ${JSON.stringify(before)}`);
  }
});
