// The agent connects over TLS with a client certificate (what provisioning will give the box),
// and a box without a certificate the broker trusts is refused.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { openStore } from '../../appliance/store/db.ts';
import { defaultSettings } from '../../appliance/config/defaults.ts';
import { FleetAgent } from '../../appliance/fleet/agent.ts';
import { Mosquitto, waitFor } from './mosquitto.ts';

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A CA, a server certificate for 127.0.0.1, and client certificates signed by it (and by a stranger). */
function makePki(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(dir, 'req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=test fleet CA', '-days', '2');
  openssl(dir, 'req', '-x509', ...ec, '-keyout', 'other-ca.key', '-out', 'other-ca.crt', '-subj', '/CN=someone else', '-days', '2');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  const issue = (name: string, cn: string, ca: string, ext: string): void => {
    openssl(dir, 'req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', ext);
  };
  issue('server', '127.0.0.1', 'ca', 'server.ext');
  issue('box', 'box-tls', 'ca', 'client.ext');
  issue('intruder', 'box-tls', 'other-ca', 'client.ext');
}

test('the agent connects over TLS with its client certificate; an untrusted certificate is refused', async (t) => {
  t.timeout(30_000);
  const pki = mkdtempSync(join(tmpdir(), 'fleet-pki-'));
  makePki(pki);
  const p = (f: string): string => join(pki, f);
  const broker = await Mosquitto.create({ tls: { ca: p('ca.crt'), cert: p('server.crt'), key: p('server.key') } });
  const dataDir = mkdtempSync(join(tmpdir(), 'fleet-tls-'));
  const db = openStore({ dir: dataDir });
  const agents: FleetAgent[] = [];
  t.teardown(async () => {
    for (const a of agents) await a.stop();
    db.close();
    await broker.dispose();
    rmSync(pki, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });
  /** The agent's log lines (what an operator reads), kept to see the broker's answer. */
  const agentWith = (cert: string, key: string): { agent: FleetAgent; log: Array<{ msg: string; err?: string }> } => {
    const settings = defaultSettings();
    settings.fleet = { enabled: true, url: `mqtts://127.0.0.1:${broker.port}`, boxId: 'box-tls', tls: { ca: p('ca.crt'), cert: p(cert), key: p(key) } };
    const log: Array<{ msg: string; err?: string }> = [];
    const sink = new Writable({ write(chunk, _enc, cb) { log.push(JSON.parse(String(chunk)) as { msg: string; err?: string }); cb(); } });
    const agent = new FleetAgent({ db, settings: () => settings, logger: pino({ level: 'debug' }, sink), boxId: 'box-tls', version: 't', reconnectMs: 200 });
    agents.push(agent);
    return { agent, log };
  };

  // Refused: the broker ends the TLS handshake (the agent hears an error), again on every retry, and the
  // agent never gets an MQTT session.
  const intruder = agentWith('intruder.crt', 'intruder.key');
  await intruder.agent.start();
  const refusals = (): string[] => intruder.log.filter((l) => l.err !== undefined && /broker/.test(l.msg)).map((l) => l.err!);
  await waitFor(() => refusals().length >= 2, 10_000, 'the broker to refuse the intruder twice');
  t.regex(refusals()[0]!, /unknown ca/, 'the broker does not know the CA that signed it');
  t.false(intruder.agent.connected, 'a certificate from another CA is refused');
  t.false(intruder.log.some((l) => l.msg === 'fleet broker connected'));
  await intruder.agent.stop();

  const box = agentWith('box.crt', 'box.key');
  await box.agent.start();
  await waitFor(() => box.agent.connected, 10_000, 'the TLS connection');
  t.true(box.log.some((l) => l.msg === 'fleet broker connected'));
});
