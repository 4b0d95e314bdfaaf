// GET /api/sip: SIP over WebSocket (RFC 7118, subprotocol "sip") for the browser softphone (issue 16),
// on the box's own HTTPS port. The guard has checked the session and the Origin before the upgrade;
// here, before any SIP is read, the user must be one who may take calls and the client must speak
// "sip". The engine then takes REGISTER and the rest from that user only.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.ts';
import type { HttpContext } from './context.ts';
import { CLOSE_SESSION_ENDED } from './live-feed.ts';
import { requireRole, sessionOf } from './route-kit.ts';

const SESSION_CHECK_MS = 2000;

function offersSip(req: FastifyRequest): boolean {
  const h = req.headers['sec-websocket-protocol'];
  return typeof h === 'string' && h.split(',').some((p) => p.trim().toLowerCase() === 'sip');
}

export function sipSocketRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.route({
    method: 'GET',
    url: '/api/sip',
    config: requireRole('viewer'),
    schema: {
      summary: 'SIP over WebSocket for the browser softphone',
      description: 'Upgrade to a WebSocket with subprotocol "sip" (RFC 7118). Only for a logged-in user allowed to take calls; ' +
        'the connection registers that user\'s softphone and takes the calls the box hands it.',
      tags: ['staff'],
      response: { 101: { description: 'Switching protocols (WebSocket, subprotocol sip)', type: 'null' } },
    },
    preValidation: async (req) => {
      if (req.headers.upgrade?.toLowerCase() !== 'websocket') return; // the handler answers plain GETs
      const s = sessionOf(req);
      if (!(ctx.deps.mayTakeCalls?.(s.username) ?? false)) {
        throw new AppError('E_FORBIDDEN', `The user ${s.username} may not take calls: an administrator can allow it.`, { user: s.username });
      }
      if (!offersSip(req)) throw new AppError('E_REQUEST_INVALID', 'Ask for the WebSocket subprotocol "sip" (RFC 7118).', { header: 'sec-websocket-protocol' });
      if (!ctx.deps.engine.acceptStaffSocket) throw new AppError('E_FORBIDDEN', `The ${ctx.deps.engine.name} call engine takes no softphones.`);
    },
    handler: async () => {
      throw new AppError('E_REQUEST_INVALID', 'GET /api/sip is a WebSocket: connect with a SIP-over-WebSocket client.', { header: 'upgrade' });
    },
    wsHandler: (socket, req) => {
      const s = sessionOf(req);
      ctx.deps.engine.acceptStaffSocket?.(socket, s.username);
      // The softphone lives as long as its web session: logout, expiry or a removed user closes it.
      const check = setInterval(() => {
        if (!ctx.sessions.isLive(s.idHash) || !(ctx.deps.mayTakeCalls?.(s.username) ?? false)) socket.close(CLOSE_SESSION_ENDED, 'session ended');
      }, SESSION_CHECK_MS);
      check.unref();
      socket.on('close', () => clearInterval(check));
    },
  });
}
