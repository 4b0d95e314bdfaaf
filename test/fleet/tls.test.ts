// The agent connects over TLS with a client certificate (what provisioning will give the box),
// and a box without a certificate the broker trusts is refused.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../appliance/store/db.ts';
import { defaultSettings } from '../../appliance/config/defaults.ts';
import { silentLogger } from '../../core/log.ts';
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
  const agentWith = (cert: string, key: string): FleetAgent => {
    const settings = defaultSettings();
    settings.fleet = { enabled: true, url: `mqtts://127.0.0.1:${broker.port}`, boxId: 'box-tls', tls: { ca: p('ca.crt'), cert: p(cert), key: p(key) } };
    const agent = new FleetAgent({ db, settings: () => settings, logger: silentLogger(), boxId: 'box-tls', version: 't', reconnectMs: 200 });
    agents.push(agent);
    return agent;
  };

  const intruder = agentWith('intruder.crt', 'intruder.key');
  await intruder.start();
  await new Promise((r) => setTimeout(r, 1000));
  t.false(intruder.connected, 'a certificate from another CA is refused');
  await intruder.stop();

  const box = agentWith('box.crt', 'box.key');
  await box.start();
  await waitFor(() => box.connected, 10_000, 'the TLS connection');
  t.pass();
});
