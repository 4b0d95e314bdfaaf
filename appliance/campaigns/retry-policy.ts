// Cause-aware retry decisions: what happens to a contact after an attempt ends.
import type { Outcome } from '../../core/call-port.ts';
import type { RetryPolicy } from './model.ts';
import { nextLocalDay } from './schedule.ts';

export interface ContactProgress {
  /** Attempts that counted so far, including the one that just ended (when it counts). */
  attempts: number;
  /** Retries already used per outcome. */
  retries: Partial<Record<Outcome, number>>;
  zones: string[];
}

export type RetryDecision =
  | { kind: 'final'; outcome: Outcome; counted: boolean }
  | { kind: 'retry'; at: number; counted: boolean; retries: Partial<Record<Outcome, number>> };

export function decideRetry(outcome: Outcome, progress: ContactProgress, policy: RetryPolicy, maxAttempts: number, now: number): RetryDecision {
  const rule = policy[outcome];
  const counted = !rule?.uncounted;
  if (!rule || rule.maxRetries <= 0) return { kind: 'final', outcome, counted };
  const used = progress.retries[outcome] ?? 0;
  if (used >= rule.maxRetries) return { kind: 'final', outcome, counted };
  if (counted && progress.attempts >= maxAttempts) return { kind: 'final', outcome, counted };
  let at: number;
  if (rule.delayMs === 'next-day') {
    at = nextLocalDay(now, progress.zones);
  } else {
    at = now + Math.round(rule.delayMs * Math.pow(rule.backoff ?? 1, used));
  }
  return { kind: 'retry', at, counted, retries: { ...progress.retries, [outcome]: used + 1 } };
}
