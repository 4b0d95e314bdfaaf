// `appliance import <file> --list NAME [--country CC] [--json]`: imports a contact list and prints
// the import report (with --json, one object: accepted, rejected [{row, column, reason}], duplicates).
import { basename, resolve } from 'node:path';
import type { ImportReport } from '../contacts/types.ts';
import { listImport, storeContacts } from '../actions/lists-actions.ts';
import { runCliAction } from './cli-actions.ts';
import { formatImportReport } from '../contacts/report.ts';
import { AppError } from '../../core/errors.ts';
import { requireString, type CommandContext } from '../cli.ts';

const USAGE = 'appliance import <file> --list NAME [--country CC] [--json]';

export async function runImport(ctx: CommandContext): Promise<number> {
  const [file, extra] = ctx.positionals;
  if (!file || extra) throw new AppError('E_USAGE', `give exactly one file\nusage: ${USAGE}`);
  const list = requireString(ctx, 'list', USAGE);
  const country = typeof ctx.values.country === 'string' ? ctx.values.country.toUpperCase() : undefined;
  let lastPct = -1;
  // The list.import action, as actor `cli`: the same checks, error codes and audit entry as the web UI's import.
  const report = await runCliAction<ImportReport>(ctx.dataDir, listImport, { file: resolve(file), list, ...(country ? { country } : {}), fileName: basename(file) }, { io: {
    progress: (p) => {
      if (ctx.json || !process.stderr.isTTY) return;
      const total = p.bytesTotal as number;
      const pct = total ? Math.floor((100 * (p.bytesRead as number)) / total) : -1;
      if (pct !== lastPct) {
        lastPct = pct;
        process.stderr.write(`\rimporting: ${p.rows as number} rows${pct >= 0 ? ` (${pct}%)` : ''}`);
      }
    },
  }, contacts: storeContacts });
  if (!ctx.json && process.stderr.isTTY) process.stderr.write('\n');
  if (ctx.json) {
    ctx.out(JSON.stringify({
      list: report.list,
      rows: report.rows,
      accepted: report.accepted,
      rejected: report.rejected.map((r) => ({ row: r.row, column: r.column, reason: r.reason })),
      duplicates: report.duplicates,
      warnings: report.warnings,
      lineTypes: report.lineTypes,
      timezoneSources: report.timezoneSources,
      durationMs: report.durationMs,
    }));
  } else {
    ctx.out(formatImportReport(report));
  }
  return 0;
}
