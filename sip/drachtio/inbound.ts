
import type { TrunkGuard } from '../shared/guard.ts';
import type { RefusalLog } from '../shared/refusal-log.ts';
import type { Srf, SrfMessage, SrfResponseOut } from './srf.ts';

const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE';
const METHODS = ['invite', 'options', 'register', 'subscribe', 'message', 'notify', 'info', 'refer', 'publish', 'update'] as const;

export interface InboundStats { refused: number; blocked: number }

export function installInbound(srf: Srf, guard: TrunkGuard, refusals: RefusalLog): InboundStats {
  const stats: InboundStats = { refused: 0, blocked: 0 };
  const handle = (req: SrfMessage, res: SrfResponseOut): void => {
    const method = (req.method ?? '').toUpperCase();
    const source = req.source_address ?? '';
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
      case 'INVITE':
        stats.refused++;
        refusals.note(source, { method, reason: 'outbound-only', status: 403 });
        res.send(403, 'Forbidden (outbound only)');
        return;
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
