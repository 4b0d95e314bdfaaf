// A line chart in plain SVG (no chart library): one series over time, its axis from 0 to the highest
// value, the first and last times under it, and a text alternative for screen readers.
import { getLang } from './i18n.ts';

export function LineChart(p: { title: string; points: Array<{ at: string; v: number | null }>; unit?: string }) {
  const pts = p.points.filter((x): x is { at: string; v: number } => x.v !== null);
  const W = 480;
  const H = 120;
  const pad = 28;
  if (pts.length === 0) return null;
  const t0 = Date.parse(pts[0]!.at);
  const t1 = Math.max(t0 + 1, Date.parse(pts.at(-1)!.at));
  const max = Math.max(1, ...pts.map((x) => x.v));
  const x = (at: string): number => pad + ((Date.parse(at) - t0) / (t1 - t0)) * (W - pad - 4);
  const y = (v: number): number => H - 18 - (v / max) * (H - 26);
  const path = pts.map((q, i) => `${i === 0 ? 'M' : 'L'}${x(q.at).toFixed(1)},${y(q.v).toFixed(1)}`).join(' ');
  const time = (at: string): string => new Date(at).toLocaleTimeString(getLang() === 'fr' ? 'fr-FR' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
  const last = pts.at(-1)!;
  return (
    <figure class="chart">
      <figcaption>{p.title}: {last.v}{p.unit ?? ''}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${p.title}: ${pts.length} samples, last ${last.v}${p.unit ?? ''}, highest ${max}${p.unit ?? ''}`}>
        <line x1={pad} y1={H - 18} x2={W - 4} y2={H - 18} stroke="#888" />
        <line x1={pad} y1={8} x2={pad} y2={H - 18} stroke="#888" />
        <text x={2} y={12} font-size="10">{max}</text>
        <text x={2} y={H - 18} font-size="10">0</text>
        <text x={pad} y={H - 4} font-size="10">{time(pts[0]!.at)}</text>
        <text x={W - 4} y={H - 4} font-size="10" text-anchor="end">{time(last.at)}</text>
        <path d={path} fill="none" stroke="#1f5fa8" stroke-width="1.5" />
      </svg>
    </figure>
  );
}
