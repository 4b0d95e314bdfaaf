// FreeSWITCH makes the offer (3pcc) with its profile's codec order; a trunk that prefers A-law gets
// that offer reordered here, so the trunk's first choice is the box's first choice, as on the
// embedded engine. Codecs the trunk does not list are left out; telephone-event and CN stay.
const STATIC: Record<string, string> = { PCMU: '0', PCMA: '8' };

export function orderAudioCodecs(sdp: string, codecs: readonly string[]): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  const i = lines.findIndex((l) => l.startsWith('m=audio '));
  if (i < 0) return sdp;
  const parts = lines[i]!.split(' ');
  const head = parts.slice(0, 3);
  const pts = parts.slice(3).filter(Boolean);
  const wanted = codecs.map((c) => STATIC[c.toUpperCase()]).filter((p): p is string => p !== undefined && pts.includes(p));
  if (wanted.length === 0) return sdp;
  const dropped = new Set(pts.filter((p) => (p === '0' || p === '8') && !wanted.includes(p)));
  const rest = pts.filter((p) => !wanted.includes(p) && !dropped.has(p));
  lines[i] = [...head, ...wanted, ...rest].join(' ');
  const out = lines.filter((l) => {
    const m = /^a=(?:rtpmap|fmtp):(\d+)[ ]/.exec(l);
    return !(m && dropped.has(m[1]!));
  });
  return out.join(eol);
}
