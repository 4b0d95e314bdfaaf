// What a person may type as the party to call by hand (a test call, `appliance call`): an E.164 number,
// with or without spaces and dots, 00 for +, or a sip: URI.
import { AppError } from '../../core/errors.ts';

export function normaliseTarget(target: string): string {
  if (/^sips?:/i.test(target)) return target;
  const compact = target.replace(/[\s().-]/g, '');
  if (/^\+[1-9]\d{6,14}$/.test(compact)) return compact;
  if (/^00[1-9]\d{6,14}$/.test(compact)) return `+${compact.slice(2)}`;
  throw new AppError('E_DIAL_TARGET', `"${target}" is neither an E.164 number (+33612345678) nor a sip: URI`, { argument: 'target' });
}
