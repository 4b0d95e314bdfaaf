// `appliance audit verify [--fleet-head JSON|@FILE] [--json]`: walks the audit log's keyed chain and
// checks it against the head the fleet's broker acknowledged, the head the fleet holds (when given),
// and the call attempts and opt-outs it must account for; exit 1 when anything is wrong.
// `appliance audit list [--after SEQ] [--json]`: prints entries.
import { readFileSync } from 'node:fs';
import { openStore } from '../store/db.ts';
import { listAudit, verifyAudit, type AuditHead } from '../store/compliance-audit-repo.ts';
import { AppError } from '../../core/errors.ts';
import { parseJsonSafe } from '../../core/safe-json.ts';
import type { CommandContext } from '../cli.ts';

const USAGE = 'appliance audit verify [--fleet-head JSON|@FILE] [--json] [--data DIR] | appliance audit list [--after SEQ] [--json] [--data DIR]';

/**
 * The fleet's copy of the head: `{"seq": N, "hash": "…"}`, or an `audit.head` event as the fleet
 * received it (`{"type": "audit.head", "payload": {"seq", "hash", …}, …}`); `@file` reads it from a file.
 */
export function parseFleetHead(text: string): AuditHead {
  const bad = (why: string): AppError => new AppError('E_USAGE', `--fleet-head: ${why}\nusage: ${USAGE}`, { option: 'fleet-head' });
  let raw: unknown;
  try {
    raw = parseJsonSafe(text.startsWith('@') ? readFileSync(text.slice(1), 'utf8') : text);
  } catch (e) {
    throw bad(`not usable JSON (${(e as Error).message})`);
  }
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const h = (o.type === 'audit.head' && typeof o.payload === 'object' && o.payload !== null ? o.payload : o) as Record<string, unknown>;
  if (!Number.isSafeInteger(h.seq) || (h.seq as number) < 0) throw bad('"seq" must be the head\'s entry number');
  if (typeof h.hash !== 'string' || !/^[0-9a-f]{64}$/.test(h.hash)) throw bad('"hash" must be 64 lower-case hex digits');
  return { seq: h.seq as number, hash: h.hash };
}

export async function runAudit(ctx: CommandContext): Promise<number> {
  const [sub, extra] = ctx.positionals;
  if ((sub !== 'verify' && sub !== 'list') || extra) throw new AppError('E_USAGE', `usage: ${USAGE}`);
  const fleetHead = typeof ctx.values['fleet-head'] === 'string' ? parseFleetHead(ctx.values['fleet-head']) : undefined;
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
    const v = verifyAudit(db, fleetHead ? { fleetHead } : {});
    if (ctx.json) ctx.out(JSON.stringify(v));
    else if (v.ok) {
      const checked = [v.anchors.acknowledged ? `the acknowledged head ${v.anchors.acknowledged.seq}` : null, v.anchors.fleet ? `the fleet's head ${v.anchors.fleet.seq}` : null].filter(Boolean);
      ctx.out(`audit log intact: ${v.entries} entries, head ${v.head ?? '(empty)'}${v.unkeyed > 0 ? ` (${v.unkeyed} written before keying)` : ''}${checked.length ? `; matches ${checked.join(' and ')}` : ''}`);
    } else {
      ctx.out(`audit log BROKEN: ${v.problems.length} problem(s) in ${v.entries} entries`);
      for (const p of v.problems) ctx.out(`  entry ${p.seq}: ${p.problem}${p.detail ? ` — ${p.detail}` : ''}`);
    }
    return v.ok ? 0 : 1;
  } finally {
    db.close();
  }
}
