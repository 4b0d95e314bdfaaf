// Staff and calls coming in (issue 16), admins only: the staff groups a flow's transfer rings, the LAN
// ranges desk phones may register from, the SIP realm, the organisation's own numbers a transfer may go
// to, the inbound flow, and the two switches that widen what staff may do (calling out, listening in;
// both off by default). Saved whole through /api/staff/settings: nothing is written while any field is
// wrong, and each wrong field says so under itself.
import { useEffect, useState } from 'preact/hooks';
import { api, asApiError, currentSession, useApi, type FieldProblem } from '../../api.ts';
import { Button, Field, Notice } from '../../components/index.ts';
import { problemText } from '../../field-problems.ts';
import { VOICES, voiceLabel } from '../../names.ts';
import { plainFieldMessage } from '../../schema-messages.ts';
import type { StaffView } from '../../../../appliance/http/contract/staff.ts';
import { CheckIn, NumberIn, SectionForm, SelectIn, TextIn, type Doc, type Section } from './form.tsx';
import { t, type SetKey } from './messages.ts';
import { STAFF_USERS_CHANGED } from './users.tsx';

type Draft = Pick<StaffView, 'staff' | 'inbound'>;

function getAt(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

function setAt<T>(obj: T, path: string, value: unknown): T {
  const copy = structuredClone(obj) as Record<string, unknown>;
  const keys = path.split('.');
  let v = copy;
  for (const k of keys.slice(0, -1)) v = v[k] as Record<string, unknown>;
  v[keys[keys.length - 1]!] = value;
  return copy as T;
}

/** The section's draft, saved to /api/staff/settings; the box's field errors show under their fields. */
function useStaffDraft(initial: Draft, onSaved: (v: StaffView) => void) {
  const [draft, setDraft] = useState<Draft>(() => structuredClone(initial));
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [status, setStatus] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const say = (p: FieldProblem): string => (p.rule ? problemText(p) : plainFieldMessage(p.message ?? ''));
  const section: Section = {
    draft: draft as unknown as Doc,
    get: (path) => getAt(draft, path),
    set: (path, value) => setDraft((d) => setAt(d, path, value)),
    error: (path) => {
      const p = problems.find((x) => x.key === path);
      return p ? say(p) : undefined;
    },
    replace: (next) => setDraft(next as unknown as Draft),
  };
  /** Every problem at or under `path` (a list's entries), in words. */
  const under = (path: string): string | undefined => {
    const found = problems.filter((x) => x.key === path || x.key.startsWith(`${path}.`));
    return found.length ? found.map(say).join(' ') : undefined;
  };

  async function save(e?: Event): Promise<void> {
    e?.preventDefault();
    setSaving(true);
    setStatus(null);
    try {
      const saved = await api<StaffView>('PUT', '/api/staff/settings', { staff: draft.staff, inbound: draft.inbound });
      setProblems([]);
      setDraft({ staff: saved.staff, inbound: saved.inbound });
      setStatus({ kind: 'success', text: t('saved') });
      onSaved(saved);
    } catch (err) {
      const ae = asApiError(err);
      setProblems(ae.problems);
      setStatus({ kind: 'error', text: ae.problems.length > 0 ? t('invalid') : ae.message });
    } finally {
      setSaving(false);
    }
  }
  return { section, under, draft, setDraft, save, saving, status };
}

export function StaffSection() {
  const view = useApi<StaffView>('/api/staff');
  useEffect(() => {
    const again = (): void => view.reload();
    window.addEventListener(STAFF_USERS_CHANGED, again);
    return () => window.removeEventListener(STAFF_USERS_CHANGED, again);
    // reload() only bumps a counter: the first one stays good.
  }, []);
  if (currentSession()?.role !== 'admin') return null;
  if (view.error) return <Notice kind="error">{view.error.message}</Notice>;
  if (!view.data) return null;
  return <StaffForm view={view.data} onSaved={() => undefined} />;
}

const DAYS = [1, 2, 3, 4, 5, 6, 0] as const;

function StaffForm({ view, onSaved }: { view: StaffView; onSaved: (v: StaffView) => void }) {
  const { section: s, under, draft, setDraft, ...f } = useStaffDraft({ staff: view.staff, inbound: view.inbound }, onSaved);
  const takers = view.users.filter((u) => u.takeCalls).map((u) => u.username);
  const groups = draft.staff.groups;
  const change = (fn: (d: Draft) => void): void => setDraft((d) => {
    const c = structuredClone(d);
    fn(c);
    return c;
  });

  return (
    <SectionForm title={t('staffTitle')} intro={t('staffIntro')} testId="settings-staff" {...f}>
      <h3>{t('staff.groups')}</h3>
      <p class="muted">{t('staff.groupsIntro')}</p>
      {groups.length === 0 && <p class="muted">{t('staff.noGroups')}</p>}
      {groups.map((g, i) => {
        const names = [...new Set([...takers, ...g.members])];
        const membersErr = under(`staff.groups.${i}.members`);
        return (
          <fieldset key={i} class="staff-group" data-testid={`staff-group-${i}`}>
            <legend>{t('staff.group', { n: i + 1 })}</legend>
            <div class="form-row">
              <TextIn s={s} path={`staff.groups.${i}.name`} label={t('staff.groupName')} hint={t('staff.groupNameHint')} />
              <SelectIn s={s} path={`staff.groups.${i}.strategy`} label={t('staff.strategy')} options={[['ring-all', t('staff.strategy.ring-all')], ['longest-idle', t('staff.strategy.longest-idle')]]} />
            </div>
            <fieldset aria-describedby={membersErr ? `staff-members-${i}-error` : undefined}>
              <legend>{t('staff.members')}</legend>
              {names.length === 0 && <p class="muted">{t('staff.noTakers')}</p>}
              {names.map((u) => {
                const id = `staff-member-${i}-${u.replace(/\W/g, '-')}`;
                return (
                  <div class="check" key={u}>
                    <input id={id} type="checkbox" checked={g.members.includes(u)}
                      onChange={(e) => {
                        const on = e.currentTarget.checked;
                        change((d) => { const m = d.staff.groups[i]!.members.filter((x) => x !== u); d.staff.groups[i]!.members = on ? [...m, u] : m; });
                      }} />
                    <label for={id}>{u}</label>
                  </div>
                );
              })}
              {membersErr && <p class="field__error" id={`staff-members-${i}-error`}>{membersErr}</p>}
            </fieldset>
            <Button variant="link" onClick={() => change((d) => { d.staff.groups.splice(i, 1); })}>{t('staff.removeGroup', { n: i + 1 })}</Button>
          </fieldset>
        );
      })}
      <Button onClick={() => change((d) => { d.staff.groups.push({ name: '', members: [], strategy: 'ring-all' }); })}>{t('staff.addGroup')}</Button>

      <h3>{t('staff.deskPhones')}</h3>
      <TextList s={s} path="staff.deskPhoneRanges" label={(n) => t('staff.range', { n })} add={t('staff.addRange')} remove={(n) => t('staff.removeRange', { n })} hint={t('staff.rangeHint')} placeholder="192.168.1.0/24" />
      <TextIn s={s} path="staff.sipRealm" label={t('staff.sipRealm')} hint={t('staff.sipRealmHint')} />

      <h3>{t('staff.transferNumbers')}</h3>
      <p class="muted">{t('staff.transferIntro')}</p>
      <TextList s={s} path="staff.transferNumbers" label={(n) => t('staff.transferNumber', { n })} add={t('staff.addNumber')} remove={(n) => t('staff.removeNumber', { n })} hint={t('staff.numberHint')} />

      <h3>{t('staff.permissions')}</h3>
      <CheckIn s={s} path="staff.outboundCalls" label={t('staff.outboundCalls')} />
      <p class="field__hint">{t('staff.outboundHint')}</p>
      <CheckIn s={s} path="staff.listenIn" label={t('staff.listenIn')} />
      <p class="field__hint">{t('staff.listenInHint')}</p>

      <h3>{t('inboundTitle')}</h3>
      <p class="muted">{t('inboundIntro')}</p>
      <CheckIn s={s} path="inbound.enabled" label={t('inbound.enabled')} />
      <TextList s={s} path="inbound.numbers" label={(n) => t('inbound.number', { n })} add={t('staff.addNumber')} remove={(n) => t('staff.removeNumber', { n })} hint={t('inbound.numbersHint')} />
      <Field label={t('inbound.greeting')} hint={t('inbound.greetingHint')} error={s.error('inbound.greeting')}>
        <textarea rows={2} value={draft.inbound.greeting} onInput={(e) => s.set('inbound.greeting', e.currentTarget.value)} />
      </Field>
      <div class="form-row">
        <SelectIn s={s} path="inbound.voice" label={t('inbound.voice')} options={VOICES.map((v): [unknown, string] => [v, voiceLabel(v)])} />
        <NumberIn s={s} path="inbound.recentDays" label={t('inbound.recentDays')} />
        <TextIn s={s} path="inbound.optOutKey" label={t('inbound.optOutKey')} />
        <TextIn s={s} path="inbound.staffKey" label={t('inbound.staffKey')} />
        <SelectIn s={s} path="inbound.staffGroup" label={t('inbound.staffGroup')} options={[[null, t('inbound.noGroup')], ...groups.filter((g) => g.name).map((g): [unknown, string] => [g.name, g.name])]} />
        <Field label={t('inbound.wait')} error={s.error('inbound.waitMs')}>
          <input type="text" inputMode="numeric" value={String(Math.round(draft.inbound.waitMs / 1000))}
            onInput={(e) => { const x = Number(e.currentTarget.value.trim()); s.set('inbound.waitMs', Number.isFinite(x) ? Math.round(x * 1000) : e.currentTarget.value); }} />
        </Field>
      </div>
      <fieldset>
        <legend>{t('inbound.openingHours')}</legend>
        {draft.inbound.openingHours.length === 0 && <p class="muted">{t('inbound.noHours')}</p>}
        {draft.inbound.openingHours.map((h, i) => (
          <div key={i} class="form-row" data-testid={`opening-${i}`}>
            <fieldset aria-describedby={under(`inbound.openingHours.${i}.days`) ? `opening-${i}-days-error` : undefined}>
              <legend>{t('inbound.days', { n: i + 1 })}</legend>
              {DAYS.map((d) => {
                const id = `opening-${i}-day-${d}`;
                return (
                  <span class="check" key={d}>
                    <input id={id} type="checkbox" checked={h.days.includes(d)}
                      onChange={(e) => { const on = e.currentTarget.checked; change((x) => { const days = x.inbound.openingHours[i]!.days.filter((y) => y !== d); x.inbound.openingHours[i]!.days = on ? [...days, d].sort() : days; }); }} />
                    <label for={id}>{t(`day.${d}` as SetKey)}</label>
                  </span>
                );
              })}
              {under(`inbound.openingHours.${i}.days`) && <p class="field__error" id={`opening-${i}-days-error`}>{under(`inbound.openingHours.${i}.days`)}</p>}
            </fieldset>
            <TextIn s={s} path={`inbound.openingHours.${i}.from`} label={t('inbound.from')} placeholder="09:00" />
            <TextIn s={s} path={`inbound.openingHours.${i}.to`} label={t('inbound.to')} placeholder="17:30" />
            <Button variant="link" onClick={() => change((x) => { x.inbound.openingHours.splice(i, 1); })}>{t('inbound.removeHours', { n: i + 1 })}</Button>
          </div>
        ))}
        <Button onClick={() => change((x) => { x.inbound.openingHours.push({ days: [1, 2, 3, 4, 5], from: '09:00', to: '17:00' }); })}>{t('inbound.addHours')}</Button>
      </fieldset>
    </SectionForm>
  );
}

/** A list of short texts, one input each (so an error names its entry), with add and remove. */
function TextList({ s, path, label, add, remove, hint, placeholder }: {
  s: Section; path: string; label: (n: number) => string; add: string; remove: (n: number) => string; hint?: string; placeholder?: string;
}) {
  const list = (s.get(path) as string[] | undefined) ?? [];
  return (
    <div class="text-list">
      {hint && <p class="field__hint">{hint}</p>}
      {list.map((v, i) => (
        <div class="form-row" key={i}>
          <Field label={label(i + 1)} error={s.error(`${path}.${i}`)}>
            <input value={v} placeholder={placeholder} onInput={(e) => s.set(`${path}.${i}`, e.currentTarget.value)} />
          </Field>
          <Button variant="link" onClick={() => s.set(path, list.filter((_x, j) => j !== i))}>{remove(i + 1)}</Button>
        </div>
      ))}
      <Button onClick={() => s.set(path, [...list, ''])}>{add}</Button>
    </div>
  );
}
