// Where a dial request goes, the same on both engines: a SIP URI as given, or a number on a trunk (the
// request's or the default one), and the caller's user part as that trunk wants it.
import { isIP } from 'node:net';
import type { DialRequest } from '../../core/call-port.ts';
import type { TrunkProfile } from '../../core/settings-types.ts';
import { AppError } from '../../core/errors.ts';
import { hashNumber, type Logger } from '../../core/log.ts';

export interface DialTarget {
  trunk: TrunkProfile;
  /** Request-URI. */
  uri: string;
  /** Next hop when the Request-URI names a domain rather than the trunk's address. */
  outboundProxy?: string;
}

/** ';transport=tcp' and the like; nothing for UDP. */
export function transportParam(t: TrunkProfile): string {
  return t.transport === 'udp' ? '' : `;transport=${t.transport}`;
}

/** The user part for a number on a trunk: E.164 '+' kept or replaced by the trunk's dial prefix. */
export function dialUser(trunk: TrunkProfile, number: string): string {
  const compact = number.replace(/[\s().-]/g, '');
  if (!/^\+?[0-9*#]+$/.test(compact)) throw new AppError('E_DIAL_TARGET', 'Not a dialable number', { number: compact.length > 4 ? `…${compact.slice(-4)}` : '…' });
  if (!compact.startsWith('+')) return compact;
  return trunk.keepPlus ? compact : `${trunk.dialPrefix ?? ''}${compact.slice(1)}`;
}

/** Request-URI (and next hop) for a number on a trunk; resolved: the trunk host's address, if known. */
export function dialTarget(trunk: TrunkProfile, number: string, resolved?: string): DialTarget {
  const user = dialUser(trunk, number);
  const hostIp = isIP(trunk.host) ? trunk.host : resolved;
  if (trunk.domain && trunk.domain !== trunk.host) {
    return {
      trunk,
      uri: `sip:${user}@${trunk.domain}${transportParam(trunk)}`,
      outboundProxy: `sip:${hostIp ?? trunk.host}:${trunk.port}${transportParam(trunk)};lr`,
    };
  }
  return { trunk, uri: `sip:${user}@${trunk.host}:${trunk.port}${transportParam(trunk)}` };
}

/** What a call is about to dial. */
export interface DialPlan {
  trunk: TrunkProfile | undefined;
  /** Request-URI. */
  uri: string;
  outboundProxy: string | undefined;
}

const isSipUri = (to: string): boolean => /^sips?:/i.test(to);

export function planDial(req: DialRequest, defaultTrunk: string | null, trunks: { target(name: string, number: string): DialTarget }): DialPlan {
  if (isSipUri(req.to)) return { trunk: undefined, uri: req.to, outboundProxy: undefined };
  const name = req.trunk ?? defaultTrunk;
  if (!name) throw new AppError('E_TRUNK_UNKNOWN', 'No trunk named in the request and no default trunk');
  const target = trunks.target(name, req.to);
  return { trunk: target.trunk, uri: target.uri, outboundProxy: target.outboundProxy };
}

/** The From user: without the '+' unless the trunk keeps it; 'anonymous' when there is none. */
export function fromUserOn(trunk: TrunkProfile | undefined, from: string): string {
  return (trunk && !trunk.keepPlus ? from.replace(/^\+/, '') : from) || 'anonymous';
}

/** The 'dialling' line: the number hashed, never in clear. */
export function logDialling(log: Logger, trunk: TrunkProfile | undefined, to: string): void {
  log.info({ trunk: trunk?.name ?? null, to: isSipUri(to) ? 'sip-uri' : hashNumber(to) }, 'dialling');
}
