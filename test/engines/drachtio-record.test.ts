// record() on the drachtio engine without the servers: FreeSWITCH is played by a stand-in endpoint that
// writes the far end's audio into the tap file as FreeSWITCH does (a WAV header, then 20 ms of samples at
// a time while the call goes on). What is checked is the engine's own part: the tap is started and
// stopped, its audio reaches the shared recorder, and the recording ends as on the embedded engine (on
// silence after speech or from the start, on an end key, at the bound, at the hang-up). The same
// recording on the real servers is the contract case in contract.test.ts.
import test from 'ava';
import { EventEmitter } from 'node:events';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, silentLogger } from '../../core/log.ts';
import type { RecordOptions } from '../../core/call-port.ts';
import { decodeG711 } from '../../media/dsp/g711.ts';
import type { FsEndpoint } from '../../media/freeswitch/fsmrf.ts';
import { wavHeader } from '../../media/prompts/pcm.ts';
import { VOICES_DIR } from '../../sip/sandbox/audio.ts';
import { recordFromTap } from '../../sip/drachtio/tap-record.ts';
import { readPcm8k } from '../peers/audio.ts';

const speech = decodeG711('pcmu', readFileSync(join(VOICES_DIR, 'answer-en-1.ulaw')));
const speechMs = (speech.length / 8000) * 1000;

/** FreeSWITCH as the tap sees it: `uuid_record start` writes the far end's audio, 20 ms at a time, until `stop`. */
class FakeEndpoint extends EventEmitter {
  readonly uuid = 'ep-1';
  readonly local = { sdp: '' };
  readonly commands: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  constructor(private readonly audio: (sampleAt: number) => number, private readonly refuse = false) {
    super();
  }
  async api(command: string, args?: string | string[]): Promise<unknown> {
    const a = Array.isArray(args) ? args.join(' ') : args ?? '';
    this.commands.push(`${command} ${a}`);
    if (command !== 'uuid_record') return { body: '+OK' };
    const [, action, file] = a.split(' ');
    if (this.refuse) return { body: '-ERR uuid_record: no such channel\n' };
    if (action === 'start') {
      writeFileSync(file!, wavHeader(0));
      // In real time, as FreeSWITCH does: a late timer (a loaded machine) writes what it owes.
      const started = Date.now();
      let at = 0;
      this.timer = setInterval(() => {
        const due = Math.floor(((Date.now() - started) * 8) / 160) * 160;
        if (due <= at) return;
        const frame = Buffer.alloc((due - at) * 2);
        for (let i = 0; at + i < due; i++) frame.writeInt16LE(this.audio(at + i), i * 2);
        at = due;
        appendFileSync(file!, frame);
      }, 20);
    } else if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    return { body: '+OK Success' };
  }
  modify(): Promise<unknown> { return Promise.resolve(); }
  destroy(): Promise<void> { return Promise.resolve(); }
  play(): Promise<{ playbackMilliseconds?: string }> { return Promise.resolve({}); }
  execute(): Promise<never> { return Promise.reject(new Error('not used')); }
  set(): Promise<unknown> { return Promise.resolve(); }
}

/** `leadMs` of silence, the sentence, then silence for ever. */
const sentenceAfter = (leadMs: number) => (n: number): number => {
  const i = n - leadMs * 8;
  return i >= 0 && i < speech.length ? speech[i]! : 0;
};

interface Run { r: Awaited<ReturnType<typeof recordFromTap>>; file: string; tapDir: string; ep: FakeEndpoint; pcm: Int16Array | null }

async function run(o: Partial<RecordOptions> & { audio: (n: number) => number; key?: { digit: string; afterMs: number }; hangupAfterMs?: number; refuse?: boolean; logs?: string[] }): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'vba-tap-rec-'));
  const tapDir = join(dir, 'tap');
  const file = join(dir, 'answer.wav');
  const ep = new FakeEndpoint(o.audio, o.refuse);
  const keys = new EventEmitter();
  let ended = false;
  const endedP = new Promise<void>((resolve) => {
    if (o.hangupAfterMs !== undefined) setTimeout(() => { ended = true; resolve(); }, o.hangupAfterMs);
  });
  if (o.key) setTimeout(() => keys.emit('key', o.key!.digit), o.key.afterMs);
  const log = o.logs ? createLogger({ level: 'error', destination: join(dir, 'log') }) : silentLogger();
  const r = await recordFromTap(ep as unknown as FsEndpoint, tapDir, {
    keys: (fn) => { keys.on('key', fn); return () => { keys.off('key', fn); }; },
    ended: endedP,
    isEnded: () => ended,
  }, { file, maxMs: o.maxMs ?? 20_000, silenceMs: o.silenceMs ?? 1500, ...(o.endKeys ? { endKeys: o.endKeys } : {}) }, log);
  await new Promise((res) => setTimeout(res, 50));
  if (o.logs && existsSync(join(dir, 'log'))) o.logs.push(...readFileSync(join(dir, 'log'), 'utf8').split('\n').filter(Boolean));
  const pcm = existsSync(file) ? readPcm8k(file) : null;
  return { r, file, tapDir, ep, pcm };
}

function voicedMs(pcm: Int16Array): number {
  let ms = 0;
  for (let i = 0; i + 160 <= pcm.length; i += 160) {
    let s = 0;
    for (let j = i; j < i + 160; j++) s += pcm[j]! * pcm[j]!;
    if (s / 160 >= 400 * 400) ms += 20;
  }
  return ms;
}

test('a spoken answer ends on the silence after it; the WAV holds the sentence; the tap is stopped and its file removed', async (t) => {
  const { r, pcm, tapDir, ep, file } = await run({ audio: sentenceAfter(400), silenceMs: 1500 });
  t.is(r.endedBy, 'silence');
  t.true(r.spoke);
  t.true(r.ms >= 400 + speechMs + 1300 && r.ms <= 400 + speechMs + 1500 + 600, `${Math.round(r.ms)} ms for a ${Math.round(speechMs)} ms sentence`);
  t.truthy(pcm);
  t.true(voicedMs(pcm!) >= speechMs * 0.6, `${voicedMs(pcm!)} ms of speech kept`);
  t.is(Math.round((pcm!.length / 8000) * 1000), Math.round(r.ms));
  t.false(existsSync(`${file}.part`));
  t.true(ep.commands.some((c) => c.startsWith('uuid_setvar_multi ep-1 RECORD_READ_ONLY=true')), 'FreeSWITCH records the far end only');
  t.true(ep.commands.some((c) => /^uuid_record ep-1 start /.test(c)));
  t.true(ep.commands.some((c) => /^uuid_record ep-1 stop /.test(c)));
  await new Promise((res) => setTimeout(res, 100));
  t.deepEqual(readdirSync(tapDir), [], 'the tap file is gone');
  rmSync(join(file, '..'), { recursive: true, force: true });
});

test('nobody speaks: it ends after the silence from the start, spoke false', async (t) => {
  const { r } = await run({ audio: () => 0, silenceMs: 1000 });
  t.is(r.endedBy, 'silence');
  t.false(r.spoke);
  t.true(r.ms >= 800 && r.ms <= 1500, `${Math.round(r.ms)} ms`);
});

test('an end key ends it and is reported, not recorded; a key that is not an end key does not', async (t) => {
  const { r } = await run({ audio: sentenceAfter(0), endKeys: '#9', key: { digit: '#', afterMs: 1200 } });
  t.like(r, { endedBy: 'key', key: '#', spoke: true });
  t.true(r.ms >= 900 && r.ms <= 1600, `${Math.round(r.ms)} ms`);
  const other = await run({ audio: () => 0, endKeys: '#', silenceMs: 1000, key: { digit: '5', afterMs: 300 } });
  t.is(other.r.endedBy, 'silence');
});

test('the length bound and the hang-up end it too', async (t) => {
  const max = await run({ audio: sentenceAfter(0), maxMs: 1500, silenceMs: 5000 });
  t.is(max.r.endedBy, 'max');
  t.true(max.r.ms <= 1500 && max.r.ms >= 1000, `${Math.round(max.r.ms)} ms`);
  const gone = await run({ audio: sentenceAfter(0), silenceMs: 5000, hangupAfterMs: 1000 });
  t.is(gone.r.endedBy, 'hangup');
  t.true(gone.r.spoke);
  t.true(gone.pcm !== null && voicedMs(gone.pcm) > 300, 'what was said before the hang-up is kept');
});

test('FreeSWITCH refusing the recording: nothing kept, logged, and the flow goes on (no throw)', async (t) => {
  const logs: string[] = [];
  const { r, pcm } = await run({ audio: () => 0, refuse: true, logs });
  t.like(r, { ms: 0, spoke: false, endedBy: 'silence' });
  t.is(pcm, null);
  t.true(logs.some((l) => l.includes('did not start the recording')), logs.join('\n'));
});
