// Run by `npm install` / `npm ci` (package.json "postinstall"): builds the web UI into web-ui/dist so an
// installed box serves it, and the fleet manager's console into fleet-manager/console/dist. A failed
// build must not fail the whole install (the box's API still works and shows a "not built" page), so it
// warns loudly and exits 0; `npm run build:ui` / `npm run build:console` show the error.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const vite = fileURLToPath(new URL('../node_modules/vite/bin/vite.js', import.meta.url));
if (!existsSync(vite)) {
  console.warn('web-ui: vite is not installed; the web UI was not built (run npm run build:ui later).');
  process.exit(0);
}
const r = spawnSync(process.execPath, [vite, 'build', '--config', 'web-ui/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  console.warn('\nweb-ui: THE WEB UI DID NOT BUILD; the box will show a "not built" page. Run `npm run build:ui` to see why.\n');
}
const c = spawnSync(process.execPath, [vite, 'build', '--config', 'fleet-manager/console/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
if (c.status !== 0) {
  console.warn('\nfleet-manager: THE CONSOLE DID NOT BUILD; `fleet-tool manager serve` refuses to start without it. Run `npm run build:console` to see why.\n');
}
process.exit(0);
