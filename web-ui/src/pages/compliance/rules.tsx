// The rule pack's human summary: the version in force today, since when, the next known change of the
// law (with the rules it starts and ends), and every rule in force in plain words with its text.
import { useState } from 'preact/hooks';
import { useApi } from '../../api.ts';
import { formatDateTime, useLang } from '../../i18n.ts';
import { Card, Field, Notice, Table } from '../../components/index.ts';
import { purposeLabel } from '../../messages.ts';
import { packName, registryName } from '../../names.ts';
import { tr, type RulesKey } from './rules-messages.ts';
import type { KnownChange, PacksReply as PacksResponse, PackSummary, RuleList } from '../../../../appliance/http/contract/compliance.ts';

interface Row { list: RuleList; id: string; what: string; source: string }

const day = (date: string): string => formatDateTime(`${date}T12:00:00Z`, { dateStyle: 'long', timeZone: 'UTC' });
const kinds = (ks: readonly string[]): string => ks.map((k) => tr(`kind.${k}` as RulesKey)).join(', ');

function daysLabel(days: number[]): string {
  const s = [...days].sort().join('');
  if (s === '12345') return tr('days.weekdays');
  if (s === '67') return tr('days.weekend');
  if (s === '1234567') return tr('days.all');
  return days.join(', ');
}

function forPurposes(purposes: string[] | undefined): string {
  return purposes ? ` (${tr('purposes', { purposes: purposes.map(purposeLabel).join(', ') })})` : '';
}

/** Every rule in force, in the page's language; the citation stays as the law names it. */
function rows(p: PackSummary): Row[] {
  const out: Row[] = [];
  for (const w of p.windows) {
    const hours = w.windows.map((x) => tr('window', { days: daysLabel(x.days), from: x.from, to: x.to })).join(', ');
    out.push({ list: 'windows', id: w.id, what: `${hours}${w.noPublicHolidays ? `, ${tr('noHolidays')}` : ''}${forPurposes(w.purposes)}`, source: w.source });
  }
  for (const c of p.caps) {
    const how = [tr(c.counts === 'attempts' ? 'capAttempts' : 'capConnected'), ...(c.unlessConsent ? [tr('capUnlessConsent')] : [])].join('; ');
    out.push({ list: 'caps', id: c.id, what: `${tr('cap', { max: c.max, days: c.periodDays })} (${how})${forPurposes(c.purposes)}`, source: c.source });
  }
  for (const r of p.refusal) out.push({ list: 'refusal', id: r.id, what: `${tr('refusal', { days: r.days })}${forPurposes(r.purposes)}`, source: r.source });
  for (const c of p.consent) {
    const lifted = c.liftedBy?.length ? `; ${tr('liftedBy', { kinds: c.liftedBy.map((e) => kinds(e.kinds)).join(' / ') })}` : '';
    out.push({ list: 'consent', id: c.id, what: `${tr('consent', { kinds: kinds(c.kinds), purpose: c.match === 'seller-purpose' ? tr('forPurpose') : '' })}${lifted}${forPurposes(c.purposes)}`, source: c.source });
  }
  for (const r of p.registries) {
    const lifted = r.liftedBy.length
      ? tr('liftedBy', { kinds: r.liftedBy.map((e) => `${kinds(e.kinds)}${e.maxAgeDays ? ` (${tr('maxAge', { days: e.maxAgeDays })})` : ''}`).join(' / ') })
      : tr('notLifted');
    out.push({ list: 'registries', id: r.name, what: `${tr('registry', { name: registryName(r.name), days: r.maxAgeDays })}; ${lifted}${forPurposes(r.purposes)}`, source: r.source });
  }
  for (const r of p.restricted) out.push({ list: 'restricted', id: r.id, what: tr('restricted', { numbers: r.numbers.join(', ') }), source: r.source });
  const v = p.revocation;
  if (v) {
    const deadline = v.deadline.days > 0 ? tr('revocation', { days: tr(v.deadline.businessDays ? 'businessDays' : 'calendarDays', { n: v.deadline.days }) }) : tr('revocationAtOnce');
    out.push({ list: 'revocation', id: v.id, what: `${deadline}; ${tr(v.scope === 'seller' ? 'scopeSeller' : 'scopePurpose')}`, source: v.source });
  }
  return out;
}

function Change({ change }: { change: KnownChange }) {
  return (
    <>
      <p>{tr('changeOn', { date: day(change.date), version: change.version })}</p>
      <ul>
        {change.starts.map((r) => <li key={`s${r.id}`}>{tr('starts', { rule: `${r.id} — ${r.source}` })}</li>)}
        {change.ends.map((r) => <li key={`e${r.id}`}>{tr('ends', { rule: `${r.id} — ${r.source}` })}</li>)}
      </ul>
    </>
  );
}

export function RulesTab() {
  useLang();
  const packs = useApi<PacksResponse>('/api/compliance/packs');
  const [chosen, setChosen] = useState<string | null>(null);
  if (packs.error) return <Notice kind="error">{packs.error.message}</Notice>;
  if (!packs.data) return <p>{tr('loading')}</p>;
  const id = chosen ?? packs.data.current ?? 'fr';
  const p = packs.data.packs.find((x) => x.id === id) ?? packs.data.packs[0]!;
  return (
    <>
      <Card title={tr('rules')} testId="pack-summary">
        <Field label={tr('pack')}>
          <select value={p.id} onChange={(e) => setChosen(e.currentTarget.value)}>
            {packs.data.packs.map((x) => <option key={x.id} value={x.id}>{x.id === packs.data!.current ? tr('packChosen', { name: packName(x.id, x.name) }) : packName(x.id, x.name)}</option>)}
          </select>
        </Field>
        <dl class="stats">
          <div class="stat"><dt>{tr('version')}</dt><dd data-testid="pack-version">{p.version}</dd></div>
        </dl>
        <p data-testid="pack-since">{p.previousChange ? tr('since', { date: day(p.previousChange.date) }) : tr('sinceAlways')}</p>
        {!p.verified && <Notice kind="info">{tr('unverified')}</Notice>}
      </Card>
      <Card title={tr('nextChange')} testId="pack-next-change">
        {p.nextChange ? <Change change={p.nextChange} /> : <p>{tr('noNextChange')}</p>}
      </Card>
      <Card title={tr('rules')}>
        <Table label={tr('rules')} testId="pack-rules" rows={rows(p)} rowKey={(r) => `${r.list}:${r.id}`}
          columns={[
            { key: 'list', label: tr('rule'), render: (r) => tr(`list.${r.list}` as RulesKey) },
            { key: 'what', label: tr('what'), render: (r) => r.what },
            { key: 'source', label: tr('source'), render: (r) => r.source },
          ]} />
      </Card>
    </>
  );
}
