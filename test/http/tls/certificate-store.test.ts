// The box's own certificate: made once for its names and addresses, remade (same key, so the same SPKI
// hash; a new fingerprint) when they change, kept when they do not; an installed one wins until removed.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkInterfaceInfo } from 'node:os';
import { TlsCertificates } from '../../../appliance/http/tls/certificate-store.ts';
import { makeOwnCertificate, newOwnKey } from '../../../appliance/http/tls/own-certificate.ts';
import { lanNames } from '../../../appliance/http/tls/lan-names.ts';
import { silentLogger } from '../../../core/log.ts';

function iface(address: string, family: 'IPv4' | 'IPv6' = 'IPv4', internal = false): NetworkInterfaceInfo {
  return family === 'IPv4'
    ? { address, family, internal, netmask: '255.255.255.0', mac: '02:00:00:00:00:01', cidr: `${address}/24` }
    : { address, family, internal, netmask: 'ffff:ffff:ffff:ffff::', mac: '02:00:00:00:00:01', cidr: `${address}/64`, scopeid: 0 };
}

test('LAN names: host name and .local, localhost, loopback and every non-internal address but IPv6 link-local', (t) => {
  const n = lanNames({ lo: [iface('127.0.0.1', 'IPv4', true)], eth0: [iface('192.168.1.20'), iface('fd00::20', 'IPv6'), iface('fe80::1', 'IPv6')], wlan0: [iface('10.0.0.5')] }, 'Branch-Box');
  t.deepEqual(n.dns, ['branch-box', 'branch-box.local', 'localhost']);
  t.deepEqual(n.ips, ['10.0.0.5', '127.0.0.1', '192.168.1.20', '::1', 'fd00::20']);
});

test('remade with the same key when the addresses change, kept when they do not; the key file is the owner\'s only', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vba-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let addresses = ['192.168.1.20'];
  const store = new TlsCertificates({ dataDir: dir, logger: silentLogger(), hostname: () => 'box', interfaces: () => ({ eth0: addresses.map((a) => iface(a)) }) });
  const changes: string[] = [];
  store.onChange((c) => changes.push(c.info.fingerprint256));
  const first = await store.start();
  t.is(first.source, 'own');
  t.true(first.info.names.includes('IP Address:192.168.1.20'));
  t.is(statSync(join(dir, 'tls', 'own.json')).mode & 0o777, 0o600);

  t.false(await store.refresh(), 'same names: same certificate');
  addresses = ['192.168.1.20', '10.0.0.5'];
  t.true(await store.refresh(), 'a new address: a new certificate');
  const second = store.current();
  t.true(second.info.names.includes('IP Address:10.0.0.5'));
  t.not(second.info.fingerprint256, first.info.fingerprint256);
  t.is(second.info.spkiSha256, first.info.spkiSha256, 'the key is kept: a pinned SPKI hash stays true');
  t.is(second.key, first.key);
  t.deepEqual(changes, [first.info.fingerprint256, second.info.fingerprint256]);

  // Another start on the same folder finds it and does not remake it.
  const again = new TlsCertificates({ dataDir: dir, logger: silentLogger(), hostname: () => 'box', interfaces: () => ({ eth0: addresses.map((a) => iface(a)) }) });
  t.is((await again.start()).info.fingerprint256, second.info.fingerprint256);

  // An installed certificate wins, also after a restart, until it is removed.
  const key = newOwnKey();
  const cert = await makeOwnCertificate({ keyPem: key, names: lanNames({}, 'office'), boxName: 'IT', now: Date.now() });
  t.is(again.install(cert, key, 'staff:admin').source, 'installed');
  t.is(statSync(join(dir, 'tls', 'installed.json')).mode & 0o777, 0o600);
  const third = new TlsCertificates({ dataDir: dir, logger: silentLogger(), hostname: () => 'box', interfaces: () => ({ eth0: addresses.map((a) => iface(a)) }) });
  t.is((await third.start()).source, 'installed');
  t.is(JSON.parse(readFileSync(join(dir, 'tls', 'installed.json'), 'utf8')).by, 'staff:admin');
  t.deepEqual(third.useOwn(), { removed: true, served: { source: 'own', info: second.info } });
  t.false(third.useOwn().removed);
});
