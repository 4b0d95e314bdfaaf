// A trunk's media sources: the setting's syntax (checked with the settings, errors naming the entry)
// and the address/port matching RTP sessions use before they latch.
import test from 'ava';
import { defaultSettings } from '../../../appliance/config/defaults.ts';
import { trunkDefaults } from '../../../core/trunk-defaults.ts';
import { canonicalIp, parseMediaSource } from '../../../core/media-sources.ts';
import { checkSettings } from '../../../appliance/config/settings.ts';
import { MediaSourceSet } from '../../../media/rtp/source-filter.ts';

test('unit: entries are addresses or CIDRs with an optional port or port range; IPv6 with ports in brackets', (t) => {
  t.like(parseMediaSource('203.0.113.7'), { address: '203.0.113.7', prefix: 32, family: 'ipv4', portMin: 1, portMax: 65535 });
  t.like(parseMediaSource(' 203.0.113.0/24:16384-32767 '), { prefix: 24, portMin: 16384, portMax: 32767 });
  t.like(parseMediaSource('203.0.113.9:5004'), { portMin: 5004, portMax: 5004 });
  t.like(parseMediaSource('2001:DB8:0::1'), { address: '2001:db8::1', family: 'ipv6', prefix: 128 });
  t.like(parseMediaSource('[2001:db8::/32]:10000-20000'), { address: '2001:db8::', prefix: 32, portMin: 10000, portMax: 20000 });
  for (const bad of ['media.example.net', '203.0.113.0/33', '203.0.113.1:0', '203.0.113.1:20000-10000', '203.0.113.1:1-70000', '2001:db8::/129', '1.2.3.4/x']) {
    t.is(typeof parseMediaSource(bad), 'string', bad);
  }
  t.is(canonicalIp('::ffff:192.0.2.1'), '192.0.2.1');
  t.is(canonicalIp('not-an-ip'), null);
});

test('unit: a set matches address range and port range together, IPv4-mapped sources too', (t) => {
  const set = MediaSourceSet.fromSettings(['198.51.100.0/24:16384-32767', '2001:db8::/32', 'nonsense'], (entry) => t.is(entry, 'nonsense'));
  t.true(set.has('198.51.100.77', 20000));
  t.true(set.has('::ffff:198.51.100.77', 20000));
  t.false(set.has('198.51.100.77', 5060), 'outside the port range');
  t.false(set.has('198.51.101.1', 20000), 'outside the address range');
  t.true(set.has('2001:db8:1::5', 5004));
  t.false(set.has('2001:db9::5', 5004));
  t.true(MediaSourceSet.fromSettings(undefined).empty);
  t.false(MediaSourceSet.EMPTY.has('127.0.0.1', 5004));
});

test('a bad media source in the settings is refused with its key', (t) => {
  const s = defaultSettings();
  s.trunks = [trunkDefaults({ name: 'office', host: '192.0.2.10', mediaSources: ['192.0.2.0/24', 'sbc.example.net'] })];
  const errors = checkSettings(s);
  t.is(errors.length, 1);
  t.is(errors[0]!.key, 'trunks.0.mediaSources.1');
  t.regex(errors[0]!.message, /sbc\.example\.net.*not an IP address/);
  s.trunks[0]!.mediaSources = ['192.0.2.0/24:16384-32767'];
  t.deepEqual(checkSettings(s), []);
});
