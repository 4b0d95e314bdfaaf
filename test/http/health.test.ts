import test from 'ava';
import { detectTools } from '../../media/prompts/tools.ts';
import { login, printedPassword, startBox } from './helpers.ts';

test('health shows engine, calls, trunks, uptime, version, and says when calls go to the sandbox', async (t) => {
  const clock = { t: 1_700_000_000_000 };
  const box = await startBox({ now: () => clock.t });
  t.teardown(() => box.close());
  const l = await login(box, 'admin', printedPassword(box));
  box.engine.calls = 3;
  box.engine.trunkList = [{ name: 'office', kind: 'sip', health: 'up', registered: true, channelsInUse: 3, channels: 30, lastError: null, lastOptionsRttMs: 12.5 }];
  clock.t += 90_000;
  const res = await box.app.inject({ url: '/api/health', headers: l.headers });
  t.is(res.statusCode, 200);
  t.deepEqual(res.json(), {
    box: 'voice-broadcast-box',
    engine: 'embedded',
    engineServers: null,
    activeCalls: 3,
    media: null,
    trunks: box.engine.trunkList,
    uptimeSec: 90,
    version: '0.1.0',
    onSandbox: false,
    time: new Date(clock.t).toISOString(),
    clock: { synchronized: null, required: false, detail: 'not monitored' },
    // Each audio tool, present or not on this machine, with its package (test/web-ui/bare-machine.test.ts hides them).
    tools: detectTools(process.env.PATH),
    tls: { enabled: false },
  });
  box.engine.trunkList.push({ name: 'sandbox', kind: 'sandbox', health: 'up', registered: null, channelsInUse: 0, channels: 100, lastError: null, lastOptionsRttMs: null });
  const sandbox = await box.app.inject({ url: '/api/health', headers: l.headers });
  t.true((sandbox.json() as { onSandbox: boolean }).onSandbox);
  // The production engine says which of its servers is connected.
  Object.assign(box.engine, { servers: () => ({ drachtio: true, freeswitch: false, sipHostport: '127.0.0.1:5060', drachtioVersion: 'v0.9.10' }) });
  const prod = await box.app.inject({ url: '/api/health', headers: l.headers });
  t.deepEqual((prod.json() as { engineServers: unknown }).engineServers, { drachtio: true, freeswitch: false });
  // The embedded engine counts RTP dropped for coming from where no far end declared its media.
  Object.assign(box.engine, { mediaStats: () => ({ rtpSessions: 2, rtpDroppedForeign: 1234 }) });
  const media = await box.app.inject({ url: '/api/health', headers: l.headers });
  t.deepEqual((media.json() as { media: unknown }).media, { rtpSessions: 2, rtpDroppedForeign: 1234 });
});
