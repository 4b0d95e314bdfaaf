// `appliance audit verify [--json]`: walks the audit log's hash chain; exit 1 when it is broken.
// `appliance audit list [--after SEQ] [--json]`: prints entries.
import { openStore } from '../store/db.ts';
import { listAudit, verifyAudit } from '../store/compliance-audit-repo.ts';
import { AppError } from '../../core/errors.ts';
import type { CommandContext } from '../cli.ts';

const USAGE = 'appliance audit verify|list [--after SEQ] [--json] [--data DIR]';

export async function runAudit(ctx: CommandContext): Promise<number> {
  const [sub, extra] = ctx.positionals;
  if ((sub !== 'verify' && sub !== 'list') || extra) throw new AppError('E_USAGE', `usage: ${USAGE}`);
  const db = openStore({ dir: ctx.dataDir });
  try {
    if (sub === 'list') {
      const after = typeof ctx.values.after === 'string' ? Number(ctx.values.after) : 0;
      if (!Number.isInteger(after) || after < 0) throw new AppError('E_USAGE', `--after: a sequence number\nusage: ${USAGE}`, { option: 'after' });
      for (const e of listAudit(db, { afterSeq: after, limit: 1000 })) {
        ctx.out(ctx.json ? JSON.stringify(e) : `${e.seq}\t${new Date(e.at).toISOString()}\t${e.actor}\t${e.action}\t${e.subject ?? ''}\t${JSON.stringify(e.details)}`);
      }
      return 0;
    }
    const v = verifyAudit(db);
    if (ctx.json) ctx.out(JSON.stringify(v));
    else if (v.ok) ctx.out(`audit log intact: ${v.entries} entries, head ${v.head ?? '(empty)'}`);
    else {
      ctx.out(`audit log BROKEN: ${v.problems.length} problem(s) in ${v.entries} entries`);
      for (const p of v.problems) ctx.out(`  entry ${p.seq}: ${p.problem}`);
    }
    return v.ok ? 0 : 1;
  } finally {
    db.close();
  }
}
