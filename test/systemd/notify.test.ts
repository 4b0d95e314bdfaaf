// The notify protocol as systemd sees it: the real systemd-notify sends to a unix datagram socket
// bound by the test (fake-notify-socket.py, since Node has no unix datagram sockets), and the box
// itself, run as systemd runs it, says READY, pings the watchdog from its event loop and says STOPPING.
import test from 'ava';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SystemdNotifier, watchdogPeriodMs } from '../../appliance/system/notify.ts';
import { runAppliance } from '../support/processes.ts';
import { rtpRange } from '../peers/ports.ts';
import { requireTool } from '../support/tools.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** The peers of the socket tests: the real systemd-notify, and python3 to bind the socket it sends to. */
function requirePeers(): void {
  requireTool('python3', 'python3');
  requireTool('systemd-notify', 'systemd');
}

interface Received { atMs: number; message: string }

async function fakeNotifySocket(): Promise<{ path: string; messages: Received[]; waitFor: (pred: (m: Received[]) => boolean, ms: number) => Promise<void>; close: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'vba-notify-'));
  const path = join(dir, 'notify.sock');
  const proc: ChildProcess = spawn('python3', [join(here, 'fake-notify-socket.py'), path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const messages: Received[] = [];
  let buf = '';
  let listening: () => void = () => undefined;
  const up = new Promise<void>((r) => { listening = r; });
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = JSON.parse(buf.slice(0, nl)) as Received & { listening?: string };
      buf = buf.slice(nl + 1);
      if (line.listening) listening();
      else if (line.message !== 'BARRIER=1') messages.push(line);
    }
  });
  await up;
  return {
    path,
    messages,
    async waitFor(pred, ms) {
      const until = Date.now() + ms;
      while (!pred(messages)) {
        if (Date.now() > until) throw new Error(`notify socket: timed out; got ${JSON.stringify(messages.map((m) => m.message))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close() {
      proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('READY with a status, then WATCHDOG=1 at half the period, then STOPPING reach the notify socket', async (t) => {
  requirePeers();
  const sock = await fakeNotifySocket();
  t.teardown(() => sock.close());
  const n = new SystemdNotifier({ env: { ...process.env, NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '1200000', WATCHDOG_PID: String(process.pid) } });
  t.true(n.enabled);
  t.is(n.watchdogMs, 1200);
  await n.ready('serving on HTTP port 8080');
  await sock.waitFor((m) => m.filter((x) => x.message === 'WATCHDOG=1').length >= 7, 15_000);
  await n.stopping();
  await n.close();
  const msgs = sock.messages.map((m) => m.message);
  t.is(msgs[0], 'READY=1\nSTATUS=serving on HTTP port 8080');
  t.is(msgs.at(-1), 'STOPPING=1\nSTATUS=stopping: draining calls');
  const pings = sock.messages.filter((m) => m.message === 'WATCHDOG=1').map((m) => m.atMs);
  const gaps = pings.slice(1).map((p, i) => p - pings[i]!);
  t.log(`watchdog ping gaps (ms): ${gaps.map((g) => g.toFixed(0)).join(', ')}`);
  // Every 600 ms (half the period), judged by the median gap. A ping still running when the next is due
  // is not doubled, so a run the machine delays (CI, busy with browsers, once took 2.5 s for one) makes
  // a gap of two or more periods; the mean of a few gaps cannot absorb one, the median can.
  const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!;
  t.true(median > 500 && median < 800, `median ${median} ms; gaps ${JSON.stringify(gaps)}`);
});

// Serial: the busy loop blocks this whole test process, and other tests' timers with it.
test.serial('a blocked event loop stops the watchdog pings (so systemd would restart the box)', async (t) => {
  requirePeers();
  const sock = await fakeNotifySocket();
  t.teardown(() => sock.close());
  const n = new SystemdNotifier({ env: { ...process.env, NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '200000' } });
  n.startWatchdog();
  t.teardown(() => n.stopWatchdog());
  await sock.waitFor((m) => m.length >= 2, 10_000);
  const blockStart = Date.now();
  while (Date.now() - blockStart < 1000) { /* a hung main loop */ }
  const blockEnd = Date.now();
  await sock.waitFor((m) => m.some((x) => x.atMs > blockEnd), 10_000);
  // Pings sent before the hang may still land early in it; none may be *sent* during it.
  const during = sock.messages.filter((m) => m.atMs > blockStart + 150 && m.atMs < blockEnd);
  t.is(during.length, 0, JSON.stringify(during));
});

test('without NOTIFY_SOCKET nothing is sent and systemd-notify is never run', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vba-notify-shim-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const marker = join(dir, 'ran');
  const shim = join(dir, 'systemd-notify');
  writeFileSync(shim, `#!/bin/sh\necho "$@" >> ${marker}\n`);
  chmodSync(shim, 0o755);
  const n = new SystemdNotifier({ env: { PATH: dir, WATCHDOG_USEC: '100000' }, command: shim });
  t.false(n.enabled);
  t.is(n.watchdogMs, null);
  await n.ready('x');
  await n.status('y');
  n.startWatchdog();
  await new Promise((r) => setTimeout(r, 200));
  await n.stopping();
  await n.close();
  t.false(existsSync(marker));
  // The same shim with a socket set is run, with one VARIABLE=VALUE argument per field.
  const on = new SystemdNotifier({ env: { PATH: dir, NOTIFY_SOCKET: '/nonexistent' }, command: shim });
  await on.status('line one\nline two');
  t.is(spawnSync('cat', [marker]).stdout.toString(), 'STATUS=line one line two\n');
});

test('the watchdog belongs to this process only when WATCHDOG_PID names it', (t) => {
  t.is(watchdogPeriodMs({ WATCHDOG_USEC: '30000000' }, 42), 30_000);
  t.is(watchdogPeriodMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42), 30_000);
  t.is(watchdogPeriodMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '41' }, 42), null);
  t.is(watchdogPeriodMs({ WATCHDOG_USEC: 'x' }, 42), null);
  t.is(watchdogPeriodMs({}, 42), null);
});

test('the box run as systemd runs it: READY once serving, watchdog pings, STOPPING on SIGTERM', async (t) => {
  t.timeout(60_000);
  requirePeers();
  const sock = await fakeNotifySocket();
  t.teardown(() => sock.close());
  const data = mkdtempSync(join(tmpdir(), 'vba-notify-box-'));
  t.teardown(() => rmSync(data, { recursive: true, force: true }));
  const rtp = rtpRange(40);
  // WATCHDOG_PID is left out: systemd sets it to the main PID, which the test cannot know in advance.
  const box = runAppliance(['start', '--data', data, '--http-port', '0', '--sip-port', '0'], {
    NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '1000000', APPLIANCE_RTP_PORT_MIN: String(rtp.min), APPLIANCE_RTP_PORT_MAX: String(rtp.max),
  });
  t.teardown(() => { void box.kill('SIGKILL'); });
  await sock.waitFor((m) => m.some((x) => x.message.startsWith('READY=1')), 45_000);
  const ready = sock.messages.find((x) => x.message.startsWith('READY=1'))!;
  t.regex(ready.message, /^READY=1\nSTATUS=serving on HTTP port \d+, engine embedded$/);
  await sock.waitFor((m) => m.filter((x) => x.message === 'WATCHDOG=1').length >= 2, 10_000);
  const code = await box.kill('SIGTERM');
  t.is(code, 0);
  t.truthy(sock.messages.find((x) => x.message.startsWith('STOPPING=1')));
  t.true(sock.messages.findIndex((x) => x.message.startsWith('STOPPING=1')) > sock.messages.indexOf(ready));
});

test('a SIGTERM while the box is still starting is a clean stop once it has started, not a kill', async (t) => {
  t.timeout(60_000);
  const data = mkdtempSync(join(tmpdir(), 'vba-notify-early-'));
  t.teardown(() => rmSync(data, { recursive: true, force: true }));
  const rtp = rtpRange(40);
  const box = runAppliance(['start', '--data', data, '--http-port', '0', '--sip-port', '0'], {
    LOG_LEVEL: 'info', APPLIANCE_RTP_PORT_MIN: String(rtp.min), APPLIANCE_RTP_PORT_MAX: String(rtp.max),
  });
  t.teardown(() => { void box.kill('SIGKILL'); });
  // The sandbox comes up in the middle of the start, before the HTTP server and the dialer.
  await box.waitFor(/calls go to the SANDBOX/, 45_000);
  t.notRegex(box.err(), /"msg":"appliance started"/, 'the signal must arrive during the start');
  const code = await box.kill('SIGTERM');
  t.is(code, 0, `exit ${code} (signal ${box.proc.signalCode}):\n${box.err().slice(-1500)}`);
  const started = box.err().indexOf('"msg":"appliance started"');
  const stopping = box.err().indexOf('"signal":"SIGTERM","msg":"stopping"');
  t.true(started >= 0 && stopping > started, box.err().slice(-1500));
});
