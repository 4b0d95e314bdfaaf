// baresip as an independent SIP user agent: auto-answers, records what it hears (sndfile module:
// the "-dec.wav" file is the decoded far-end audio) and plays a file of our choice as its microphone.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, mkdirSync, openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { freePort, freeUdpRange } from './ports.ts';

export interface Baresip {
  uri: string;
  port: number;
  dir: string;
  /** Decoded audio baresip received, one WAV per call. */
  receivedRecordings(): string[];
  /** Waits until every received recording is closed (its WAV header counts the whole file), then lists them. */
  closedRecordings(timeoutMs?: number): Promise<string[]>;
  waitForLog(re: RegExp, timeoutMs: number): Promise<string>;
  log(): string;
  /** Type keys during the call (sent as RFC 4733 events); needs `keypad: true`. */
  sendDigits(digits: string): Promise<void>;
  /** Place a call (a caller ringing the box); needs `keypad: true` (the control socket). */
  dial(uri: string): Promise<void>;
  /** Put the current call on hold (re-INVITE sendonly), resume it, or hang it up; need `keypad: true`. */
  hold(): Promise<void>;
  resume(): Promise<void>;
  hangup(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `listen`: the loopback address baresip uses (e.g. 127.0.0.3 for a desk phone on the office's LAN range);
 * `register`: it registers as that user to the box at `registrar` (host:port) with `password` (a desk phone).
 */
export interface BaresipOptions {
  source?: string; codecs?: string; user?: string; keypad?: boolean; listen?: string;
  register?: { registrar: string; password: string; regintSec?: number };
  /** `manual`: it rings and never answers (a staff member who is away from the desk). */
  answer?: 'auto' | 'manual';
}

/**
 * Starts baresip on free ports. A port found free can be taken by another process's port-0 bind before
 * baresip binds it; baresip then exits ("Address already in use"), and it is started again on new ports.
 */
export async function startBaresip(opts: BaresipOptions = {}): Promise<Baresip> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (e) {
      if (attempt >= 3 || !/Address already in use/.test(String(e))) throw e;
    }
  }
}

async function startOnce(opts: BaresipOptions): Promise<Baresip> {
  const dir = mkdtempSync(join(tmpdir(), 'vba-baresip-'));
  const listen = opts.listen ?? '127.0.0.1';
  const port = await freePort(listen, { nextTcpFree: true });
  // baresip's control socket (ctrl_tcp): its "sndcode" command types keys into the current call.
  const ctrlPort = opts.keypad ? await freePort() : null;
  const rtp = await freeUdpRange(20);
  const rec = join(dir, 'rec');
  mkdirSync(rec);
  const source = opts.source ?? join(dir, 'silence.wav');
  if (!opts.source) {
    // 30 s of 8 kHz silence as the microphone.
    const samples = 8000 * 30;
    const header = Buffer.alloc(44);
    header.write('RIFF', 0); header.writeUInt32LE(36 + samples * 2, 4); header.write('WAVE', 8);
    header.write('fmt ', 12); header.writeUInt32LE(16, 16); header.writeUInt16LE(1, 20); header.writeUInt16LE(1, 22);
    header.writeUInt32LE(8000, 24); header.writeUInt32LE(16000, 28); header.writeUInt16LE(2, 32); header.writeUInt16LE(16, 34);
    header.write('data', 36); header.writeUInt32LE(samples * 2, 40);
    writeFileSync(source, Buffer.concat([header, Buffer.alloc(samples * 2)]));
  }
  writeFileSync(join(dir, 'config'), [
    `sip_listen\t${listen}:${port}`,
    `audio_source\taufile,${source}`,
    `audio_player\taufile,${join(dir, 'unused.wav')}`,
    'module_path\t/usr/lib/baresip/modules',
    'module\tg711.so',
    'module\taccount.so',
    'module\taufile.so',
    'module\tsndfile.so',
    'module_app\tmenu.so',
    `snd_path\t${rec}`,
    `rtp_ports\t${rtp}-${rtp + 19}`,
    'sip_trans_def\tudp',
    ...(ctrlPort ? ['module_app\tctrl_tcp.so', `ctrl_tcp_listen\t127.0.0.1:${ctrlPort}`] : []),
    '',
  ].join('\n'));
  const user = opts.user ?? 'box';
  const r = opts.register;
  const account = r
    ? `<sip:${user}@${r.registrar}>;auth_pass=${r.password};regint=${r.regintSec ?? 600}`
    : `<sip:${user}@${listen}:${port}>;regint=0`;
  writeFileSync(join(dir, 'accounts'), `${account};answermode=${opts.answer ?? 'auto'};audio_codecs=${opts.codecs ?? 'PCMU,PCMA'}\n`);
  const child: ChildProcess = spawn('baresip', ['-v', '-f', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const waitForLog = async (re: RegExp, timeoutMs: number): Promise<string> => {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const m = re.exec(out);
      if (m) return m[0];
      if (child.exitCode !== null) throw new Error(`baresip exited (${child.exitCode}):\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`baresip: no ${re} within ${timeoutMs} ms:\n${out.slice(-3000)}`);
  };
  await waitForLog(/baresip is ready/, 30_000); // a process start: wide, it ends at the line
  const control = async (command: string, params: string): Promise<void> => {
    if (!ctrlPort) throw new Error(`startBaresip({ keypad: true }) to use ${command}`);
    const sock = connect(ctrlPort, '127.0.0.1');
    await new Promise<void>((resolve, reject) => { sock.once('connect', () => resolve()); sock.once('error', reject); });
    const msg = JSON.stringify({ command, params, token: 'ctl' });
    let reply = '';
    sock.on('data', (d: Buffer) => { reply += d.toString(); });
    sock.write(`${Buffer.byteLength(msg)}:${msg},`);
    const until = Date.now() + 5000;
    while (!reply.includes('"token":"ctl"') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    sock.destroy();
    if (!reply.includes('"ok":true')) throw new Error(`baresip did not take ${command}: ${reply || 'no reply'}`);
  };
  return {
    uri: `sip:${user}@${listen}:${port}`,
    port,
    dir,
    receivedRecordings: () => readdirSync(rec).filter((f) => f.endsWith('-dec.wav')).map((f) => join(rec, f)),
    closedRecordings: async (timeoutMs = 30_000) => {
      const list = (): string[] => readdirSync(rec).filter((f) => f.endsWith('-dec.wav')).map((f) => join(rec, f));
      const until = Date.now() + timeoutMs;
      while (list().length === 0 || !list().every(wavClosed)) {
        if (Date.now() > until) throw new Error(`baresip: recordings not closed within ${timeoutMs} ms: ${list().join(', ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return list();
    },
    waitForLog,
    log: () => out,
    sendDigits: (digits) => control('sndcode', digits),
    dial: (uri) => control('dial', uri),
    hold: () => control('hold', ''),
    resume: () => control('resume', ''),
    hangup: () => control('hangup', ''),
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 3000);
        child.once('exit', () => { clearTimeout(t); resolve(); });
      });
    },
  };
}

/**
 * libsndfile writes a WAV's sizes when it closes the file: until then the RIFF size does not count the
 * whole file. A closed recording is one whose RIFF size is the file's size less 8.
 */
function wavClosed(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(8);
    if (size < 44 || readSync(fd, head, 0, 8, 0) < 8 || head.toString('latin1', 0, 4) !== 'RIFF') return false;
    return head.readUInt32LE(4) === size - 8;
  } finally {
    closeSync(fd);
  }
}
