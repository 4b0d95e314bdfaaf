// Issue 18, point 9: the drachtio engine's prompt WAVs (and audio taps) go to the box's state folder,
// not to a predictable name under the system's temp folder that another local user could make first.
import test from 'ava';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultTapDir } from '../../../media/freeswitch/audio-tap.ts';
import { playableWav } from '../../../media/freeswitch/prompt-file.ts';
import { freeswitchDirs } from '../../../media/freeswitch/work-dirs.ts';

test('a WAV made for FreeSWITCH goes to the state folder when the library is not writable', (t) => {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'vba-fsdirs-'));
  t.teardown(() => fs.rmSync(state, { recursive: true, force: true }));
  const library = path.join(state, 'library');
  fs.mkdirSync(library);
  const pcmu = path.join(library, 'msg.pcmu');
  fs.writeFileSync(pcmu, Buffer.alloc(8000, 0xff)); // 1 s of silence
  // the library cannot take the WAV beside the recording (as when it is read-only; a folder where the
  // temporary file would go stops even root)
  const st = fs.statSync(pcmu);
  const key = createHash('sha1').update(`${path.resolve(pcmu)}|${st.size}|${st.mtimeMs}`).digest('hex').slice(0, 20);
  fs.mkdirSync(path.join(library, `.fs-${key}.wav.${process.pid}.tmp`));
  const dirs = freeswitchDirs(state);
  t.is(dirs.prompts, path.join(state, 'freeswitch', 'prompts'));
  const { file, ms } = playableWav({ id: 'msg', pcmu, pcma: pcmu }, dirs.prompts);
  t.is(ms, 1000);
  t.is(path.dirname(file), dirs.prompts);
  t.true(fs.statSync(file).size > 44);
  t.false(file.startsWith(path.join(os.tmpdir(), 'vba-fs-prompts')));
  t.is(fs.statSync(dirs.prompts).mode & 0o007, 0, 'no access for others');
});

test('without a state folder the engine uses a private folder with a random name, and the tap follows the state folder', (t) => {
  const a = freeswitchDirs();
  t.deepEqual(freeswitchDirs(), a, 'one per process');
  t.regex(path.basename(path.dirname(a.prompts)), /^vba-fs-.{6}$/);
  t.is(fs.statSync(path.dirname(a.prompts)).mode & 0o077, 0, 'mode 0700');
  if (!fs.existsSync('/var/lib/freeswitch/storage') && !process.env.APPLIANCE_FS_TAP_DIR) {
    t.is(defaultTapDir('/var/lib/appliance'), path.join('/var/lib/appliance', 'freeswitch', 'tap'));
  }
});
