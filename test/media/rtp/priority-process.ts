// A media engine in a process of its own (test/media/rtp/thread-priority.test.ts runs it with and without the
// right to raise a thread's priority): it starts two workers, plays one call's silence to a local socket for a
// moment, and prints one JSON line: the workers' priorities, what the kernel says of each worker thread, the
// main thread's nice, the packets the far end got, and the engine's log lines.
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { pino } from 'pino';
import { WorkerMediaEngine } from '../../../media/rtp/worker-engine.ts';

const lines: string[] = [];
const logger = pino({ level: 'info', base: undefined }, { write: (l: string) => { lines.push(l.trim()); } });
const far = dgram.createSocket('udp4');
let received = 0;
far.on('message', () => { received++; });
await new Promise<void>((r) => far.bind(0, '127.0.0.1', () => r()));
const [min, max] = (process.argv[2] ?? '47000-47100').split('-').map(Number);
const engine = new WorkerMediaEngine({ bindAddress: '127.0.0.1', rtpPortMin: min!, rtpPortMax: max!, workers: 2, logger });
engine.start();
const session = await engine.createSession({ payloadType: 0, remoteAddress: '127.0.0.1', remotePort: far.address().port });
await engine.createSession({ payloadType: 0 }); // the second worker is up too
await new Promise((r) => setTimeout(r, 300));
/** The nice value the kernel holds for a thread: field 19 of /proc/<pid>/task/<tid>/stat. */
const kernelNice = (tid: number): number => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[16]);
const priorities = engine.threadPriorities();
const out = {
  mainNice: getPriority(process.pid),
  priorities,
  kernelNice: priorities.map((p) => (p?.tid ? kernelNice(p.tid) : null)),
  received,
  // the priority's lines (the workers also say once whether they send and receive in batches)
  log: lines.filter((l) => l.includes('media workers') && !l.includes('batches') && !l.includes('UDP I/O')),
};
session.close();
await engine.stop();
far.close();
process.stdout.write(`${JSON.stringify(out)}\n`);
