// The built web UI (web-ui/dist) at "/", without a session: the login page and its assets must load
// before anyone is logged in. Unknown paths without an extension get index.html (client-side routes).
// Without a build, a small page says so. Paths are confined to the UI folder.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../core/errors.ts';
import { publicRoute } from './route-kit.ts';

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web-ui/dist', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wav': 'audio/wav',
  '.webmanifest': 'application/manifest+json',
};

const CSP = "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Voice-broadcast box</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}code{background:#eee;padding:0 .25rem}</style>
</head><body>
<h1>The web UI is not built</h1>
<p>The box is running and its JSON API answers under <code>/api</code> (see <a href="/api/openapi.json">/api/openapi.json</a>),
but the web UI has not been built on this box.</p>
<p>Build it with <code>npm run build</code> in the <code>web-ui</code> folder, then reload this page.</p>
</body></html>
`;

function sendFile(reply: FastifyReply, file: string, size: number): FastifyReply {
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  reply.header('content-type', type).header('content-length', String(size));
  // Vite puts content hashes in asset names, so those can be cached for good; index.html never.
  reply.header('cache-control', file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (type.startsWith('text/html')) reply.header('content-security-policy', CSP);
  return reply.send(createReadStream(file));
}

function fileIn(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = resolve(root, '.' + normalize('/' + decoded));
  if (file !== root && !file.startsWith(root + sep)) return null;
  try {
    const s = statSync(file);
    return s.isFile() ? file : null;
  } catch {
    return null;
  }
}

export function staticUi(app: FastifyInstance, webRoot: string): void {
  const root = resolve(webRoot);
  app.get('/*', { config: publicRoute() }, async (req, reply) => {
    const path = req.url.split('?')[0]!;
    if (path === '/api' || path.startsWith('/api/')) throw new AppError('E_NOT_FOUND', `no such API route: GET ${path}`);
    const index = join(root, 'index.html');
    if (!existsSync(index)) {
      return reply.code(path === '/' || path === '/index.html' ? 200 : 404).header('content-type', 'text/html; charset=utf-8').header('content-security-policy', CSP).send(PLACEHOLDER);
    }
    const file = path === '/' ? index : fileIn(root, path);
    if (file) return sendFile(reply, file, statSync(file).size);
    if (extname(path) !== '') throw new AppError('E_NOT_FOUND', `no such file: ${path}`);
    return sendFile(reply, index, statSync(index).size);
  });
}
