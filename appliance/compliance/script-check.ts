// The script check before launch: the pack's identification at the start, a callback number, an
// opt-out key announced in time, and a voicemail variant that carries them too. Recordings cannot be
// read, so staff declare where each element is in the message (times from its start).
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Purpose } from '../campaigns/model.ts';
import type { RulePack } from './packs.ts';
import type { ScriptDeclaration, ScriptProblemCode } from '../http/contract/compliance.ts';

export type { ScriptDeclaration } from '../http/contract/compliance.ts';

export interface ScriptProblem {
  code: ScriptProblemCode;
  message: string;
  /** script-opt-out-late: the pack's limit after the identification, in seconds (for a page's own words). */
  withinSec?: number;
}

export function checkScript(pack: Pick<RulePack, 'script' | 'exemptPurposes'>, c: { purpose: Purpose; optOutKey: string | undefined; hasVoicemail: boolean; script: ScriptDeclaration }): ScriptProblem[] {
  const r = pack.script;
  const out: ScriptProblem[] = [];
  const s = c.script;
  const exempt = pack.exemptPurposes.includes(c.purpose);
  const dialable = (n: string | null): boolean => n !== null && !!parsePhoneNumberFromString(n)?.isValid();
  if (!exempt && r.identificationAtStart && s.identificationEndsMs === null) out.push({ code: 'script-identification', message: `the message must open with the caller's identity (${r.source})` });
  if (!exempt && r.callbackNumber && !dialable(s.callbackNumber)) out.push({ code: 'script-callback', message: `the message must give a valid callback number (${r.source})` });
  if (r.optOut && (!c.optOutKey || s.optOutAnnouncedMs === null)) {
    out.push({ code: 'script-opt-out', message: 'the message must announce an opt-out key, and the campaign menu must define it' });
  } else if (r.optOut && r.optOutWithinMs !== null && s.optOutAnnouncedMs !== null && s.identificationEndsMs !== null && s.optOutAnnouncedMs - s.identificationEndsMs > r.optOutWithinMs) {
    out.push({ code: 'script-opt-out-late', withinSec: r.optOutWithinMs / 1000, message: `the opt-out key must be announced within ${r.optOutWithinMs / 1000} s after the identification (${r.source})` });
  }
  if (!exempt && c.hasVoicemail && r.voicemailIdentification && (!s.voicemail || !s.voicemail.identification || !dialable(s.voicemail.callbackNumber))) {
    out.push({ code: 'script-voicemail', message: `the voicemail message must carry the identity and a callback number (${r.source})` });
  }
  return out;
}
