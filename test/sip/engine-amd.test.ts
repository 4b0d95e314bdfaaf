// Answering-machine detection through the embedded engine: sipp plays what the callee "says"
// (espeak-ng speech in a generated pcap). A recorded greeting ending in a beep gives 'amd' machine
// then 'beep' after the tone; a short "Hello?" gives 'amd' human and no beep.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeG711 } from '../../media/dsp/g711.ts';
import { readPcm8k } from '../peers/audio.ts';
import { pcapFile, type RtpPacket } from '../peers/pcap.ts';
import { freePort, startSippUas } from '../peers/sipp.ts';
import { loopbackEngine } from '../support/engine.ts';

function speech(dir: string, text: string): Int16Array {
  const wav = path.join(dir, `say-${text.length}.wav`);
  execFileSync('espeak-ng', ['-w', wav, text]);
  return readPcm8k(wav);
}

function join(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

const silence = (ms: number): Int16Array => new Int16Array(ms * 8);

function pcapOf(pcm: Int16Array): Buffer {
  const bytes = encodeG711('pcmu', pcm);
  const packets: RtpPacket[] = [];
  for (let i = 0; i * 160 < bytes.length; i++) {
    const payload = Buffer.alloc(160, 0xff);
    bytes.copy(payload, 0, i * 160, Math.min(bytes.length, i * 160 + 160));
    packets.push({ payloadType: 0, marker: i === 0, sequence: 100 + i, timestamp: 1000 + i * 160, payload, atUs: i * 20_000 });
  }
  return pcapFile(packets);
}

async function callWith(t: import('ava').ExecutionContext, audio: Int16Array) {
  const sipp = await startSippUas({ scenario: 'uas-play-pcap.xml', calls: 1, timeoutSec: 40, files: { 'stream.pcap': pcapOf(audio) }, args: ['-mi', '127.0.0.1', '-mp', String(await freePort())] });
  t.teardown(() => sipp.stop(0).then(() => {}));
  const engine = await loopbackEngine(t);
  return engine.dial({ to: `sip:callee@127.0.0.1:${sipp.port}`, from: 'test', ringTimeoutMs: 10_000, amd: true });
}

test('a recorded greeting is a machine, and the beep is reported after the tone', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vba-amd-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const greeting = speech(dir, 'Hello, you have reached the office of Doctor Smith. We are not available right now, please leave your name and number after the tone.');
  const beep = new Int16Array(8 * 400).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));
  const beepEndMs = 300 + greeting.length / 8 + 600 + 400;
  const call = await callWith(t, join(silence(300), greeting, silence(600), beep, silence(3000)));
  const verdict = await new Promise<{ verdict: string; ms: number }>((r) => call.once('amd', r));
  t.is(verdict.verdict, 'machine');
  const heard = await new Promise<{ ms: number }>((r) => call.once('beep', r));
  t.true(Math.abs(heard.ms - beepEndMs) <= 200, `beep reported at ${heard.ms} ms, tone ended at ${beepEndMs} ms`);
  await call.hangup();
});

test('a short "Hello?" then silence is a person, with no beep', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vba-amd-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const call = await callWith(t, join(silence(400), speech(dir, 'Hello?'), silence(4000)));
  let beeps = 0;
  call.on('beep', () => beeps++);
  const verdict = await new Promise<{ verdict: string; ms: number }>((r) => call.once('amd', r));
  t.is(verdict.verdict, 'human');
  t.true(verdict.ms < 3000, `decided after ${verdict.ms} ms`);
  await new Promise((r) => setTimeout(r, 500));
  t.is(beeps, 0);
  await call.hangup();
});
