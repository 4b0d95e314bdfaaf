// Issue 5, must-show 3: a real peer (baresip) answers like a voicemail box — a spoken greeting, then a
// beep — and records what it receives. The recording shows our voicemail message starting after the
// beep, not over the greeting.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBaresip } from '../peers/baresip.ts';
import { readPcm8k } from '../peers/audio.ts';
import { rtpRange } from '../peers/ports.ts';
import { placeCall } from '../../appliance/commands/call.ts';
import { defaultSettings } from '../../appliance/config/defaults.ts';
import { importRecording } from '../../media/prompts/import.ts';

function onsetMs(pcm: Int16Array, threshold = 800): number {
  for (let i = 0; i + 160 <= pcm.length; i += 80) {
    let e = 0;
    for (let j = i; j < i + 160; j++) e += Math.abs(pcm[j]!);
    if (e / 160 > threshold) return (i / 8000) * 1000;
  }
  return -1;
}

test('the voicemail message starts after the beep in what a real voicemail peer recorded', async (t) => {
  t.timeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), 'vba-vm-'));
  const greeting = join(dir, 'greeting.wav');
  execFileSync('espeak-ng', ['-v', 'en-us', '-s', '165', '-w', join(dir, 'speech.wav'),
    'Hello, you have reached the voicemail of Marie Dupont. I cannot take your call right now. Please leave a message after the tone.']);
  // greeting, 0.4 s pause, a 1 kHz beep of 0.5 s, then silence while the box records.
  execFileSync('sox', [join(dir, 'speech.wav'), '-r', '8000', '-c', '1', '-b', '16', join(dir, 'speech8k.wav')]);
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', join(dir, 'beep.wav'), 'synth', '0.5', 'sine', '1000', 'vol', '0.5']);
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', join(dir, 'pause.wav'), 'trim', '0', '0.4']);
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', join(dir, 'tail.wav'), 'trim', '0', '20']);
  execFileSync('sox', [join(dir, 'speech8k.wav'), join(dir, 'pause.wav'), join(dir, 'beep.wav'), join(dir, 'tail.wav'), greeting]);
  const speechMs = Number(execFileSync('soxi', ['-D', join(dir, 'speech8k.wav')]).toString()) * 1000;
  const beepEndMs = speechMs + 400 + 500;

  const peer = await startBaresip({ source: greeting });
  t.teardown(() => peer.stop());

  const lib = join(dir, 'lib');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', join(dir, 'msg.wav'), 'synth', '2', 'sine', '300-900', 'vol', '0.6']);
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', join(dir, 'human.wav'), 'synth', '2', 'sine', '1500', 'vol', '0.6']);
  const voicemail = (await importRecording(join(dir, 'msg.wav'), { libraryDir: lib, name: 'vm' })).prompt;
  const message = (await importRecording(join(dir, 'human.wav'), { libraryDir: lib, name: 'msg' })).prompt;

  const settings = defaultSettings();
  settings.sip.bindAddress = '127.0.0.1';
  const rtp = rtpRange(40);
  settings.media.rtpPortMin = rtp.min;
  settings.media.rtpPortMax = rtp.max;
  const report = await placeCall({ dataDir: dir, settings, target: peer.uri, play: message, voicemail, ringTimeoutMs: 10_000 });
  t.is(report.amd, 'machine');
  t.is(report.outcome, 'machine-message-left');
  await peer.stop();

  const [rec] = peer.receivedRecordings();
  t.truthy(rec, 'baresip recorded the call');
  const heard = readPcm8k(rec!);
  const start = onsetMs(heard);
  t.log(`greeting speech ${Math.round(speechMs)} ms, beep ends at ${Math.round(beepEndMs)} ms, our message starts at ${Math.round(start)} ms`);
  t.true(start >= beepEndMs - 40, `message started ${Math.round(beepEndMs - start)} ms before the beep ended`);
  t.true(start <= beepEndMs + 1000, `message started ${Math.round(start - beepEndMs)} ms after the beep ended (target ≤ 1 s)`);
});
