// The drachtio engine's working folders shared with FreeSWITCH: prompt WAVs made from G.711 copies
// and the AMD audio taps. They live in the box's state folder. A fixed name under the system's temp
// folder (as before) is predictable: another local user could create it first and read the callee's
// audio, or put their own prompts or links there. Without a state folder (tests, benchmarks), a
// private folder with a random name is made once per process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface FreeswitchDirs {
  prompts: string;
  tap: string;
}

let scratch: string | null = null;

export function freeswitchDirs(stateDir?: string): FreeswitchDirs {
  let base: string;
  if (stateDir) base = path.join(path.resolve(stateDir), 'freeswitch');
  else {
    // mkdtemp: a new folder with a random name, mode 0700, that nobody else made first
    scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), 'vba-fs-'));
    base = scratch;
  }
  return { prompts: path.join(base, 'prompts'), tap: path.join(base, 'tap') };
}
