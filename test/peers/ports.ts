// Free loopback ports for tests that start real peers side by side.
// RTP ports come from a block of 1,000 that this test process claims for itself (a lock directory
// per block under the system temp folder), so parallel test processes never hand out the same
// range; inside the block, ranges are handed out in turn.
import { createSocket } from 'node:dgram';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canListen } from '../../sip/embedded/net-util.ts';
import { processAlive as alive } from '../../core/process-alive.ts';

/**
 * A port free for both UDP and TCP on the address at the time of the call. `nextTcpFree`: port + 1 is
 * free for TCP too (baresip listens for TLS there).
 */
export async function freePort(address = '127.0.0.1', o: { nextTcpFree?: boolean } = {}): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = await canListen('udp', address, 0);
    if (p === null || (await canListen('tcp', address, p)) === null) continue;
    if (o.nextTcpFree && (p >= 65535 || (await canListen('tcp', address, p + 1)) === null)) continue;
    return p;
  }
  throw new Error(`no free port on ${address}`);
}

const BLOCK = 1000;
// 12000-31999: below the kernel's ephemeral range (32768-60999, where port-0 binds such as SIP and
// HTTP ports land) and clear of the sandbox's default 40000-44999.
const BLOCK_STARTS = Array.from({ length: 20 }, (_, i) => 12000 + i * BLOCK);
const LOCKS = join(tmpdir(), 'vba-test-rtp-blocks');
let claimed: number | null = null;
let cursor = 0;

function claimBlock(): number {
  if (claimed !== null) return claimed;
  mkdirSync(LOCKS, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    for (const start of BLOCK_STARTS) {
      const dir = join(LOCKS, String(start));
      try {
        mkdirSync(dir);
        writeFileSync(join(dir, 'pid'), String(process.pid));
        claimed = start;
        process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
        return start;
      } catch {
        let owner = 0;
        try { owner = Number(readFileSync(join(dir, 'pid'), 'utf8')); } catch { /* being created */ }
        if (owner > 0 && !alive(owner)) rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  throw new Error('no free block of RTP ports for this test process');
}

/** `count` consecutive ports (even start) from this process's block, for an RTP range. */
export function rtpRange(count: number): { min: number; max: number } {
  const start = claimBlock();
  const size = count + (count % 2);
  if (size > BLOCK) throw new Error(`an RTP range of ${count} ports is larger than a test block`);
  if (cursor + size > BLOCK) cursor = 0;
  const min = start + cursor;
  cursor += size;
  return { min, max: min + count - 1 };
}

/** A base port with `count` consecutive UDP ports free now, from this process's block. */
export async function freeUdpRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    // Benchmarks want more than a block: they take a random range below the blocks (2000-11999).
    const base = count > BLOCK ? 2000 + 2 * Math.floor(Math.random() * ((10000 - count) / 2)) : rtpRange(count).min;
    const sockets: Array<ReturnType<typeof createSocket>> = [];
    let ok = true;
    for (let p = base; p < base + count && ok; p++) {
      ok = await new Promise<boolean>((resolve) => {
        const s = createSocket('udp4');
        s.once('error', () => resolve(false));
        s.bind(p, '127.0.0.1', () => { sockets.push(s); resolve(true); });
      });
    }
    await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    if (ok) return base;
  }
  throw new Error(`no free range of ${count} UDP ports`);
}
