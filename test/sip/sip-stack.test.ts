// The SIP stack wrapper: several stacks per process on ephemeral ports, TLS, a taken port refused
// with a clear error (not a crash), outbound-only answers to inbound requests.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAppError } from '../../core/errors.ts';
import { silentLogger } from '../../core/log.ts';
import type { Transport } from '../../core/settings-types.ts';
import { SipStack } from '../../sip/embedded/sip-stack.ts';
import type { SipRequest } from '../../sip/embedded/sip-types.ts';
import { UserAgent } from '../../sip/embedded/user-agent.ts';

function stack(o: { transports?: Transport[]; tls?: { cert: string; key: string; rejectUnauthorized?: boolean }; port?: number } = {}): SipStack {
  return new SipStack({ bindAddress: '127.0.0.1', port: o.port ?? 0, transports: o.transports ?? ['udp', 'tcp'], tls: o.tls, userAgent: 'vba-test', logger: silentLogger() });
}

function request(method: string, uri: string, callId: string): SipRequest {
  return {
    method, uri,
    headers: { to: { uri: 'sip:x@127.0.0.1', params: {} }, from: { uri: 'sip:a@127.0.0.1', params: { tag: `t-${callId}` } }, 'call-id': callId, cseq: { seq: 1, method } },
  };
}

function finalStatus(s: SipStack, rq: SipRequest): Promise<number> {
  return new Promise((resolve) => s.send(rq, (rs) => { if (rs.status >= 200) resolve(rs.status); }));
}

test('two stacks in one process on ephemeral ports are independent; an inbound INVITE is refused', async (t) => {
  const a = stack();
  const b = stack();
  await a.start();
  await b.start();
  t.teardown(async () => { await a.stop(); await b.stop(); });
  t.not(a.port, b.port);
  t.true(a.port > 0 && b.port > 0);
  const ua = new UserAgent({ stack: b, logger: silentLogger() });
  ua.start();
  t.teardown(() => ua.stop());
  t.is(await finalStatus(a, request('OPTIONS', `sip:ping@127.0.0.1:${b.port}`, 'o1')), 200);
  t.is(await finalStatus(a, request('OPTIONS', `sip:ping@127.0.0.1:${b.port};transport=tcp`, 'o2')), 200);
  t.is(await finalStatus(a, request('INVITE', `sip:x@127.0.0.1:${b.port}`, 'i1')), 403);
  t.is(await finalStatus(a, request('MESSAGE', `sip:x@127.0.0.1:${b.port}`, 'm1')), 405);
  t.deepEqual(ua.stats(), { activeCalls: 0, refusedInvites: 1, refusedOther: 1 });
});

test('TLS: requests and responses over a TLS connection', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vba-tls-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  const tls = { cert, key, rejectUnauthorized: false };
  const a = stack({ transports: ['udp', 'tls'], tls });
  const b = stack({ transports: ['udp', 'tls'], tls });
  await a.start();
  await b.start();
  t.teardown(async () => { await a.stop(); await b.stop(); });
  t.truthy(b.tlsPort);
  const ua = new UserAgent({ stack: b, logger: silentLogger() });
  ua.start();
  t.teardown(() => ua.stop());
  t.is(await finalStatus(a, request('OPTIONS', `sip:ping@127.0.0.1:${b.tlsPort};transport=tls`, 'tls1')), 200);
  t.is(a.contactUri('u', { host: '127.0.0.1', transport: 'tls' }), `sip:u@127.0.0.1:${a.tlsPort};transport=tls`);
});

test('a SIP port already taken is a clear AppError, not a crash', async (t) => {
  const squatter = dgram.createSocket('udp4');
  await new Promise<void>((r) => squatter.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => squatter.close());
  const s = stack({ port: squatter.address().port });
  const e = await t.throwsAsync(s.start());
  t.true(isAppError(e) && e.code === 'E_SIP_TRANSPORT', String(e));
  await s.stop();
});

test('a request to a port where nobody listens over TCP fails fast as a local 503', async (t) => {
  const s = stack();
  await s.start();
  t.teardown(() => s.stop());
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
  const dead = probe.address().port;
  probe.close();
  const started = Date.now();
  const rq = request('OPTIONS', `sip:x@127.0.0.1:${dead};transport=tcp`, 'dead');
  const rs = await new Promise<{ status: number; local: boolean }>((resolve) => s.send(rq, (r) => { if (r.status >= 200) resolve({ status: r.status, local: s.isLocal(r) }); }));
  t.deepEqual(rs, { status: 503, local: true });
  t.true(Date.now() - started < 3000);
});
