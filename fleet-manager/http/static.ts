// The built console (fleet-manager/console/dist): its files are public (the page holds no data; the API
// behind it needs a session), read once at start; any other non-API path gets index.html (the console
// routes in the browser).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json',
};

export function serveConsole(app: FastifyInstance, dir: string): void {
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`the console is not built in ${dir} (run npm run build:console)`);
  const files = new Map<string, { body: Buffer; type: string }>();
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else files.set('/' + relative(dir, p).split('\\').join('/'), { body: readFileSync(p), type: TYPES[extname(p)] ?? 'application/octet-stream' });
    }
  };
  walk(dir);
  const index = files.get('/index.html')!;
  const headers = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'" };
  app.get('/*', { config: { consoleAccess: 'public' } }, async (req, reply) => {
    const path = req.url.split('?')[0]!;
    if (path.startsWith('/api/')) return reply.code(404).send({ code: 'E_NOT_FOUND', message: `no API route ${req.method} ${path}` });
    const f = files.get(path) ?? index;
    return reply.headers(headers).header('content-type', f.type).header('cache-control', f === index ? 'no-cache' : 'public, max-age=86400').send(f.body);
  });
}
