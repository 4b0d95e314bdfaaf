// The fleet manager's command line: `serve` runs the service; the others read or change its database.
// Run: npx tsx fleet-manager/cli.ts <command> (or through `fleet-tool manager <command>`).
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hostname } from 'node:os';
import { pino, destination, stdTimeFunctions } from 'pino';
import { FleetManager } from './service.ts';
import { FleetStore } from './store/fleet-store.ts';

export const MANAGER_USAGE = `usage: fleet-manager <command> [options]

  serve  --db DIR|postgres://URL --broker mqtt(s)://HOST:PORT [--fleet-dir FLEET_DIR] [--group fleet-manager]
         [--client-id ID] [--offline-alert-sec 300] [--gap-alert-sec 30]
         runs the fleet manager (ingest, opt-out relay, alerts) until SIGTERM/SIGINT;
         prints {"ready":...} once subscribed. With mqtts:// the client certificate is FLEET_DIR/fleet-client.crt
  leave  --db DIR|URL --broker URL --client-id ID [--fleet-dir DIR] [--group G]
         retires an instance for good: resumes its session, stores what the broker kept for it,
         unsubscribes and ends the session (mosquitto keeps queueing an offline member's turn)
  migrate --db DIR|URL                       brings the database schema up to date
  org    --db DIR|URL --id ID --name NAME    creates (or renames) an organisation
  assign --db DIR|URL --box BOX --org ID     moves a box to an organisation (it gets that organisation's do-not-call list)
  boxes  --db DIR|URL [--json]               boxes and their state
  alerts --db DIR|URL [--all] [--json]       open alerts (--all: with closed ones)

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
  for (const k of ['db', 'broker', 'fleet-dir', 'group', 'client-id', 'offline-alert-sec', 'gap-alert-sec', 'id', 'name', 'box', 'org', 'log-level']) options[k] = { type: 'string' };
  for (const k of ['json', 'all']) options[k] = { type: 'boolean' };
  let v: Record<string, string | boolean | undefined>;
  try {
    v = parseArgs({ args: rest, strict: true, options }).values as Record<string, string | boolean | undefined>;
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
        const stopping = new Promise<void>((r) => { process.once('SIGTERM', r); process.once('SIGINT', r); });
        await fm.start();
        out(JSON.stringify({ ready: true, clientId: fm.clientId, storage: fm.store!.sql.kind, pid: process.pid }));
        await stopping;
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

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await fleetManagerCli(process.argv.slice(2));
}
