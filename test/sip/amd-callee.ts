// The far end of the answering-machine tests (both engines): what it "says", built as a pcap for sipp's
// uas-play-pcap.xml (espeak-ng speech, silences, a beep; PCMU in 20 ms packets), and what a call that
// hears it must report.
import type { ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Call } from '../../core/call-port.ts';
import { encodeG711 } from '../../media/dsp/g711.ts';
import { readPcm8k } from '../peers/audio.ts';
import { pcapFile, type RtpPacket } from '../peers/pcap.ts';

const GREETING = 'Hello, you have reached the office of Doctor Smith. We are not available right now, please leave your name and number after the tone.';

/** A folder removed when the test ends. */
export function tempDir(t: ExecutionContext, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function speech(dir: string, text: string): Int16Array {
  const wav = path.join(dir, `say-${text.length}.wav`);
  execFileSync('espeak-ng', ['-w', wav, text]);
  return readPcm8k(wav);
}

const silence = (ms: number): Int16Array => new Int16Array(ms * 8);

/** The answering machine's beep: 1 kHz, loud. */
const beep = (ms: number): Int16Array => new Int16Array(8 * ms).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));

function join(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export function pcapOf(pcm: Int16Array): Buffer {
  const bytes = encodeG711('pcmu', pcm);
  const packets: RtpPacket[] = [];
  for (let i = 0; i * 160 < bytes.length; i++) {
    const payload = Buffer.alloc(160, 0xff);
    bytes.copy(payload, 0, i * 160, Math.min(bytes.length, i * 160 + 160));
    packets.push({ payloadType: 0, marker: i === 0, sequence: 100 + i, timestamp: 1000 + i * 160, payload, atUs: i * 20_000 });
  }
  return pcapFile(packets);
}

/** A person: a short "Hello?" after 400 ms, then silence. */
export function personHello(t: ExecutionContext): Int16Array {
  return join(silence(400), speech(tempDir(t, 'vba-amd-'), 'Hello?'), silence(4000));
}

/** A machine: a recorded greeting, then its beep; beepEndMs counts from the answer. */
export function machineGreeting(t: ExecutionContext): { audio: Int16Array; beepEndMs: number } {
  const greeting = speech(tempDir(t, 'vba-amd-'), GREETING);
  return { audio: join(silence(300), greeting, silence(600), beep(400), silence(3000)), beepEndMs: 300 + greeting.length / 8 + 600 + 400 };
}

/** Call right after dial(): 'amd' says human within 3 s, and no 'beep' comes in the half second after. */
export async function expectPerson(t: ExecutionContext, call: Call): Promise<void> {
  let beeps = 0;
  call.on('beep', () => beeps++);
  const verdict = await new Promise<{ verdict: string; ms: number }>((r) => call.once('amd', r));
  t.is(verdict.verdict, 'human');
  t.true(verdict.ms < 3000, `decided after ${verdict.ms} ms`);
  await new Promise((r) => setTimeout(r, 500));
  t.is(beeps, 0);
}

/** Call right after dial(): 'amd' says machine, then 'beep' within toleranceMs of the tone's end. */
export async function expectMachineBeep(t: ExecutionContext, call: Call, beepEndMs: number, toleranceMs: number): Promise<void> {
  // Both listeners first: an engine may emit 'beep' in the same turn as 'amd'.
  const verdict = new Promise<{ verdict: string }>((r) => call.once('amd', r));
  const heard = new Promise<{ ms: number }>((r) => call.once('beep', r));
  t.is((await verdict).verdict, 'machine');
  const { ms } = await heard;
  t.true(Math.abs(ms - beepEndMs) <= toleranceMs, `beep reported at ${ms} ms, tone ended at ${beepEndMs} ms`);
}
