// Requests that start something at drachtio-server (not in a dialog): screened by the trunk guard
// (sip/shared/guard.ts), every refusal logged through sip/shared/refusal-log.ts. Issue 16's hooks come
// first: REGISTERs of staff endpoints (desk phones from the LAN ranges, softphones over the relayed
// WebSocket) go to the staff registrar; an INVITE from a softphone or a desk phone is refused (no relay);
// an INVITE from a configured trunk's address is a call coming in. Everything else as before.
import type { TrunkGuard } from '../shared/guard.ts';
import type { RefusalLog } from '../shared/refusal-log.ts';
import type { Srf, SrfMessage, SrfResponseOut } from './srf.ts';

const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE';
const METHODS = ['invite', 'options', 'register', 'subscribe', 'message', 'notify', 'info', 'refer', 'publish', 'update'] as const;

export interface InboundStats { refused: number; blocked: number }

/** The staff side and calls coming in (issue 16); without them REGISTER and INVITE are refused as before. */
export interface InboundHooks {
  /** A REGISTER: true when the staff registrar answered it (a desk phone from the LAN ranges, a softphone). */
  register?(req: SrfMessage, res: SrfResponseOut): boolean;
  /** Whether a request came from a browser softphone (its relayed WebSocket). */
  fromSoftphone?(req: SrfMessage): boolean;
  /** An INVITE from a configured trunk's address: the engine answers or refuses it. */
  invite?(req: SrfMessage, res: SrfResponseOut, trunk: string): void;
}

export function installInbound(srf: Srf, guard: TrunkGuard, refusals: RefusalLog, hooks: InboundHooks = {}): InboundStats {
  const stats: InboundStats = { refused: 0, blocked: 0 };
  const handle = (req: SrfMessage, res: SrfResponseOut): void => {
    const method = (req.method ?? '').toUpperCase();
    const source = req.source_address ?? '';
    if (method === 'REGISTER' && hooks.register?.(req, res)) return;
    if (method === 'INVITE' && hooks.fromSoftphone?.(req)) {
      // A softphone starting a call: the box relays nothing.
      stats.refused++;
      refusals.note(source, { method, reason: 'staff-call-out', status: 403 });
      res.send(403, 'Forbidden (no calls through the box)');
      return;
    }
    if (!guard.isAllowed(source)) {
      stats.blocked++;
      // Silence is an answer too: drachtio-server drops the transaction when it times out.
      if (guard.blocked(source, method)) res.send(403, 'Forbidden');
      return;
    }
    switch (method) {
      case 'OPTIONS':
        res.send(200, 'OK', { headers: { Allow: ALLOW, Accept: 'application/sdp' } });
        return;
      case 'NOTIFY':
        res.send(200, 'OK');
        return;
      case 'INVITE': {
        const trunk = guard.trunkOf(source);
        if (trunk && hooks.invite) {
          hooks.invite(req, res, trunk);
          return;
        }
        stats.refused++;
        // Not a trunk (a desk phone from the LAN ranges, a peer we called), or no inbound calls at all.
        const reason = hooks.invite ? 'staff-call-out' : 'outbound-only';
        refusals.note(source, { method, reason, status: 403 });
        res.send(403, hooks.invite ? 'Forbidden (no calls through the box)' : 'Forbidden (outbound only)');
        return;
      }
      case 'REGISTER':
        stats.refused++;
        refusals.note(source, { method, reason: 'registration-refused', status: 403 });
        res.send(403, 'Forbidden');
        return;
      default:
        stats.refused++;
        refusals.note(source, { method, reason: 'method-not-allowed', status: 405 });
        res.send(405, 'Method Not Allowed', { headers: { Allow: ALLOW } });
    }
  };
  for (const m of METHODS) srf.use(m, (req, res) => handle(req, res));
  return stats;
}
