// What callees answered in a campaign's flows: per attempt the path taken and each named answer (a
// spoken one with its WAV file). Written in the transaction that finishes the attempt.
import type { Db } from './db.ts';

export interface FlowRecord {
  attemptId: number;
  campaignId: number;
  contactId: number;
  path: string[];
  answers: Record<string, string>;
  /** Spoken answers: name -> file (relative to the state folder) and length. */
  files: Record<string, { file: string; ms: number }>;
}

/** Inside the attempt's finishing transaction. */
export function saveFlowRecord(db: Db, r: FlowRecord): void {
  db.prepare('UPDATE attempts SET flow_path = ? WHERE id = ?').run(JSON.stringify(r.path), r.attemptId);
  const ins = db.prepare('INSERT OR REPLACE INTO attempt_answers (attempt_id, campaign_id, contact_id, name, value, file, ms) VALUES (?, ?, ?, ?, ?, ?, ?)');
  for (const [name, value] of Object.entries(r.answers)) {
    const f = r.files[name];
    ins.run(r.attemptId, r.campaignId, r.contactId, name, value, f?.file ?? null, f ? Math.round(f.ms) : null);
  }
}

/** The names answered in a campaign, in the order they were first given. */
export function answerNames(db: Db, campaignId: number): string[] {
  return db.prepare('SELECT name FROM attempt_answers WHERE campaign_id = ? GROUP BY name ORDER BY MIN(attempt_id), MIN(rowid)').pluck().all(campaignId) as string[];
}

/** Each contact's latest answer per name. */
export function latestAnswers(db: Db, campaignId: number): Map<number, Record<string, string>> {
  const rows = db.prepare(`SELECT contact_id, name, value FROM attempt_answers WHERE campaign_id = ? ORDER BY attempt_id`).all(campaignId) as Array<{ contact_id: number; name: string; value: string }>;
  const out = new Map<number, Record<string, string>>();
  for (const r of rows) {
    let m = out.get(r.contact_id);
    if (!m) out.set(r.contact_id, (m = {}));
    m[r.name] = r.value;
  }
  return out;
}

export interface AttemptFlow {
  attemptId: number;
  contactId: number;
  outcome: string | null;
  path: string[];
  answers: Array<{ name: string; value: string; file: string | null; ms: number | null }>;
}

/** One attempt's path and answers (null when it ran no flow). */
export function attemptFlow(db: Db, attemptId: number): AttemptFlow | null {
  const a = db.prepare('SELECT id, contact_id, outcome, flow_path FROM attempts WHERE id = ?').get(attemptId) as { id: number; contact_id: number; outcome: string | null; flow_path: string | null } | undefined;
  if (!a || a.flow_path === null) return null;
  const answers = db.prepare('SELECT name, value, file, ms FROM attempt_answers WHERE attempt_id = ? ORDER BY rowid').all(attemptId) as AttemptFlow['answers'];
  return { attemptId: a.id, contactId: a.contact_id, outcome: a.outcome, path: JSON.parse(a.flow_path) as string[], answers };
}

export interface AnswerStats {
  /** Attempts that ran the flow (a person answered). */
  runs: number;
  /** Per step id: how many runs reached it, and how many ended there (hung up, opted out or finished). */
  steps: Array<{ id: string; reached: number; endedHere: number }>;
  /** Per answer name: how many gave each value (spoken answers counted as "recorded"). */
  answers: Array<{ name: string; total: number; values: Array<{ value: string; count: number }> }>;
}

/** A campaign's answer distribution per question and completion per step, over the runs of its flow. */
export function answerStats(db: Db, campaignId: number, stepIds: readonly string[]): AnswerStats {
  const paths = db.prepare('SELECT flow_path FROM attempts WHERE campaign_id = ? AND flow_path IS NOT NULL').pluck().all(campaignId) as string[];
  const reached = new Map<string, number>();
  const endedHere = new Map<string, number>();
  for (const raw of paths) {
    const path = JSON.parse(raw) as string[];
    for (const id of new Set(path)) reached.set(id, (reached.get(id) ?? 0) + 1);
    const last = path[path.length - 1];
    if (last !== undefined) endedHere.set(last, (endedHere.get(last) ?? 0) + 1);
  }
  const ids = [...stepIds, ...[...reached.keys()].filter((k) => !stepIds.includes(k))];
  const rows = db.prepare(`SELECT name, CASE WHEN file IS NOT NULL THEN 'recorded' ELSE value END v, COUNT(*) n FROM attempt_answers WHERE campaign_id = ?
      GROUP BY name, v ORDER BY name, n DESC, v`).all(campaignId) as Array<{ name: string; v: string; n: number }>;
  const answers = new Map<string, AnswerStats['answers'][number]>();
  for (const r of rows) {
    let a = answers.get(r.name);
    if (!a) answers.set(r.name, (a = { name: r.name, total: 0, values: [] }));
    a.total += r.n;
    a.values.push({ value: r.v, count: r.n });
  }
  return { runs: paths.length, steps: ids.map((id) => ({ id, reached: reached.get(id) ?? 0, endedHere: endedHere.get(id) ?? 0 })), answers: [...answers.values()] };
}

export interface SpokenAnswer {
  attemptId: number;
  contactId: number;
  name: string;
  ms: number;
  /** When the attempt ended (epoch ms). */
  endedAt: number | null;
  e164: string;
  contactName: string | null;
}

/** A campaign's spoken answers, the latest first, at most `limit`; and how many there are in all. */
export function spokenAnswers(db: Db, campaignId: number, limit: number): { total: number; items: SpokenAnswer[] } {
  const total = db.prepare('SELECT COUNT(*) FROM attempt_answers WHERE campaign_id = ? AND file IS NOT NULL').pluck().get(campaignId) as number;
  const items = db.prepare(`SELECT aa.attempt_id attemptId, aa.contact_id contactId, aa.name, COALESCE(aa.ms, 0) ms, a.ended_at endedAt, a.e164, c.name contactName
      FROM attempt_answers aa JOIN attempts a ON a.id = aa.attempt_id LEFT JOIN contacts c ON c.id = aa.contact_id
      WHERE aa.campaign_id = ? AND aa.file IS NOT NULL ORDER BY aa.attempt_id DESC, aa.name LIMIT ?`).all(campaignId, limit) as SpokenAnswer[];
  return { total, items };
}
