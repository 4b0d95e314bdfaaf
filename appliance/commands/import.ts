// `appliance import <file> --list NAME [--country CC] [--json]`: imports a contact list and prints
// the import report (with --json, one object: accepted, rejected [{row, column, reason}], duplicates).
import { SettingsStore } from '../config/settings.ts';
import { openStore } from '../store/db.ts';
import { importContacts } from '../contacts/import.ts';
import { formatImportReport } from '../contacts/report.ts';
import { AppError } from '../../core/errors.ts';
import { requireString, type CommandContext } from '../cli.ts';

const USAGE = 'appliance import <file> --list NAME [--country CC] [--json]';

export async function runImport(ctx: CommandContext): Promise<number> {
  const [file, extra] = ctx.positionals;
  if (!file || extra) throw new AppError('E_USAGE', `give exactly one file\nusage: ${USAGE}`);
  const list = requireString(ctx, 'list', USAGE);
  const settings = await new SettingsStore(SettingsStore.pathIn(ctx.dataDir)).load({ env: process.env });
  const country = typeof ctx.values.country === 'string' ? ctx.values.country.toUpperCase() : settings.box.country;
  // SQLite in WAL mode lets this run beside a running box on the same folder.
  const db = openStore({ dir: ctx.dataDir });
  let lastPct = -1;
  try {
    const report = await importContacts(db, file, {
      list,
      country,
      onProgress: (p) => {
        if (ctx.json || !process.stderr.isTTY) return;
        const pct = p.bytesTotal ? Math.floor((100 * p.bytesRead) / p.bytesTotal) : -1;
        if (pct !== lastPct) {
          lastPct = pct;
          process.stderr.write(`\rimporting: ${p.rows} rows${pct >= 0 ? ` (${pct}%)` : ''}`);
        }
      },
    });
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
  } finally {
    db.close();
  }
}
