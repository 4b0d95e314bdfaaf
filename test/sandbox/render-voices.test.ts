// The maintainers' recipe for the sandbox's committed voices still works with Debian's espeak-ng and sox,
// and gives clips of the committed lengths (sox dithers, so the bytes differ from one run to the next).
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPEECH_DEFS, VOICES_DIR } from '../../sip/sandbox/audio.ts';
import { renderVoices } from '../../sip/sandbox/render-voices.ts';

test('render-voices.ts re-renders every committed voice at its committed length', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'sandbox-voices-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const made = await renderVoices(out);
  t.deepEqual(made.map((m) => m.id), SPEECH_DEFS.map((d) => d.id));
  for (const m of made) {
    const committed = statSync(join(VOICES_DIR, `${m.id}.ulaw`)).size;
    t.true(Math.abs(m.bytes - committed) <= committed * 0.02 + 160, `${m.id}: ${m.bytes} bytes rendered, ${committed} committed`);
    t.true(readFileSync(join(out, `${m.id}.ulaw`)).some((b) => b < 0x70), `${m.id} is not silence`);
  }
});
