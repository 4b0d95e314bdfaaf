// The live half of bench `amd`: held-out cases played by sipp (the callee's audio as RTP) to the
// embedded engine, with the call-flow runner deciding what the callee hears. It measures what only a
// real call shows: the time from the answer to the first audio the callee hears (firstAudioMs: when the
// runner asks the engine to play, which sends the first packet at its next 20 ms tick; the message now
// starts at the answer while detection listens, instead of after its verdict), and for machines when
// the voicemail message starts against the end of the beep, with the message stopped at the "machine"
// verdict.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Call } from '../core/call-port.ts';
import { silentLogger } from '../core/log.ts';
import { promptKey } from '../appliance/flows/model.ts';
import { runFlowCall } from '../appliance/flows/runner.ts';
import { messageMenuFlow } from '../appliance/flows/templates.ts';
import { EmbeddedEngine } from '../sip/embedded/engine.ts';
import type { CorpusCase } from '../test/corpus/generate.ts';
import { freePort, startSippUas } from '../test/peers/sipp.ts';
import { pcapOf } from '../test/sip/amd-callee.ts';
import { tonePrompt as tone } from '../test/peers/audio.ts';

export interface LiveFigures {
  calls: number;
  people: number;
  machinesWithBeep: number;
  /** Answer -> the first audio a person hears (the engine is asked to play it; it sends within a tick). */
  firstAudioMedianMs: number | null;
  firstAudioP95Ms: number | null;
  /** Calls whose verdict matched the label, live. */
  accuracy: number;
  /** Voicemail message start - beep end, live (sipp starts its stream at the ACK: a few ms of slack). */
  afterBeepP95Ms: number | null;
  startedBeforeBeep: number;
}


function pct(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

export async function liveCalls(cases: Array<{ c: CorpusCase; samples: Int16Array }>, o: { concurrency: number; rtpPortMin: number }): Promise<LiveFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vba-amd-live-'));
  const engine = new EmbeddedEngine({
    settings: {
      sip: { bindAddress: '127.0.0.1', port: 0, transports: ['udp'], userAgent: 'vba-bench', guard: { action: 'reject', maxRepliesPerSecPerSource: 50 } },
      media: { rtpPortMin: o.rtpPortMin, rtpPortMax: o.rtpPortMin + 4 * o.concurrency + 3, ptimeMs: 20, jitterPackets: 3 },
      trunks: [],
      defaultTrunk: null,
    },
    logger: silentLogger(),
  });
  await engine.start();
  const message = tone(dir, 'message', 8000, 440);
  const voicemail = tone(dir, 'voicemail', 1500, 550);
  const other = tone(dir, 'prompt', 300, 660);
  const flow = messageMenuFlow({ confirm: '1', optOut: '9' }, null);
  const firstAudio: number[] = [];
  const afterBeep: number[] = [];
  let correct = 0;
  let beforeBeep = 0;
  const one = async ({ c, samples }: { c: CorpusCase; samples: Int16Array }): Promise<void> => {
    const sipp = await startSippUas({ scenario: 'uas-play-pcap.xml', calls: 1, timeoutSec: 60, files: { 'stream.pcap': pcapOf(samples) }, args: ['-mi', '127.0.0.1', '-mp', String(await freePort())] });
    try {
      const call: Call = engine.dial({ to: `sip:callee@127.0.0.1:${sipp.port}`, from: 'bench', ringTimeoutMs: 10_000, amd: true });
      let answeredAt = 0;
      call.once('answered', () => { answeredAt = Date.now(); });
      // A person's call has shown what it can once detection decided: hang up then (the flow's menu
      // would only wait for keys nobody presses).
      call.once('amd', (v) => { if (v.verdict !== 'machine') setTimeout(() => { void call.hangup('bench-done'); }, 100); });
      const plays: Array<{ id: string; atMs: number }> = [];
      const play = call.play.bind(call);
      call.play = (p, opts) => {
        plays.push({ id: p.id, atMs: Date.now() - answeredAt });
        return play(p, opts);
      };
      const r = await runFlowCall(call, flow, { prompt: (p) => (promptKey(p) === 'm' ? message : other), optOutKey: '9', now: () => Date.now(), slot: () => null, recordFile: () => null }, { amd: true, voicemail, amdTimeoutMs: 6000 });
      const verdict = r.flow?.amd === 'machine' ? 'machine' : 'human';
      if (verdict === c.label) correct++;
      if (c.label === 'human' && plays[0]) firstAudio.push(plays[0].atMs);
      if (c.label === 'machine' && c.beep) {
        const vm = plays.find((p) => p.id === 'voicemail');
        if (!vm) afterBeep.push(Infinity);
        else if (vm.atMs < c.beep.endMs - 100) {
          beforeBeep++;
          afterBeep.push(Infinity);
        } else afterBeep.push(Math.max(0, vm.atMs - c.beep.endMs));
      }
    } finally {
      await sipp.stop(0);
    }
  };
  const queue = [...cases];
  await Promise.all(Array.from({ length: o.concurrency }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await one(next);
  }));
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const sort = (a: number[]): number[] => [...a].sort((x, y) => x - y);
  const fa = sort(firstAudio);
  return {
    calls: cases.length,
    people: cases.filter((x) => x.c.label === 'human').length,
    machinesWithBeep: cases.filter((x) => x.c.beep).length,
    firstAudioMedianMs: pct(fa, 50),
    firstAudioP95Ms: pct(fa, 95),
    accuracy: Math.round((correct / Math.max(1, cases.length)) * 1000) / 1000,
    afterBeepP95Ms: pct(sort(afterBeep), 95),
    startedBeforeBeep: beforeBeep,
  };
}
