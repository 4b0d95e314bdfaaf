// Issue 18, point 8: a flood of refused SIP requests, from a trunk's own address as from a stranger,
// makes a bounded number of log lines that carry the counts, not one line per request.
import test from 'ava';
import dgram from 'node:dgram';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../core/log.ts';
import { RefusalLog } from '../../sip/shared/refusal-log.ts';
import { EmbeddedEngine } from '../../sip/embedded/engine.ts';
import { loopbackTrunk } from '../support/engine.ts';
import { rtpRange } from '../peers/ports.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function capturingLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const out: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { out.push(String(chunk)); cb(); } });
  return { logger: pino({ level: 'info' }, stream), lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const refusalLines = (lines: Array<Record<string, unknown>>) => lines.filter((l) => /^refused /.test(String(l.msg)));

test('unit: once per source per interval, a summary with the count when it ends; spoofed sources beyond the cap are summed', async (t) => {
  const { logger, lines } = capturingLogger();
  const log = new RefusalLog({ logger, intervalMs: 200, maxSources: 3 });
  for (let i = 0; i < 1000; i++) log.note('192.0.2.1', { method: i % 2 ? 'INVITE' : 'OPTIONS', reason: 'outbound-only', status: 403 });
  log.note('192.0.2.2', { method: 'REGISTER', reason: 'not-a-trunk', status: null });
  // a spoofing flood: 5,000 sources of one request each
  for (let i = 0; i < 5000; i++) log.note(`10.${i >> 8}.${i & 255}.1`, { method: 'INVITE', reason: 'not-a-trunk', status: null });
  t.is(refusalLines(lines()).length, 4, 'three sources one by one, then one line saying the rest are summed');
  await sleep(350); // the interval ends on its own
  const all = refusalLines(lines());
  t.is(all.length, 6);
  t.like(all[4], { source: '192.0.2.1', refused: 1000, methods: { INVITE: 500, OPTIONS: 500 } });
  t.like(all[5], { refused: 4999 }, 'one of the spoofed sources had the third one-by-one slot');
  t.false(all.some((l) => l.source === '192.0.2.2' && l.refused !== undefined), 'a single refusal needs no summary');
  // the next interval starts afresh: the source is logged again, once
  log.note('192.0.2.1', { method: 'INVITE', reason: 'outbound-only', status: 403 });
  log.note('192.0.2.1', { method: 'INVITE', reason: 'outbound-only', status: 403 });
  t.is(refusalLines(lines()).length, 7);
  log.close();
  t.like(refusalLines(lines())[7], { source: '192.0.2.1', refused: 2 });
  t.is(log.refused, 6003);
});

function invite(i: number, from: string, port: number): Buffer {
  const branch = `z9hG4bK-flood-${from}-${i}`;
  return Buffer.from([
    `INVITE sip:+33612345678@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP ${from}:5999;branch=${branch};rport`,
    'Max-Forwards: 70',
    `From: <sip:flood@${from}>;tag=f${i}`,
    `To: <sip:+33612345678@127.0.0.1>`,
    `Call-ID: flood-${from}-${i}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:flood@${from}:5999>`,
    'Content-Length: 0',
    '', '',
  ].join('\r\n'));
}

test('a flood of INVITEs from the trunk\'s address and from a stranger makes four log lines, with the counts', async (t) => {
  t.timeout(120_000);
  const { logger, lines } = capturingLogger();
  const rtp = rtpRange(10);
  const engine = new EmbeddedEngine({
    settings: {
      sip: { bindAddress: '127.0.0.1', port: 0, transports: ['udp'], userAgent: 'vba-test', guard: { action: 'reject', maxRepliesPerSecPerSource: 5 } },
      media: { rtpPortMin: rtp.min, rtpPortMax: rtp.max, ptimeMs: 20, jitterPackets: 3 },
      trunks: [loopbackTrunk(5999, { allowedSources: ['127.0.0.1'] })],
      defaultTrunk: 'sipp',
    },
    logger,
  });
  await engine.start();
  let closed = false;
  t.teardown(async () => { if (!closed) await engine.close(); });
  const PER_SOURCE = 5000;
  const senders = await Promise.all(['127.0.0.1', '127.0.0.2'].map(async (address) => {
    const s = dgram.createSocket('udp4');
    s.on('message', () => {}); // 403s and their retransmissions
    await new Promise<void>((r) => s.bind(0, address, () => r()));
    return { address, s };
  }));
  t.teardown(() => { for (const { s } of senders) s.close(); });
  for (let i = 0; i < PER_SOURCE; i += 100) {
    for (const { address, s } of senders) for (let j = i; j < i + 100; j++) s.send(invite(j, address, engine.sipPort), engine.sipPort, '127.0.0.1');
    await sleep(5); // a flood, not a kernel-buffer overflow test
  }
  const internals = engine.internals!;
  const counted = () => internals.ua.stats().refusedInvites + internals.guard.stats().blockedRequests;
  let last = -1;
  while (counted() !== last) { last = counted(); await sleep(300); } // until the stack has read them all
  const ua = internals.ua.stats().refusedInvites;
  const guard = internals.guard.stats().blockedRequests;
  t.log(`sent ${2 * PER_SOURCE}; refused ${ua} from the trunk's address (480: nothing takes calls in), ${guard} from the stranger (guard)`);
  // UDP: the kernel drops what the stack cannot read in time; the flood still reaches the engine
  t.true(ua >= 500 && ua <= PER_SOURCE, String(ua));
  t.true(guard >= 500 && guard <= PER_SOURCE, String(guard));
  t.is(refusalLines(lines()).length, 2, 'during the interval: one line per source');
  await engine.close(); // ends the interval: the summaries
  closed = true;
  const got = refusalLines(lines());
  t.is(got.length, 4, got.map((l) => l.msg).join('\n'));
  // The trunk may call in (issue 16), but with nothing in the box taking calls in, it gets 480.
  t.like(got[0], { source: '127.0.0.1', method: 'INVITE', reason: 'no-inbound-handler', status: 480 });
  t.like(got[1], { source: '127.0.0.2', method: 'INVITE', reason: 'not-a-trunk' });
  const summary = (source: string) => got.slice(2).find((l) => l.source === source);
  t.like(summary('127.0.0.1'), { refused: ua, methods: { INVITE: ua } });
  t.like(summary('127.0.0.2'), { refused: guard, methods: { INVITE: guard } });
});
