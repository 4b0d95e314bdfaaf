// Text-to-speech with espeak-ng in English and French, personalised per contact, cached, rendered ahead of
// the dialer, and previewed.
import test from 'ava';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { isAppError } from '../../../core/errors.ts';
import { PromptRenderer, type RenderItem } from '../../../media/prompts/renderer.ts';
import { LOUDNESS_TARGET } from '../../../media/prompts/transcode.ts';
import { previewTts, synthesize } from '../../../media/prompts/tts.ts';
import { requireTool } from '../../support/tools.ts';

let lib = '';
let runLog = '';
const pathBefore = process.env.PATH;

// espeak-ng is reached through a shim first on PATH that notes each run (its arguments, which name the
// library folder) and then runs the real one: a cache hit is a run that did not happen.
test.before(async () => {
  const espeak = requireTool('espeak-ng', 'espeak-ng');
  lib = await mkdtemp(join(tmpdir(), 'vba-tts-'));
  const shims = join(lib, 'shims');
  await mkdir(shims);
  runLog = join(lib, 'espeak-runs.log');
  await writeFile(runLog, '');
  await writeFile(join(shims, 'espeak-ng'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${runLog}'\nexec '${espeak}' "$@"\n`);
  await chmod(join(shims, 'espeak-ng'), 0o755);
  process.env.PATH = `${shims}${delimiter}${pathBefore ?? ''}`;
});

test.after.always(async () => {
  process.env.PATH = pathBefore;
  if (lib) await rm(lib, { recursive: true, force: true });
});

/** espeak-ng runs so far that wrote into `dir`. */
async function espeakRuns(dir: string): Promise<number> {
  return (await readFile(runLog, 'utf8')).split('\n').filter((l) => l.includes(`${dir}/`)).length;
}

test('English and French messages with tokens are rendered per contact into playable prompts', async (t) => {
  const r = new PromptRenderer({ libraryDir: join(lib, 'contacts'), concurrency: 2 });
  const en: RenderItem = { text: 'Hello {first_name}, your appointment is on {appointment_date}.', fields: { first_name: 'John', appointment_date: '2025-03-04T14:30' }, voice: 'en-us' };
  const fr: RenderItem = { text: 'Bonjour {first_name}, votre rendez-vous est le {appointment_date}.', fields: { first_name: 'Marie', appointment_date: '2025-03-04' }, voice: 'fr' };
  t.regex(r.textFor(en), /^Hello John, your appointment is on Tuesday, March 4, 2025,? at 2:30 PM\.$/);
  t.is(r.textFor(fr), 'Bonjour Marie, votre rendez-vous est le mardi 4 mars 2025.');
  for (const item of [en, fr]) {
    const meta = await r.render(item);
    t.is(meta.source, 'tts');
    t.is(meta.format, 'tts');
    t.is(meta.tts?.voice, item.voice);
    t.true(meta.durationMs > 2000 && meta.durationMs < 8000, `${meta.durationMs} ms`);
    t.true(Math.abs(meta.loudnessLufs - LOUDNESS_TARGET.integratedLufs) <= 1.5, `${meta.loudnessLufs} LUFS`);
    t.true((await stat(meta.prompt.pcmu)).size > 16000);
    t.true((await stat(meta.prompt.pcma)).size > 16000);
    t.deepEqual(r.ready(item), meta.prompt);
  }
});

test('the same words are synthesised once: a repeat (or another contact with the same fields) is a cache hit', async (t) => {
  const dir = join(lib, 'cache');
  const r = new PromptRenderer({ libraryDir: dir });
  const a: RenderItem = { text: 'Hi {first_name}.', fields: { first_name: 'Ann', city: 'Leeds' }, voice: 'en' };
  const b: RenderItem = { text: 'Hi {first_name}.', fields: { first_name: 'Ann', city: 'York' }, voice: 'en' };
  const [m1, m2] = await Promise.all([r.render(a), r.render(b)]);
  t.is(m1.id, m2.id);
  t.is(await espeakRuns(dir), 1, 'two contacts with the same words: one synthesis');
  t.deepEqual(await readdir(dir), [m1.id], 'one recording, no staging left');
  // A fresh renderer (as after a restart) finds it in the library.
  const m3 = await new PromptRenderer({ libraryDir: dir }).render(a);
  t.is(m3.id, m1.id);
  t.is(await espeakRuns(dir), 1, 'served from the library without running espeak-ng again');
  // A different voice (or rate) is a different rendering.
  const m4 = await r.render({ ...a, voice: 'en-us' });
  t.not(m4.id, m1.id);
  t.is(await espeakRuns(dir), 2);
});

test('prerender fills the cache in the background; ready() never waits and reports per-contact failures', async (t) => {
  const r = new PromptRenderer({ libraryDir: join(lib, 'pre'), concurrency: 2 });
  const names = ['Alice', 'Bruno', 'Chloé', 'David'];
  const items: RenderItem[] = names.map((n) => ({ text: 'Bonjour {first_name}, ceci est un rappel.', fields: { first_name: n }, voice: 'fr+f2' }));
  items.push({ text: 'Bonjour {prenom}', fields: { first_name: 'Eve' }, voice: 'fr' });
  for (const it of items) t.is(r.ready(it), null);
  let settled = false;
  const pending = r.prerender(items, { concurrency: 2 });
  void pending.finally(() => { settled = true; });
  // Handed back before any synthesis is done: the dialer goes on, and ready() answers "not yet" meanwhile.
  await nextTurn();
  t.false(settled, 'prerender runs in the background');
  t.is(r.ready(items[0] as RenderItem), null);
  const report = await pending;
  t.is(report.rendered, 4);
  t.is(report.failed.length, 1);
  t.is(report.failed[0]?.index, 4);
  t.regex(report.failed[0]?.message ?? '', /unknown token in the message: \{prenom\} \(available: \{first_name\}\)/);
  for (const it of items.slice(0, 4)) t.truthy(r.ready(it));
  const again = await r.prerender(items);
  t.is(again.cached, 4);
  t.is(again.rendered, 0);
});

test('unknown tokens are an error that lists them all', async (t) => {
  const r = new PromptRenderer({ libraryDir: join(lib, 'tokens') });
  const err = t.throws(() => r.textFor({ text: 'Hi {firstname}, see you {when} at {place}', fields: { first_name: 'A', appointment_date: '2025-01-01' }, voice: 'en' }));
  t.true(isAppError(err));
  t.is(err?.message, 'unknown tokens in the message: {firstname}, {when}, {place} (available: {first_name}, {appointment_date})');
});

test('preview returns the 8 kHz WAV path for the API', async (t) => {
  const wav = await previewTts('Hello {first_name}', { voice: 'en-gb', libraryDir: join(lib, 'preview'), fields: { first_name: 'Sam' } });
  t.regex(wav, /audio\.wav$/);
  t.true((await stat(wav)).size > 8000);
});

test('bad voices, rates and empty text are refused clearly', async (t) => {
  const dir = join(lib, 'bad');
  await t.throwsAsync(synthesize('Hello', { voice: 'zz-nope', libraryDir: dir }), { message: /espeak-ng has no voice "zz-nope"/ });
  await t.throwsAsync(synthesize('Hello', { voice: 'en; rm -rf /', libraryDir: dir }), { message: /invalid voice/ });
  await t.throwsAsync(synthesize('   ', { voice: 'en', libraryDir: dir }), { message: /text to speak is empty/ });
  await t.throwsAsync(synthesize('Hello', { voice: 'en', libraryDir: dir, rate: 20 }), { message: /rate 20 is out of range/ });
  t.deepEqual(await readdir(dir).catch(() => []), []);
});
