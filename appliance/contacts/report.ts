// The import report as people read it (CLI, logs of the web UI); `--json` and the API give the object.
import type { ImportReport, RowIssue } from './types.ts';

const SHOW = 20;

export function formatImportReport(r: ImportReport, opts: { maxLines?: number } = {}): string {
  const max = opts.maxLines ?? SHOW;
  const lines: string[] = [];
  const how = r.format === 'csv'
    ? `CSV, ${r.encoding ?? '?'}, delimiter ${r.delimiter === '\t' ? 'tab' : `"${r.delimiter ?? ','}"`}`
    : 'XLSX';
  lines.push(`List "${r.list.name}" (id ${r.list.id}) from ${r.file} (${how}), default country ${r.country}`);
  lines.push(`  ${plural(r.rows, 'row')}: ${plural(r.accepted, 'contact')} imported, ${r.rejected.length} rejected, ` +
    `${plural(r.duplicates, 'duplicate')} skipped${r.blankRows ? `, ${plural(r.blankRows, 'blank row')} ignored` : ''}`);
  const lt = r.lineTypes;
  lines.push(`  line types: ${lt.mobile} mobile, ${lt.fixed} fixed, ${lt.voip} VoIP, ${lt.unknown} unknown`);
  const tz = r.timezoneSources;
  lines.push(`  time zones: ${tz.number} from the number's area, ${tz.country} from its country code, ${tz.column} from the time-zone column`);
  lines.push(`  phone column${r.mapping.phone.length > 1 ? 's (first valid wins)' : ''}: ${r.mapping.phone.map((c) => `"${c}"`).join(', ')}`);
  section(lines, 'Rejected rows', r.rejected, max);
  if (r.duplicateRows.length > 0) {
    lines.push(`Duplicates (the first row keeps the number):`);
    for (const d of r.duplicateRows.slice(0, max)) lines.push(`  row ${d.row}: same number as row ${d.firstRow} (${d.e164})`);
    if (r.duplicateRows.length > max) lines.push(`  … and ${r.duplicateRows.length - max} more (--json lists them all)`);
  }
  section(lines, 'Warnings', r.warnings, max);
  lines.push(`Done in ${(r.durationMs / 1000).toFixed(1)} s.`);
  return lines.join('\n');
}

function section(lines: string[], title: string, issues: RowIssue[], max: number): void {
  if (issues.length === 0) return;
  lines.push(`${title}:`);
  for (const i of issues.slice(0, max)) lines.push(`  row ${i.row}, column "${i.column}": ${i.reason}`);
  if (issues.length > max) lines.push(`  … and ${issues.length - max} more (--json lists them all)`);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
