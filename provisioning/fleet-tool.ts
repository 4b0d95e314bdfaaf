// The fleet manager's command-line tool: a CA and claim tokens, the enrolment server, signing, and the
// broker side (boxes seen, commands with their answers). Run: npx tsx provisioning/fleet-tool.ts <command>.
import { parseArgs } from 'node:util';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FleetCa, certSha256 } from './fleet-ca.ts';
import { EnrolServer } from './enrol-server.ts';
import { collectAuditHeads, listBoxes, sendCommand, type BrokerAccess } from './fleet-mqtt.ts';
import { fleetManagerCli } from '../fleet-manager/cli.ts';

const USAGE = `usage: fleet-tool <command> --dir FLEET_DIR [options]

  init    [--name CA_NAME] [--server-names 127.0.0.1,fleet.lan] [--broker-url mqtts://H:8883] [--fleet-url https://H:8443]
          create the fleet CA, the enrolment/broker server certificate and the tool's own client certificate
  token   [--fleet-url URL] [--ttl-hours 168] [--note TEXT] [--timezone TZ] [--out provision.json] [--json]
          a single-use claim token, written as a provision.json for a box's boot partition
  claim   <CLAIM-CODE>        approve the claim code a box shows in its web UI (enrol without provision.json)
  serve   [--host 127.0.0.1] [--port 8443] [--broker-url URL]
          the HTTPS enrolment server; prints {"listening": URL} once ready, runs until SIGTERM/SIGINT
  sign    <request.csr> [--out box.crt]       sign a box's certificate request by hand
  boxes   [--broker URL] [--wait-ms 1000] [--json]                  boxes with a status on the broker
  send    --box ID --type TYPE [--data JSON] [--id ID] [--ttl-sec 3600] [--timeout-sec 30] [--wait-final] [--json]
          send a command and print its answer (exit 0 ok, 1 error answer, 3 no answer in time)
  heads   [--box ID] [--broker URL] [--wait-ms 2000] [--follow] [--json]
          collect the boxes' audit.head events (persistent session: nothing sent meanwhile is missed) into
          audit-heads.json and print them; with --box, that box's head as JSON for
          \`appliance audit verify --fleet-head\` or \`send --type audit.verify --data\`
  mosquitto-conf [--port 8883] [--host ADDRESS]
          a mosquitto listener using the fleet CA (client certificates required) and its ACL file
          (boxes write only their status, telemetry, events, config/reported and cmd/response; read only cmd and config/desired)
  manager <command> [options]    the fleet manager service and its database (fleet-tool manager help)

Exit codes: 0 done, 1 failed, 2 usage, 3 timed out.`;

/**
 * The broker's rules. A box's certificate (CN = its box id, the MQTT user name) publishes only its own
 * state and answers, and only reads what the fleet sends it: it can neither command itself nor rewrite
 * its retained desired configuration, and it answers only below its own cmd/response topic.
 */
export const MOSQUITTO_ACL = `# Written by fleet-tool mosquitto-conf.
# The fleet manager (CN fleet-manager): the whole fleet tree.
user fleet-manager
topic readwrite fleet/#

# Each box (CN = box id): write-only on what it reports, read-only on what it is told.
pattern write fleet/v1/%u/status
pattern write fleet/v1/%u/telemetry
pattern write fleet/v1/%u/events
pattern write fleet/v1/%u/config/reported
pattern write fleet/v1/%u/cmd/response/#
pattern read fleet/v1/%u/cmd
pattern read fleet/v1/%u/config/desired
`;

type Out = (line: string) => void;

class Usage extends Error {}

function req(v: string | boolean | undefined, name: string): string {
  if (typeof v !== 'string' || v === '') throw new Usage(`--${name} is required`);
  return v;
}

function num(v: string | boolean | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || n < 0) throw new Usage(`--${name} must be a number`);
  return n;
}

async function broker(ca: FleetCa, flag: string | boolean | undefined): Promise<BrokerAccess> {
  const url = typeof flag === 'string' ? flag : (await ca.config()).brokerUrl;
  if (!url) throw new Usage('--broker is required (or set it with init --broker-url)');
  return url.startsWith('mqtts:') ? { url, ca: ca.path('ca.crt'), cert: ca.path('fleet-client.crt'), key: ca.path('fleet-client.key') } : { url };
}

export async function fleetTool(argv: string[], out: Out = (l) => process.stdout.write(l + '\n'), err: Out = (l) => process.stderr.write(l + '\n')): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    out(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'manager') return fleetManagerCli(rest, out, err);
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const k of ['dir', 'name', 'server-names', 'broker-url', 'fleet-url', 'ttl-hours', 'note', 'timezone', 'out', 'host', 'port', 'broker',
    'wait-ms', 'box', 'type', 'data', 'id', 'ttl-sec', 'timeout-sec']) options[k] = { type: 'string' };
  for (const k of ['json', 'wait-final', 'follow']) options[k] = { type: 'boolean' };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    const p = parseArgs({ args: rest, allowPositionals: true, strict: true, options });
    parsed = { values: p.values as Record<string, string | boolean | undefined>, positionals: p.positionals };
  } catch (e) {
    err(`fleet-tool ${command}: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const v = parsed.values;
  try {
    const ca = new FleetCa(resolve(req(v.dir, 'dir')));
    if (command !== 'init' && !ca.initialised) throw new Error(`${ca.dir} holds no fleet CA; run fleet-tool init --dir ${ca.dir} first`);
    switch (command) {
      case 'init': {
        await ca.init({
          ...(typeof v.name === 'string' ? { name: v.name } : {}),
          serverNames: typeof v['server-names'] === 'string' ? v['server-names'].split(',').map((s) => s.trim()).filter(Boolean) : [],
          brokerUrl: typeof v['broker-url'] === 'string' ? v['broker-url'] : null,
          fleetUrl: typeof v['fleet-url'] === 'string' ? v['fleet-url'] : null,
        });
        const sha = certSha256(await ca.caPem());
        out(v.json ? JSON.stringify({ dir: ca.dir, caSha256: sha }) : `fleet CA created in ${ca.dir}\nCA SHA-256: ${sha}`);
        return 0;
      }
      case 'token': {
        const cfg = await ca.config();
        const fleetUrl = typeof v['fleet-url'] === 'string' ? v['fleet-url'] : cfg.fleetUrl;
        if (!fleetUrl) throw new Usage('--fleet-url is required (or set it with init --fleet-url)');
        const { token, expiresAt } = await ca.createToken({ ttlMs: num(v['ttl-hours'], 'ttl-hours', 168) * 3_600_000, ...(typeof v.note === 'string' ? { note: v.note } : {}) });
        const doc = { fleetUrl, claimToken: token, caSha256: certSha256(await ca.caPem()), ...(typeof v.timezone === 'string' ? { time: { timezone: v.timezone } } : {}) };
        if (typeof v.out === 'string') await writeFile(v.out, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
        out(v.json ? JSON.stringify({ ...doc, expiresAt, file: typeof v.out === 'string' ? resolve(v.out) : null }) : typeof v.out === 'string'
          ? `claim token written to ${v.out} (valid until ${expiresAt}); copy it to the box's boot partition as provision.json`
          : JSON.stringify(doc, null, 2));
        return 0;
      }
      case 'claim': {
        const code = parsed.positionals[0];
        if (!code) throw new Usage('give the claim code shown by the box');
        out(`claim code ${await ca.approveClaim(code)} approved; the box can now enrol with it once`);
        return 0;
      }
      case 'sign': {
        const file = parsed.positionals[0];
        if (!file) throw new Usage('give the certificate request file');
        const signed = await ca.signCsr(await readFile(file, 'utf8'));
        if (typeof v.out === 'string') await writeFile(v.out, signed.certificate);
        else out(signed.certificate.trimEnd());
        err(`signed for ${signed.boxId}, serial ${signed.serial}, valid until ${signed.notAfter}`);
        return 0;
      }
      case 'serve': {
        const server = new EnrolServer({
          ca, host: typeof v.host === 'string' ? v.host : '127.0.0.1', port: num(v.port, 'port', 8443),
          ...(typeof v['broker-url'] === 'string' ? { brokerUrl: v['broker-url'] } : {}),
          onEnrolled: (boxId) => out(JSON.stringify({ enrolled: boxId, at: new Date().toISOString() })),
          onRefused: (reason) => out(JSON.stringify({ refused: reason, at: new Date().toISOString() })),
        });
        await server.start();
        out(JSON.stringify({ listening: `https://${typeof v.host === 'string' ? v.host : '127.0.0.1'}:${server.port}` }));
        await new Promise<void>((r) => { process.once('SIGTERM', r); process.once('SIGINT', r); });
        await server.stop();
        return 0;
      }
      case 'boxes': {
        const boxes = await listBoxes(await broker(ca, v.broker), num(v['wait-ms'], 'wait-ms', 1000));
        if (v.json) out(JSON.stringify(boxes));
        else if (boxes.length === 0) out('no box has a status on this broker');
        else for (const b of boxes) out(`${b.boxId.padEnd(20)} ${b.online ? 'online ' : 'offline'} version ${b.version ?? '?'} config ${b.configVersion ?? '-'} ${b.connectedAt ?? ''}`);
        return 0;
      }
      case 'send': {
        let data: unknown = {};
        if (typeof v.data === 'string') {
          try { data = JSON.parse(v.data); } catch { throw new Usage('--data must be JSON'); }
        }
        const reply = await sendCommand(await broker(ca, v.broker), req(v.box, 'box'), req(v.type, 'type'), data, {
          ...(typeof v.id === 'string' ? { id: v.id } : {}),
          ttlMs: num(v['ttl-sec'], 'ttl-sec', 3600) * 1000,
          timeoutMs: num(v['timeout-sec'], 'timeout-sec', 30) * 1000,
          waitFinal: v['wait-final'] === true,
          ...(v.json ? {} : { onMessage: (r) => { if (r.status === 'ok') err(`… ${JSON.stringify(r.data)}`); } }),
        }).catch((e: Error) => { err(`fleet-tool send: ${e.message}`); return null; });
        if (!reply) return 3;
        out(v.json ? JSON.stringify(reply) : `${reply.status}${reply.error ? `: ${reply.error}` : ''}\n${JSON.stringify(reply.data, null, 2)}`);
        return reply.status === 'ok' ? 0 : 1;
      }
      case 'heads': {
        const known = await ca.auditHeads();
        const stop = v.follow ? new Promise<void>((r) => { process.once('SIGTERM', () => r()); process.once('SIGINT', () => r()); }) : undefined;
        await collectAuditHeads(await broker(ca, v.broker), {
          clientId: 'fleet-tool-audit-heads', known: (box) => known[box]?.seq ?? 0,
          onHead: async (h) => {
            await ca.keepAuditHead(h);
            known[h.boxId] = { seq: h.seq, hash: h.hash, at: h.at, receivedAt: new Date().toISOString() };
            if (v.follow) out(JSON.stringify({ boxId: h.boxId, seq: h.seq, hash: h.hash, at: h.at }));
          },
          waitMs: num(v['wait-ms'], 'wait-ms', 2000), ...(stop ? { until: stop } : {}),
        });
        if (v.follow) return 0;
        const heads = await ca.auditHeads();
        if (typeof v.box === 'string') {
          const h = heads[v.box];
          if (!h) throw new Error(`no audit head from ${v.box} yet (its box publishes one at start and every 15 minutes when the log moved)`);
          out(JSON.stringify({ seq: h.seq, hash: h.hash, at: h.at, receivedAt: h.receivedAt }));
          return 0;
        }
        if (v.json) out(JSON.stringify(heads));
        else if (Object.keys(heads).length === 0) out('no audit head collected yet');
        else for (const [box, h] of Object.entries(heads)) out(`${box.padEnd(20)} entry ${h.seq} ${h.hash.slice(0, 16)}… received ${h.receivedAt}`);
        return 0;
      }
      case 'mosquitto-conf': {
        out([`listener ${num(v.port, 'port', 8883)}${typeof v.host === 'string' ? ` ${v.host}` : ''}`, `cafile ${ca.path('ca.crt')}`, `certfile ${ca.path('server.crt')}`, `keyfile ${ca.path('server.key')}`,
          'require_certificate true', 'use_identity_as_username true', `acl_file ${join(ca.dir, 'mosquitto.acl')}`].join('\n'));
        await writeFile(join(ca.dir, 'mosquitto.acl'), MOSQUITTO_ACL);
        return 0;
      }
      default:
        throw new Usage(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof Usage) {
      err(`fleet-tool ${command}: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    err(`fleet-tool ${command}: ${(e as Error).message}`);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await fleetTool(process.argv.slice(2));
}
