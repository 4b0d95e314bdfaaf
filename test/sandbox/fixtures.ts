// Shared set-up for sandbox tests: a network on free loopback ports with the audio cached across runs.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxNetwork, type SandboxNetworkOptions } from '../../sip/sandbox/network.ts';
import type { Behaviour } from '../../sip/sandbox/mix.ts';
import type { SandboxCallRecord } from '../../sip/sandbox/records.ts';
import { freeUdpRange } from '../peers/ports.ts';

export const AUDIO_CACHE = join(tmpdir(), 'vba-sandbox-audio-cache');

export async function startNetwork(opts: Partial<SandboxNetworkOptions> = {}): Promise<SandboxNetwork> {
  const base = await freeUdpRange(100);
  const net = new SandboxNetwork({ audioDir: AUDIO_CACHE, timeScale: 0.1, seed: 11, rtpPortMin: base, rtpPortMax: base + 99, ...opts });
  await net.start();
  return net;
}

const taken = new Set<string>();

/** A number (E.164) that shows `behaviour` on `attempt`, not handed out before in this process. */
export function numberWith(net: SandboxNetwork, behaviour: Behaviour, prefix = '+1202555', filter: (n: string) => boolean = () => true): string {
  for (let i = 0; i < 100_000; i++) {
    const n = `${prefix}${String(i).padStart(4, '0')}`;
    if (!taken.has(n) && net.behaviourOf(n) === behaviour && filter(n)) {
      taken.add(n);
      return n;
    }
  }
  throw new Error(`no ${behaviour} number under ${prefix}`);
}

/** The record of the call to `number` once it has ended. */
export function ended(net: SandboxNetwork, number: string, attempt = 1, timeoutMs = 20_000): Promise<SandboxCallRecord> {
  const find = () => net.calls().find((r) => r.number === number && r.attempt === attempt && r.endedMonoMs !== null);
  return new Promise((resolve, reject) => {
    const hit = find();
    if (hit) return resolve(hit);
    const t = setTimeout(() => { net.off('call-ended', on); reject(new Error(`call to ${number} did not end`)); }, timeoutMs);
    const on = (r: SandboxCallRecord) => {
      if (r.number === number && r.attempt === attempt) {
        clearTimeout(t);
        net.off('call-ended', on);
        resolve(r);
      }
    };
    net.on('call-ended', on);
  });
}
