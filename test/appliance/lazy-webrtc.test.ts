// Issue 16: a broadcast-only box never loads the WebRTC library. The embedded engine built by main.ts and
// started loads werift only when a browser call makes its first WebRTC leg (werift's own dependency
// tweetnacl, loaded through require, tells whether it was loaded: ava runs each test file in its own process).
import test from 'ava';
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../../appliance/main.ts';
import { silentLogger } from '../../core/log.ts';
import type { Settings } from '../../core/settings-types.ts';
import { rtpRange } from '../peers/ports.ts';

const weriftLoaded = (): boolean => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/tweetnacl/'));

test('the embedded engine starts without loading werift; the WebRTC leg module loads it', async (t) => {
  const rtp = rtpRange(4);
  const settings = {
    engine: 'embedded',
    sip: { bindAddress: '127.0.0.1', port: 0, transports: ['udp'], userAgent: 'vba-test', guard: { action: 'reject', maxRepliesPerSecPerSource: 5 } },
    media: { rtpPortMin: rtp.min, rtpPortMax: rtp.max, ptimeMs: 20, jitterPackets: 3 },
    trunks: [],
    defaultTrunk: null,
  } as unknown as Pick<Settings, 'engine' | 'sip' | 'media' | 'trunks' | 'defaultTrunk' | 'drachtio'>;
  const engine = await createEngine(settings, silentLogger(), mkdtempSync(join(tmpdir(), 'vba-lazy-')));
  await (engine as unknown as { start(): Promise<void> }).start();
  t.teardown(() => engine.close());
  t.false(weriftLoaded(), 'werift is not loaded by a box that has rung no browser');
  await import('../../media/webrtc/leg.ts');
  t.true(weriftLoaded(), 'the WebRTC leg module loads werift (so the check above can see it)');
});
