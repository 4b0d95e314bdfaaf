// A campaign's answers to its call flow (issue 15): per question the distribution of answers as bars,
// where calls ended (completion per step), and the spoken answers with a player each. The bars are plain
// HTML tables with a CSS bar in a cell: readable by screen readers and without a chart library.
import type { ComponentChildren } from 'preact';
import { formatDateTime, formatNumber, formatPercent } from '../../i18n.ts';
import { Card, Table } from '../../components/index.ts';
import { t } from './messages.ts';
import type { Answers } from './types.ts';

type Question = Answers['answers'][number];
type Step = Answers['steps'][number];
type Spoken = Answers['spoken']['items'][number];
type MessageKey = Parameters<typeof t>[0];

export function AnswersReport({ id, answers }: { id: number; answers: Answers }) {
  const questions = answers.answers;
  if (answers.runs === 0 && questions.length === 0) return null;
  const stepOf = (sid: string | null): Step | undefined => answers.steps.find((s) => s.id === sid);
  return (
    <>
      {questions.length > 0 && (
        <Card title={t('answersTitle')} testId="report-answers">
          <p class="muted small">{t('answersIntro')}</p>
          {questions.map((q, i) => <QuestionBars key={q.name} n={i + 1} q={q} step={stepOf(q.step)} spoken={answers.spoken.total} />)}
        </Card>
      )}
      {answers.runs > 0 && <Completion answers={answers} />}
      {questions.some((q) => q.kind === 'spoken') && <SpokenAnswers id={id} spoken={answers.spoken} />}
    </>
  );
}

/** A value as the page shows it: a template's label in words, a date in the page's format, a key. */
function valueLabel(value: string, verb: string | null): ComponentChildren {
  const key = `value.${value}` as MessageKey;
  const worded = t(key);
  if (worded !== key) return worded;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return formatDateTime(`${value}T12:00:00`, { dateStyle: 'long' });
  if (verb === 'menu' && /^[0-9*#]$/.test(value)) return t('keyN', { key: value });
  if (/^\d+$/.test(value)) return formatNumber(Number(value), { useGrouping: false });
  return <code>{value}</code>;
}

function verbLabel(verb: string | null): string {
  const key = `verb.${verb ?? 'none'}` as MessageKey;
  const worded = t(key);
  return worded === key ? verb ?? '' : worded;
}

interface BarRow {
  key: string;
  label: ComponentChildren;
  count: number;
}

/** A small horizontal bar chart as a table: one row per value, its count, its share, and a bar. */
function Bars({ rows, total, caption, labelHeader, testId }: { rows: BarRow[]; total: number; caption: string; labelHeader: string; testId?: string }) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return (
    <Table caption={caption} rows={rows} rowKey={(r) => r.key} testId={testId}
      columns={[
        { key: 'label', label: labelHeader, render: (r) => r.label },
        { key: 'count', label: t('count'), align: 'right', render: (r) => formatNumber(r.count) },
        { key: 'share', label: t('share'), align: 'right', render: (r) => (total > 0 ? formatPercent(r.count / total) : '–') },
        {
          key: 'bar', label: <span class="visually-hidden">{t('barHeader')}</span>, render: (r) => (
            <span class="hbar" aria-hidden="true"><span class="hbar__fill" style={{ width: `${(100 * r.count) / max}%` }} /></span>
          ),
        },
      ]} />
  );
}

function QuestionBars({ n, q, step, spoken }: { n: number; q: Question; step: Step | undefined; spoken: number }) {
  const verb = step?.verb ?? null;
  const counts = new Map(q.values.map((v) => [v.value, v.count]));
  const rows: BarRow[] = [
    ...q.choices.map((c) => ({ key: c, label: valueLabel(c, verb), count: counts.get(c) ?? 0 })),
    ...q.values.filter((v) => !q.choices.includes(v.value)).map((v) => ({
      key: v.value,
      label: q.choices.length > 0 ? <>{valueLabel(v.value, verb)} <span class="muted small">{t('unexpected')}</span></> : valueLabel(v.value, verb),
      count: v.count,
    })),
  ];
  return (
    <section class="question" data-testid={`answer-${q.name}`}>
      <h3>{t('question', { n })} — <code>{q.name}</code> <span class="muted small">({verbLabel(verb)}, {t('askedAt', { step: q.step ?? '–' })})</span></h3>
      <p class="muted small">{t('answersOf', { n: formatNumber(q.total), reached: formatNumber(step?.reached ?? q.total) })}</p>
      {q.kind === 'spoken'
        ? <p>{t('spokenCount', { n: formatNumber(q.total) })}{spoken > 0 ? ` ${t('seeSpoken')}` : ''}</p>
        : rows.length === 0 ? <p>{t('noAnswersYet')}</p>
          : <Bars rows={rows} total={q.total} caption={t('answerChart', { name: q.name })} labelHeader={t('answer')} />}
    </section>
  );
}

function Completion({ answers }: { answers: Answers }) {
  const steps = answers.steps.filter((s) => s.verb !== null || s.reached > 0);
  const max = Math.max(1, answers.runs);
  return (
    <Card title={t('completionTitle')} testId="report-completion">
      <p class="muted small">{t('completionIntro', { runs: formatNumber(answers.runs) })}</p>
      <Table caption={t('completionChart')} rows={steps} rowKey={(s) => s.id}
        columns={[
          { key: 'step', label: t('step'), render: (s) => <code>{s.id}</code> },
          { key: 'verb', label: t('verb'), render: (s) => verbLabel(s.verb) },
          { key: 'reached', label: t('reached'), align: 'right', render: (s) => `${formatNumber(s.reached)} (${formatPercent(s.reached / max)})` },
          { key: 'ended', label: t('endedHere'), align: 'right', render: (s) => formatNumber(s.endedHere) },
          {
            key: 'bar', label: <span class="visually-hidden">{t('barHeader')}</span>, render: (s) => (
              <span class="hbar" aria-hidden="true">
                <span class="hbar__fill" style={{ width: `${(100 * (s.reached - s.endedHere)) / max}%` }} />
                <span class="hbar__fill hbar__fill--end" style={{ width: `${(100 * s.endedHere) / max}%` }} />
              </span>
            ),
          },
        ]} />
    </Card>
  );
}

function SpokenAnswers({ id, spoken }: { id: number; spoken: Answers['spoken'] }) {
  const who = (s: Spoken): string => (s.contactName ? `${s.contactName} (${s.number})` : s.number);
  return (
    <Card title={t('spokenTitle')} testId="report-spoken">
      <p class="muted small">{t('spokenIntro')}</p>
      {spoken.total > spoken.items.length && <p class="muted small">{t('spokenShown', { shown: formatNumber(spoken.items.length), total: formatNumber(spoken.total) })}</p>}
      <Table caption={t('spokenTitle')} rows={spoken.items} rowKey={(s) => `${s.attemptId}-${s.name}`} empty={t('noSpoken')}
        columns={[
          { key: 'when', label: t('when'), render: (s) => (s.endedAt === null ? '–' : formatDateTime(s.endedAt)) },
          { key: 'who', label: t('who'), render: (s) => who(s) },
          { key: 'name', label: t('answer'), render: (s) => <code>{s.name}</code> },
          { key: 'length', label: t('length'), align: 'right', render: (s) => t('seconds', { n: formatNumber(s.ms / 1000, { maximumFractionDigits: 1 }) }) },
          {
            key: 'play', label: t('listen'), render: (s) => (
              <audio controls preload="metadata" src={`/api/campaigns/${id}/attempts/${s.attemptId}/answers/${s.name}`}
                aria-label={t('playAnswer', { name: s.name, who: who(s) })} data-testid={`spoken-${s.attemptId}-${s.name}`} />
            ),
          },
        ]} />
    </Card>
  );
}
