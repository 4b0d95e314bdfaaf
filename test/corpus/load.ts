// Reading corpus cases the way a call hears them: G.711 bytes decoded by the media stack's own codec,
// then cut into 20 ms frames of 160 samples.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeG711 } from '../../media/dsp/g711.ts';
import type { CorpusCase, Manifest } from './generate.ts';

export const FRAME = 160;

export async function caseSamples(manifest: Pick<Manifest, 'outDir'>, c: CorpusCase): Promise<Int16Array> {
  const bytes = await readFile(join(manifest.outDir, c.file));
  return decodeG711(c.law, bytes);
}

/** 20 ms frames in order; a short last frame is dropped (an RTP stream sends whole packets). */
export function* frames(samples: Int16Array): Generator<Int16Array> {
  for (let off = 0; off + FRAME <= samples.length; off += FRAME) yield samples.subarray(off, off + FRAME);
}

/** The small labelled subset the unit tests use (a seed of its own: neither tuning nor benchmark data). */
export const TEST_SUBSET = { seed: 3, count: 24 } as const;

export async function loadTestSubset(): Promise<{ manifest: Manifest; samples: Map<string, Int16Array> }> {
  // Imported lazily so that reading cases does not pull the generator into every importer.
  const { generateCorpus } = await import('./generate.ts');
  const manifest = await generateCorpus({ ...TEST_SUBSET, workers: 2 });
  const samples = new Map<string, Int16Array>();
  for (const c of manifest.cases) samples.set(c.id, await caseSamples(manifest, c));
  return { manifest, samples };
}
