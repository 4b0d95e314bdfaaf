// Digest responses match the published examples of RFC 2617 and RFC 7616; challenges parse.
import test from 'ava';
import { challengeOf, digestAuthorization, DigestClient, type Challenge } from '../../sip/embedded/digest.ts';
import type { SipRequest, SipResponse } from '../../sip/embedded/sip-types.ts';

const rfc7616: Omit<Challenge, 'algorithm'> = {
  realm: 'http-auth@example.org', nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS', qop: ['auth'], stale: false, proxy: false,
};
const input = {
  credentials: { username: 'Mufasa', password: 'Circle of Life' }, method: 'GET', uri: '/dir/index.html', body: '',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ', nc: 1,
};

test('RFC 7616 examples: MD5 and SHA-256 with qop=auth', (t) => {
  t.is(digestAuthorization({ ...input, challenge: { ...rfc7616, algorithm: 'MD5' } }).response, '"8ca523f5e9506fed4657c9700eebdbec"');
  const sha = digestAuthorization({ ...input, challenge: { ...rfc7616, algorithm: 'SHA-256' } });
  t.is(sha.response, '"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"');
  t.like(sha, { username: '"Mufasa"', qop: 'auth', nc: '00000001', algorithm: 'SHA-256', opaque: `"${rfc7616.opaque}"` });
});

test('RFC 2617 example', (t) => {
  const h = digestAuthorization({
    credentials: { username: 'Mufasa', password: 'Circle Of Life' }, method: 'GET', uri: '/dir/index.html', body: '', cnonce: '0a4f113b', nc: 1,
    challenge: { realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', opaque: null, algorithm: 'MD5', qop: ['auth'], stale: false, proxy: false },
  });
  t.is(h.response, '"6629fae49393a05397450978507c4ef1"');
});

function challenge(status: 401 | 407, ...values: string[]): SipResponse {
  const parsed = values.map((v) => {
    const [scheme, ...rest] = v.split(' ');
    const h: Record<string, string> = { scheme: scheme! };
    for (const m of rest.join(' ').matchAll(/(\w+)=("[^"]*"|[^,\s]+)/g)) h[m[1]!] = m[2]!;
    return h;
  });
  return { status, reason: '', headers: status === 401 ? { 'www-authenticate': parsed } : { 'proxy-authenticate': parsed } };
}

test('challenges: SHA-256 preferred, unknown algorithms and schemes skipped, 407 answered by Proxy-Authorization', (t) => {
  const c = challengeOf(challenge(401, 'Digest realm="r", nonce="n1", algorithm=MD5', 'Digest realm="r", nonce="n2", algorithm=SHA-256, qop="auth,auth-int"'));
  t.like(c, { algorithm: 'SHA-256', nonce: 'n2', qop: ['auth', 'auth-int'], proxy: false });
  t.is(challengeOf(challenge(401, 'Basic realm="r"', 'Digest realm="r", nonce="n", algorithm=SHA-512-256')), null);

  const client = new DigestClient({ username: 'u', password: 'p' });
  t.true(client.accept(challenge(407, 'Digest realm="pbx", nonce="abc"')));
  const rq: SipRequest = { method: 'INVITE', uri: 'sip:1@pbx', headers: {} };
  client.sign(rq);
  t.is(rq.headers.authorization, undefined);
  t.is(rq.headers['proxy-authorization']?.[0]?.qop, undefined, 'no qop offered: RFC 2069 style response');
  client.sign(rq);
  t.regex(rq.headers['proxy-authorization']?.[0]?.response ?? '', /^"[0-9a-f]{32}"$/);
});
