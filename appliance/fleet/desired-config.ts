// Desired/reported configuration: the fleet's versioned partial settings document is merged into the
// stored settings through SettingsStore.update (validated whole; nothing written on error), and the
// outcome is what the box reports. A rejected document leaves the last good configuration in force.
import type { Db } from '../store/db.ts';
import type { Settings } from '../../core/settings-types.ts';
import { AppError } from '../../core/errors.ts';
import { parseDesired, type DesiredDocument } from './command.ts';
import { forgedVerifications } from '../compliance/caller-id.ts';
import { assertValid } from '../config/settings.ts';
import { findPrototypeKey, PROTOTYPE_KEYS, UnsafeJsonError } from '../../core/safe-json.ts';

export type UpdateSettings = (change: (draft: Settings) => void) => Promise<Settings>;

export interface ReportedConfig {
  /** The desired version this report answers (null when the document had no usable version). */
  version: number | null;
  status: 'applied' | 'rejected';
  reason: string | null;
  /** The configuration version in force: the last desired version applied (0: none yet). */
  appliedVersion: number;
  at: string;
}

/** Keys the fleet may not set remotely: the document's own version, web UI users (password hashes),
 *  and the fleet connection itself (a wrong URL would cut the box off with no way back). */
const FORBIDDEN = new Set(['version', 'users', 'fleet']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Objects merge key by key; arrays and scalars replace. Only own properties of the target are merged
 * into, and a prototype key is refused (callers check first; this is the last line).
 */
export function mergeInto(target: Record<string, unknown>, patch: Record<string, unknown>, path = 'settings'): void {
  for (const [k, v] of Object.entries(patch)) {
    if (PROTOTYPE_KEYS.has(k)) throw new UnsafeJsonError(`${path}.${k}`, k);
    const cur = Object.hasOwn(target, k) ? target[k] : undefined;
    if (isObject(v) && isObject(cur)) mergeInto(cur, v, `${path}.${k}`);
    else target[k] = structuredClone(v);
  }
}

interface Row { applied_version: number; last_version: number; last_status: 'applied' | 'rejected'; last_reason: string | null; updated_at: number }

export class DesiredConfig {
  constructor(private readonly db: Db, private readonly update: UpdateSettings | undefined, private readonly now: () => number) {}

  private row(): Row | undefined {
    return this.db.prepare('SELECT applied_version, last_version, last_status, last_reason, updated_at FROM fleet_config WHERE id = 1').get() as Row | undefined;
  }

  /** The configuration version in force (0 until a desired document was applied). */
  appliedVersion(): number {
    return this.row()?.applied_version ?? 0;
  }

  /** The report for the last document seen, if any (published again on connect). */
  lastReport(): ReportedConfig | null {
    const r = this.row();
    if (!r) return null;
    return { version: r.last_version, status: r.last_status, reason: r.last_reason, appliedVersion: r.applied_version, at: new Date(r.updated_at).toISOString() };
  }

  /**
   * Apply a desired document (raw, from the retained topic or a command). A version already seen
   * (applied or rejected) is not applied again: the retained document comes back on every connect.
   * Returns the report, and whether it is news (to publish).
   */
  async apply(raw: unknown): Promise<{ report: ReportedConfig; changed: boolean }> {
    const last = this.row();
    const applied = last?.applied_version ?? 0;
    let doc: DesiredDocument;
    try {
      doc = parseDesired(raw, '(root)');
    } catch (e) {
      const version = isObject(raw) && Number.isSafeInteger(raw.version) ? (raw.version as number) : null;
      return { report: this.report(version, 'rejected', (e as Error).message, applied), changed: true };
    }
    if (last && doc.version <= last.last_version) return { report: this.lastReport()!, changed: false };
    let status: 'applied' | 'rejected' = 'applied';
    let reason: string | null = null;
    const forbidden = Object.keys(doc.settings).find((k) => FORBIDDEN.has(k));
    const unsafe = findPrototypeKey(doc.settings, 'settings');
    if (unsafe) {
      status = 'rejected';
      reason = `desired configuration ${new UnsafeJsonError(unsafe.field, unsafe.key).message}`;
    } else if (forbidden) {
      status = 'rejected';
      reason = `setting ${forbidden}: cannot be changed from the fleet`;
    } else if (!this.update) {
      status = 'rejected';
      reason = 'this box does not take configuration from the fleet';
    } else {
      try {
        await this.update((draft) => {
          const stored = draft.callerIds.map((c) => ({ number: c.number, verified: c.verified }));
          // The patch is checked against the settings schema on a copy before the draft is touched.
          const candidate = structuredClone(draft) as unknown as Record<string, unknown>;
          mergeInto(candidate, doc.settings);
          assertValid(candidate);
          const forged = forgedVerifications(candidate, stored);
          if (forged.length) throw new AppError('E_CONFIG_INVALID', `setting ${forged[0]!.key}: ${forged[0]!.message}`, { key: forged[0]!.key });
          mergeInto(draft as unknown as Record<string, unknown>, doc.settings);
        });
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        status = 'rejected';
        reason = e.message;
      }
    }
    const appliedVersion = status === 'applied' ? doc.version : applied;
    const now = this.now();
    this.db.prepare(`INSERT INTO fleet_config (id, applied_version, last_version, last_status, last_reason, updated_at) VALUES (1, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET applied_version = excluded.applied_version, last_version = excluded.last_version,
      last_status = excluded.last_status, last_reason = excluded.last_reason, updated_at = excluded.updated_at`).run(appliedVersion, doc.version, status, reason, now);
    return { report: this.report(doc.version, status, reason, appliedVersion), changed: true };
  }

  private report(version: number | null, status: 'applied' | 'rejected', reason: string | null, appliedVersion: number): ReportedConfig {
    return { version, status, reason, appliedVersion, at: new Date(this.now()).toISOString() };
  }
}
