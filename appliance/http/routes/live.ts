// GET /api/live: the WebSocket feed of typed events ({type, data, at}); see live-feed.ts for the types.
// The guard has checked the session and the Origin before the upgrade; the feed closes the socket
// with code 4401 when the session ends.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../core/errors.ts';
import type { HttpContext } from '../context.ts';
import { requireRole, sessionOf } from '../route-kit.ts';

export function liveRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.route({
    method: 'GET',
    url: '/api/live',
    config: requireRole('viewer'),
    schema: {
      summary: 'Live events over WebSocket',
      description: 'Upgrade to a WebSocket. Each message is JSON {type, data, at}: "hello" first, then "import.progress" ' +
        '(and the events other parts add, e.g. campaign counters). Closed with code 4401 when the session ends.',
      tags: ['live'],
      response: { 101: { description: 'Switching protocols (WebSocket)', type: 'null' } },
    },
    handler: async () => {
      throw new AppError('E_REQUEST_INVALID', 'GET /api/live is a WebSocket: connect with a WebSocket client.', { header: 'upgrade' });
    },
    wsHandler: (socket, req) => {
      const s = sessionOf(req);
      ctx.live.attach(socket, s.idHash, { username: s.username, role: s.role });
    },
  });
}
