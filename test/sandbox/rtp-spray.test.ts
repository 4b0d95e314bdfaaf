// Issue 18, must-show 1: a host on the LAN (here 127.0.0.2, a separate process) sprays RTP audio and
// RFC 4733 key presses ("2" = opt out, "1" = confirm) over the box's whole RTP port range, RTP and
// RTCP ports alike, all through a sandbox campaign. No session latches to it, no key is taken from
// it, every contact ends as in the same campaign without the spray (same sandbox seed), and the
// box's drop counter (/api/health media.rtpDroppedForeign) shows the sprayed packets.
import test from 'ava';
import { parse as parseCsv } from 'csv-parse/sync';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MediaSession } from '../../media/rtp/session-types.ts';
import type { EmbeddedEngine } from '../../sip/embedded/engine.ts';
import { startTestBox } from '../support/appliance.ts';

const SEED = 18;
const CONTACTS = 40;
// people who listen or press keys, and calls that never answer: every outcome the spray could turn
const MIX = 'listener=35,presser=45,busy=8,invalid=4,no-answer=8';

/** The attacker: its own process, its own address; sweeps every port of the range every `everyMs`. */
const SPRAYER = `
const dgram = require('node:dgram');
const [min, max, everyMs] = process.argv.slice(1).map(Number);
const s = dgram.createSocket('udp4');
let sent = 0, sweep = 0;
const pkt = (pt, len) => { const b = Buffer.alloc(12 + len); b[0] = 0x80; b[1] = pt; return b; };
s.bind(0, '127.0.0.2', () => {
  const timer = setInterval(() => {
    sweep++;
    for (let port = min; port <= max; port++) {
      // an RFC 4733 key press, a new event every sweep (2 = opt out, 1 = confirm) ...
      const ev = pkt(0x80 | 101, 4);
      ev.writeUInt16BE(sweep & 0xffff, 2); ev.writeUInt32BE(sweep * 1600, 4); ev.writeUInt32BE(0xa77ac4 + port, 8);
      ev[12] = sweep % 2 ? 2 : 1; ev[13] = 0x80 | 10; ev.writeUInt16BE(800, 14);
      // ... and loud PCMU audio
      const audio = pkt(0, 160).fill(0x11, 12);
      audio.writeUInt16BE((sweep + 0x8000) & 0xffff, 2); audio.writeUInt32BE(sweep * 160, 4); audio.writeUInt32BE(0xa77ac4 + port, 8);
      s.send(ev, port, '127.0.0.1'); s.send(audio, port, '127.0.0.1'); sent += 2;
    }
  }, everyMs);
  process.stdin.on('data', () => { clearInterval(timer); setTimeout(() => { process.stdout.write(String(sent)); s.close(); }, 100); });
});
`;

interface Run {
  outcomes: Map<string, string>;
  dropped: number;
  sprayed: number;
  latchedTo: string[];
  sessions: number;
}

async function runCampaign(spray: boolean): Promise<Run> {
  const box = await startTestBox({ sandbox: { seed: SEED, timeScale: 0.1, mix: MIX } });
  try {
    const media = (box.app.engine as EmbeddedEngine).internals!.media;
    // Every address any of the box's sessions sent to or latched to, seen from the sessions themselves.
    const latchedTo = new Set<string>();
    let sessions = 0;
    const create = media.createSession.bind(media);
    media.createSession = async (o) => {
      const s: MediaSession = await create(o);
      sessions++;
      s.on('latched', (l) => latchedTo.add(l.address));
      s.on('close', () => { const st = s.stats(); if (st.remoteAddress) latchedTo.add(st.remoteAddress); });
      return s;
    };
    const rows = ['phone', ...Array.from({ length: CONTACTS }, (_, i) => `+3361${String(3000000 + i * 41).padStart(7, '0')}`)].join('\n');
    const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=contacts.csv', Buffer.from(rows));
    if (up.status !== 200) throw new Error(up.text);
    const imp = await box.api.send<{ accepted: number; list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'spray', country: 'FR' });
    if (imp.status !== 201 || imp.body.accepted !== CONTACTS) throw new Error(imp.text);
    const dir = mkdtempSync(join(tmpdir(), 'vba-spray-msg-'));
    const wav = join(dir, 'message.wav');
    // 4 s: a person starts listening after saying hello; a shorter message could end before, and a
    // presser who heard nothing presses nothing (a difference between runs that is not the spray's)
    execFileSync('sox', ['-n', '-r', '8000', '-c', '1', wav, 'synth', '4', 'sine', '300-900', 'vol', '0.5']);
    const rec = await box.api.send<{ id: string }>('POST', '/api/recordings?name=Msg&filename=message.wav', readFileSync(wav));
    rmSync(dir, { recursive: true, force: true });
    if (rec.status !== 201) throw new Error(rec.text);
    const created = await box.api.send<{ id: number }>('POST', '/api/campaigns', {
      name: spray ? 'under spray' : 'quiet', listId: imp.body.list.id,
      config: {
        message: rec.body.id, callerId: '+33123456789', trunks: ['sandbox'],
        schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] },
        maxConcurrent: 20, cps: 20, ringTimeoutMs: 5000, maxAttempts: 1,
      },
    });
    if (created.status !== 201) throw new Error(created.text);
    const { rtpPortMin, rtpPortMax } = box.app.settingsStore.get().media;
    const sprayer = spray ? spawn(process.execPath, ['-e', SPRAYER, String(rtpPortMin), String(rtpPortMax), '50'], { stdio: ['pipe', 'pipe', 'inherit'] }) : null;
    let sprayed = '';
    sprayer?.stdout?.on('data', (d: Buffer) => { sprayed += d.toString(); });
    const sprayerDone = sprayer ? new Promise<void>((r) => sprayer.once('exit', () => r())) : Promise.resolve();
    try {
      if (sprayer) await new Promise((r) => setTimeout(r, 300)); // sweeping before the first INVITE
      const started = await box.api.send('POST', `/api/campaigns/${created.body.id}/start`);
      if (started.status !== 200) throw new Error(started.text);
      let status = 'running';
      const until = Date.now() + 180_000; // a cap for a stuck campaign, not a speed target
      while (Date.now() < until && status !== 'completed') {
        await new Promise((r) => setTimeout(r, 500));
        status = (await box.api.get<{ status: string }>(`/api/campaigns/${created.body.id}`)).body.status;
      }
      if (status !== 'completed') throw new Error(`campaign ${status} after 180 s`);
    } finally {
      sprayer?.stdin?.end('stop\n');
      await sprayerDone;
    }
    const [header, ...results] = parseCsv((await box.api.get(`/api/campaigns/${created.body.id}/export.csv?lang=en`)).text.replace(/^\uFEFF/, '')) as string[][];
    const col = (name: string): number => {
      const i = header!.indexOf(name);
      if (i < 0) throw new Error(`no column "${name}" in the export: ${header!.join(' | ')}`);
      return i;
    };
    const [number, outcome, sip, keys] = [col('Number'), col('Final outcome (code)'), col('Last SIP code'), col('Keys pressed')];
    const outcomes = new Map<string, string>();
    // number -> final outcome, last SIP code, keys the box took
    for (const r of results) outcomes.set(r[number]!, [r[outcome], r[sip], r[keys]].join(' '));
    const health = await box.api.get<{ media: { rtpDroppedForeign: number } }>('/api/health');
    return { outcomes, dropped: health.body.media.rtpDroppedForeign, sprayed: Number(sprayed || 0), latchedTo: [...latchedTo], sessions };
  } finally {
    await box.stop();
  }
}

test('RTP sprayed over the whole port range from another host during a sandbox campaign changes nothing, and is counted', async (t) => {
  t.timeout(420_000);
  const quiet = await runCampaign(false);
  const sprayed = await runCampaign(true);
  t.log(`quiet: ${quiet.sessions} sessions, dropped ${quiet.dropped}; sprayed: ${sprayed.sessions} sessions, ${sprayed.sprayed} packets sprayed, dropped ${sprayed.dropped}`);
  t.is(quiet.outcomes.size, CONTACTS);
  const keys = [...quiet.outcomes.values()].filter((o) => /confirmed|opted-out/.test(o)).length;
  t.true(keys > 0, 'the quiet run has key presses (pressers), so the comparison covers them');
  t.deepEqual(sprayed.latchedTo.filter((a) => a !== '127.0.0.1'), [], 'no session sent to or latched to the attacker');
  t.deepEqual(Object.fromEntries(sprayed.outcomes), Object.fromEntries(quiet.outcomes), 'every contact ends as without the spray, with the same keys');
  t.true(sprayed.sprayed > 0);
  t.true(sprayed.dropped > quiet.dropped, 'the drop counter shows the sprayed packets');
  t.true(sprayed.dropped - quiet.dropped <= sprayed.sprayed, 'it counts no more than were sprayed');
});
