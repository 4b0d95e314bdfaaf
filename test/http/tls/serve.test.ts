// Which requests the redirect spares (the box's own loopback) and where it sends the others.
import test from 'ava';
import { isLoopback, redirectHost } from '../../../appliance/http/tls/serve.ts';

test('the box\'s own loopback is 127.0.0.0/8 and ::1, also written as IPv4-mapped IPv6; LAN addresses are not', (t) => {
  for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) t.true(isLoopback(a), a);
  for (const a of ['192.168.1.20', '::ffff:192.168.1.20', 'fd00::2', '10.127.0.1', undefined]) t.false(isLoopback(a), String(a));
});

test('the redirect goes to the host the browser asked for, or to the address it reached when the Host header is not a host', (t) => {
  t.is(redirectHost('box.local:8080', '192.168.1.20'), 'box.local');
  t.is(redirectHost('192.168.1.20:8080', '192.168.1.20'), '192.168.1.20');
  t.is(redirectHost('[fd00::2]:8080', 'fd00::2'), '[fd00::2]');
  t.is(redirectHost('evil.example/@x', '192.168.1.20'), '192.168.1.20');
  t.is(redirectHost(undefined, '::ffff:192.168.1.20'), '192.168.1.20');
  t.is(redirectHost('', 'fd00::2'), '[fd00::2]');
});
