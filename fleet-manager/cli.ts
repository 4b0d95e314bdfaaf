// The fleet manager's command line: `serve` runs the service; the others read or change its database.
// Run: npx tsx fleet-manager/cli.ts <command> (or through `fleet-tool manager <command>`).
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hostname } from 'node:os';
import { pino, destination, stdTimeFunctions } from 'pino';
import { FleetManager } from './service.ts';
import { FleetStore } from './store/fleet-store.ts';
import { ConsoleStore, ROLES, USERNAME, type Role } from './store/console-store.ts';
import { buildConsoleServer } from './http/server.ts';
import { hashPassword, PASSWORD_MIN, randomPassword } from './http/auth.ts';

const CONSOLE_DIST = join(import.meta.dirname, 'console', 'dist');

export const MANAGER_USAGE = `usage: fleet-manager <command> [options]

  serve  --db DIR|postgres://URL --broker mqtt(s)://HOST:PORT [--fleet-dir FLEET_DIR] [--group fleet-manager]
         [--client-id ID] [--offline-alert-sec 300] [--gap-alert-sec 30]
         [--http-port 8443] [--http-bind 127.0.0.1] [--secure-cookies] [--trust-proxy ADDR] [--ca-dir FLEET_DIR]
         runs the fleet manager (ingest, opt-out relay, alerts, rollouts) until SIGTERM/SIGINT, and the web
         console on --http-port (0: none; put it behind a TLS proxy and pass --secure-cookies); the console
         issues claim codes and tokens in --ca-dir ($FLEET_CA_DIR, else --fleet-dir), the fleet CA folder;
         prints {"ready":...} once subscribed. With mqtts:// the client certificate is FLEET_DIR/fleet-client.crt
  leave  --db DIR|URL --broker URL --client-id ID [--fleet-dir DIR] [--group G]
         retires an instance for good: resumes its session, stores what the broker kept for it,
         unsubscribes and ends the session (mosquitto keeps queueing an offline member's turn)
  migrate --db DIR|URL                       brings the database schema up to date
  org    --db DIR|URL --id ID --name NAME    creates (or renames) an organisation
  assign --db DIR|URL --box BOX --org ID     moves a box to an organisation (it gets that organisation's do-not-call list)
  boxes  --db DIR|URL [--json]               boxes and their state
  alerts --db DIR|URL [--all] [--json]       open alerts (--all: with closed ones)
  user add --db DIR|URL --username NAME --role viewer|operator|admin [--password-stdin]
         adds a console user (or resets its password and role; its sessions end); without
         --password-stdin a password is generated and printed once
  user list|remove --db DIR|URL [--username NAME]

--db defaults to $FLEET_DB, then $STATE_DIRECTORY/db, then ./fleet-data/db.
--fleet-dir defaults to $CREDENTIALS_DIRECTORY (systemd's LoadCredential=).
Exit codes: 0 done, 1 failed, 2 usage.`;

type Out = (line: string) => void;
class Usage extends Error {}

function dbTarget(v: string | boolean | undefined): string {
  if (typeof v === 'string' && v) return v;
  if (process.env.FLEET_DB) return process.env.FLEET_DB;
  return process.env.STATE_DIRECTORY ? join(process.env.STATE_DIRECTORY, 'db') : resolve('fleet-data/db');
}

function seconds(v: string | boolean | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt * 1000;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || n < 0) throw new Usage(`--${name} must be a number of seconds`);
  return n * 1000;
}

export async function fleetManagerCli(argv: string[], out: Out = (l) => process.stdout.write(l + '\n'), err: Out = (l) => process.stderr.write(l + '\n')): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    out(MANAGER_USAGE);
    return command ? 0 : 2;
  }
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const k of ['db', 'broker', 'fleet-dir', 'group', 'client-id', 'offline-alert-sec', 'gap-alert-sec', 'id', 'name', 'box', 'org', 'log-level', 'http-port', 'http-bind', 'username', 'role', 'ca-dir', 'trust-proxy']) options[k] = { type: 'string' };
  for (const k of ['json', 'all', 'password-stdin', 'secure-cookies']) options[k] = { type: 'boolean' };
  let v: Record<string, string | boolean | undefined>;
  try {
    const args = command === 'user' ? rest.slice(1) : rest;
    v = parseArgs({ args, strict: true, options }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    err(`fleet-manager ${command}: ${(e as Error).message}\n\n${MANAGER_USAGE}`);
    return 2;
  }
  const db = dbTarget(v.db);
  try {
    switch (command) {
      case 'serve': {
        const url = typeof v.broker === 'string' ? v.broker : process.env.FLEET_BROKER_URL;
        if (!url) throw new Usage('--broker is required (or $FLEET_BROKER_URL)');
        // Under systemd the certificates come as credentials (LoadCredential=), in $CREDENTIALS_DIRECTORY.
        const fleetDir = typeof v['fleet-dir'] === 'string' ? resolve(v['fleet-dir']) : process.env.CREDENTIALS_DIRECTORY ?? null;
        if (url.startsWith('mqtts:') && !fleetDir) throw new Usage('an mqtts:// broker needs --fleet-dir (the fleet CA and the manager\'s client certificate)');
        const logger = pino({ level: typeof v['log-level'] === 'string' ? v['log-level'] : process.env.LOG_LEVEL ?? 'info', name: 'fleet-manager', base: undefined, timestamp: stdTimeFunctions.isoTime }, destination({ dest: 2, sync: true }));
        const fm = new FleetManager({
          db, logger,
          broker: {
            url, group: typeof v.group === 'string' ? v.group : 'fleet-manager',
            clientId: typeof v['client-id'] === 'string' ? v['client-id'] : `fleet-manager-${hostname()}`,
            ...(fleetDir && url.startsWith('mqtts:') ? { tls: { ca: join(fleetDir, 'ca.crt'), cert: join(fleetDir, 'fleet-client.crt'), key: join(fleetDir, 'fleet-client.key') } } : {}),
          },
          alerts: { offlineAfterMs: seconds(v['offline-alert-sec'], 'offline-alert-sec', 300), gapGraceMs: seconds(v['gap-alert-sec'], 'gap-alert-sec', 30) },
        });
        const httpPort = v['http-port'] === undefined ? Number(process.env.FLEET_HTTP_PORT ?? 0) : Number(v['http-port']);
        if (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65535) throw new Usage('--http-port must be a port number (0: no console)');
        const stopping = new Promise<void>((r) => { process.once('SIGTERM', r); process.once('SIGINT', r); });
        await fm.start();
        let consoleUrl: string | null = null;
        const http = httpPort > 0 ? await buildConsoleServer({ fm, logger, staticDir: CONSOLE_DIST, fleetDir: typeof v['ca-dir'] === 'string' ? resolve(v['ca-dir']) : process.env.FLEET_CA_DIR ?? fleetDir, secureCookies: v['secure-cookies'] === true, ...(typeof v['trust-proxy'] === 'string' ? { trustProxy: v['trust-proxy'] } : {}) }) : null;
        if (http) {
          const host = typeof v['http-bind'] === 'string' ? v['http-bind'] : process.env.FLEET_HTTP_BIND ?? '127.0.0.1';
          await http.listen({ port: httpPort, host });
          consoleUrl = `http://${host}:${httpPort}`;
          if ((await fm.console!.users()).length === 0) logger.warn('no console user yet: add the first admin with `fleet-manager user add --username admin --role admin`');
        }
        out(JSON.stringify({ ready: true, clientId: fm.clientId, storage: fm.store!.sql.kind, pid: process.pid, console: consoleUrl }));
        await stopping;
        await http?.close();
        await fm.stop();
        return 0;
      }
      case 'leave': {
        const url = typeof v.broker === 'string' ? v.broker : process.env.FLEET_BROKER_URL;
        if (!url) throw new Usage('--broker is required (or $FLEET_BROKER_URL)');
        if (typeof v['client-id'] !== 'string') throw new Usage('--client-id is required: the id of the instance to retire');
        const fleetDir = typeof v['fleet-dir'] === 'string' ? resolve(v['fleet-dir']) : process.env.CREDENTIALS_DIRECTORY ?? null;
        if (url.startsWith('mqtts:') && !fleetDir) throw new Usage('an mqtts:// broker needs --fleet-dir');
        const fm = new FleetManager({
          db, logger: pino({ level: 'warn' }, destination({ dest: 2, sync: true })),
          broker: { url, clientId: v['client-id'], group: typeof v.group === 'string' ? v.group : 'fleet-manager',
            ...(fleetDir && url.startsWith('mqtts:') ? { tls: { ca: join(fleetDir, 'ca.crt'), cert: join(fleetDir, 'fleet-client.crt'), key: join(fleetDir, 'fleet-client.key') } } : {}) },
          subscribe: false,
        });
        await fm.start();
        await fm.unsubscribe();
        // What the session kept arrives right after the connection; wait until it has gone quiet.
        let seen = -1;
        while (fm.ingest!.stats.received !== seen) {
          seen = fm.ingest!.stats.received;
          await new Promise((r) => setTimeout(r, 1000));
        }
        const stored = fm.ingest!.stats.received;
        await fm.stop({ leave: true });
        out(`${v['client-id']} left the group: ${stored} message(s) it was holding are stored, its broker session is ended`);
        return 0;
      }
      case 'migrate': {
        const store = await FleetStore.open(db);
        await store.close();
        out(`schema up to date in ${db.startsWith('postgres') ? 'the PostgreSQL database' : db}`);
        return 0;
      }
      case 'user': {
        const verb = rest[0];
        if (verb !== 'add' && verb !== 'list' && verb !== 'remove') throw new Usage('user: add, list or remove');
        const username = typeof v.username === 'string' ? v.username.trim().toLowerCase() : '';
        if (verb !== 'list' && !USERNAME.test(username)) throw new Usage('--username: lower-case letters, digits, . _ - (up to 64)');
        let password = '';
        let generated = false;
        if (verb === 'add') {
          if (!ROLES.includes(v.role as Role)) throw new Usage(`--role: one of ${ROLES.join(', ')}`);
          if (v['password-stdin']) {
            password = (await readStdin()).replace(/\r?\n$/, '');
            if (password.length < PASSWORD_MIN) throw new Usage(`the password read from stdin is shorter than ${PASSWORD_MIN} characters`);
          } else {
            password = randomPassword();
            generated = true;
          }
        }
        const store = await FleetStore.open(db);
        try {
          const users = new ConsoleStore(store.sql);
          if (verb === 'list') {
            const list = await users.users();
            if (v.json) out(JSON.stringify(list));
            else if (list.length === 0) out('no console user');
            else for (const u of list) out(`${u.username.padEnd(24)} ${u.role.padEnd(9)} since ${u.createdAt}`);
          } else if (verb === 'remove') {
            if (!(await users.removeUser(username))) throw new Error(`no console user "${username}"`);
            await users.audit('cli', 'user.remove', username, 'ok');
            out(`console user ${username} removed; its sessions are ended`);
          } else {
            const r = await users.putUser(username, v.role as Role, await hashPassword(password));
            await users.audit('cli', `user.${r === 'added' ? 'add' : 'reset'}`, username, 'ok', { role: v.role });
            out(`console user ${username} ${r} (role ${String(v.role)})${generated ? `; password: ${password} (shown once)` : ''}`);
          }
        } finally {
          await store.close();
        }
        return 0;
      }
      case 'org': case 'assign': case 'boxes': case 'alerts': {
        const store = await FleetStore.open(db);
        try {
          if (command === 'org') {
            const id = typeof v.id === 'string' ? v.id : '';
            if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(id)) throw new Usage('--id: lower-case letters, digits, _ and - (up to 64)');
            if (typeof v.name !== 'string' || !v.name.trim()) throw new Usage('--name is required');
            await store.createOrg(id, v.name.trim());
            out(`organisation ${id} saved`);
          } else if (command === 'assign') {
            if (typeof v.box !== 'string' || typeof v.org !== 'string') throw new Usage('--box and --org are required');
            const queued = await store.assignBox(v.box, v.org);
            out(`${v.box} is in ${v.org}; ${queued.length} do-not-call entr${queued.length === 1 ? 'y' : 'ies'} queued for it (sent when the manager runs)`);
          } else if (command === 'boxes') {
            const boxes = await store.boxes();
            if (v.json) out(JSON.stringify(boxes));
            else if (boxes.length === 0) out('no box has reported yet');
            else for (const b of boxes) out(`${b.boxId.padEnd(20)} ${b.orgId.padEnd(12)} ${b.online ? 'online ' : 'offline'} version ${b.version ?? '?'} config ${b.configVersion ?? '-'} since ${b.onlineSince ?? '-'}`);
          } else {
            const alerts = await store.alerts(!v.all);
            if (v.json) out(JSON.stringify(alerts));
            else if (alerts.length === 0) out('no alert');
            else for (const a of alerts) out(`${a.openedAt} ${a.boxId.padEnd(20)} ${a.kind.padEnd(22)} ${a.closedAt ? `closed ${a.closedAt}` : 'open'} ${JSON.stringify(a.detail)}`);
          }
        } finally {
          await store.close();
        }
        return 0;
      }
      default:
        throw new Usage(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof Usage) {
      err(`fleet-manager ${command}: ${e.message}\n\n${MANAGER_USAGE}`);
      return 2;
    }
    err(`fleet-manager ${command}: ${(e as Error).message}`);
    return 1;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await fleetManagerCli(process.argv.slice(2));
}
