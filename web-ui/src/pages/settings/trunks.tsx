// Trunks and GSM gateways: add, edit, remove, choose the default, and place a test call on a saved trunk.
import { useState } from 'preact/hooks';
import { api, ApiError, asApiError, useApi } from '../../api.ts';
import { Button, Field, Notice } from '../../components/index.ts';
import { formatDuration } from '../../i18n.ts';
import { CheckIn, ListIn, NumberIn, SectionForm, SecretIn, SelectIn, TextIn, useSection, type Doc, type Section } from './form.tsx';
import { t, type SetKey } from './messages.ts';
import type { TestCallReply } from '../../../../appliance/http/contract/recordings.ts';

interface Trunk {
  name: string;
  kind: 'sip' | 'gsm' | 'sandbox';
  auth: string;
  [k: string]: unknown;
}

type TestReport = TestCallReply;

function newTrunk(kind: 'sip' | 'gsm', existing: Trunk[]): Trunk {
  const base = kind === 'gsm' ? 'gsm' : 'trunk';
  let n = existing.length + 1;
  while (existing.some((x) => x.name === `${base}-${n}`)) n++;
  const common = { name: `${base}-${n}`, kind, enabled: true, host: '', port: 5060, transport: 'udp', auth: 'ip', registerExpiresSec: 3600, allowedSources: [], cps: kind === 'gsm' ? 1 : 5, codecs: ['PCMA', 'PCMU'], dtmf: 'auto', optionsIntervalSec: 30 };
  return kind === 'gsm' ? { ...common, channels: 8, gsm: { ports: 8, channelsPerPort: 1, coolDownMs: 5000 } } : { ...common, channels: 30 };
}

function TestCall({ trunk }: { trunk: string }) {
  const recs = useApi<{ id: string; name: string }[]>('/api/recordings');
  const [to, setTo] = useState('');
  const [rec, setRec] = useState('');
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<TestReport | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const chosen = rec || recs.data?.[0]?.id || '';

  async function run(): Promise<void> {
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      setReport(await api<TestReport>('POST', `/api/trunks/${encodeURIComponent(trunk)}/test-call`, { to: to.trim(), recordingId: chosen }));
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <fieldset data-testid={`test-call-${trunk}`}>
      <legend>{t('testTitle')}</legend>
      {recs.data && recs.data.length === 0 ? <p class="muted">{t('testNoRecording')}</p> : (
        <div class="toolbar">
          <Field label={t('testTo')} error={error?.field('to')}>
            <input type="tel" value={to} placeholder="+33612345678" onInput={(e) => setTo(e.currentTarget.value)} />
          </Field>
          <Field label={t('testRecording')} error={error?.field('recordingId')}>
            <select value={chosen} onChange={(e) => setRec(e.currentTarget.value)}>
              {(recs.data ?? []).map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
            </select>
          </Field>
          <Button busy={busy} disabled={!chosen} onClick={() => void run()}>{t('testButton')}</Button>
        </div>
      )}
      {error && <Notice kind="error">{error.message}</Notice>}
      {report && (
        <Notice kind={report.outcome === 'human' ? 'success' : 'warning'} testId="test-call-result">
          {t('testResult', { outcome: report.outcome, sip: report.sipCode ?? '—', played: report.messageCompleted ? t('testPlayed') : t('testNotPlayed'), keys: report.dtmf || t('testNoKeys') })}
          {' '}({formatDuration(report.durations.talkMs / 1000)})
        </Notice>
      )}
    </fieldset>
  );
}

function TrunkForm({ s, i, saved, onRemove }: { s: Section; i: number; saved: boolean; onRemove: () => void }) {
  const p = (k: string): string => `trunks.${i}.${k}`;
  const kind = s.get(p('kind'));
  const auth = s.get(p('auth'));
  const name = String(s.get(p('name')) ?? '');
  return (
    <fieldset data-testid={`trunk-${i}`}>
      <legend>{name || '—'} · {t(`kind.${kind === 'gsm' ? 'gsm' : kind === 'sandbox' ? 'sandbox' : 'sip'}` as SetKey)}</legend>
      <CheckIn s={s} path={p('enabled')} label={t('trunk.enabled')} />
      <div class="form-row">
        <TextIn s={s} path={p('name')} label={t('trunk.name')} />
        <SelectIn s={s} path={p('kind')} label={t('trunk.kind')} options={[['sip', t('kind.sip')], ['gsm', t('kind.gsm')]]} />
        <TextIn s={s} path={p('host')} label={t('trunk.host')} />
        <NumberIn s={s} path={p('port')} label={t('trunk.port')} />
        <SelectIn s={s} path={p('transport')} label={t('trunk.transport')} options={[['udp', 'UDP'], ['tcp', 'TCP'], ['tls', 'TLS']]} />
        <SelectIn s={s} path={p('auth')} label={t('trunk.auth')} options={[['ip', t('auth.ip')], ['register', t('auth.register')], ['digest', t('auth.digest')]]} />
        {auth !== 'ip' && <TextIn s={s} path={p('username')} label={t('trunk.username')} optional />}
        {auth !== 'ip' && <SecretIn s={s} path={p('password')} label={t('trunk.password')} />}
        {auth === 'register' && <NumberIn s={s} path={p('registerExpiresSec')} label={t('trunk.registerExpiresSec')} />}
        <TextIn s={s} path={p('domain')} label={t('trunk.domain')} optional />
        <NumberIn s={s} path={p('channels')} label={t('trunk.channels')} />
        <NumberIn s={s} path={p('cps')} label={t('trunk.cps')} />
        <SelectIn s={s} path={p('dtmf')} label={t('trunk.dtmf')} options={[['auto', 'auto'], ['rfc4733', 'RFC 4733'], ['inband', 'in-band'], ['info', 'SIP INFO']]} />
        <TextIn s={s} path={p('dialPrefix')} label={t('trunk.dialPrefix')} hint={t('trunk.dialPrefixHint')} optional />
        <ListIn s={s} path={p('codecs')} label={t('trunk.codecs')} />
        <ListIn s={s} path={p('allowedSources')} label={t('trunk.allowedSources')} />
        <ListIn s={s} path={p('mediaSources')} label={t('trunk.mediaSources')} hint={t('trunk.mediaSourcesHint')} />
        <NumberIn s={s} path={p('optionsIntervalSec')} label={t('trunk.optionsIntervalSec')} />
      </div>
      <CheckIn s={s} path={p('keepPlus')} label={t('trunk.keepPlus')} />
      {kind === 'gsm' && (
        <fieldset>
          <legend>{t('gsmTitle')}</legend>
          <div class="form-row">
            <NumberIn s={s} path={p('gsm.ports')} label={t('gsm.ports')} />
            <NumberIn s={s} path={p('gsm.channelsPerPort')} label={t('gsm.channelsPerPort')} />
            <NumberIn s={s} path={p('gsm.coolDownMs')} label={t('gsm.coolDownMs')} />
          </div>
        </fieldset>
      )}
      {saved ? <TestCall trunk={name} /> : <p class="muted small">{t('testSaveFirst')}</p>}
      <Button variant="danger" onClick={onRemove}>{t('remove')}</Button>
    </fieldset>
  );
}

export function TrunksSection({ doc, onSaved }: { doc: Doc; onSaved: (doc: Doc) => void }) {
  const [savedNames, setSavedNames] = useState<string[]>(() => ((doc.trunks as Trunk[] | undefined) ?? []).map((x) => x.name));
  const { section: s, ...f } = useSection(doc, ['trunks', 'defaultTrunk'], (d) => {
    setSavedNames(((d.trunks as Trunk[] | undefined) ?? []).map((x) => x.name));
    onSaved(d);
  });
  const trunks = (s.get('trunks') as Trunk[] | undefined) ?? [];
  const running = useApi<{ trunks: { name: string; kind: string }[] }>('/api/health');
  const sandboxes = (running.data?.trunks ?? []).filter((x) => x.kind === 'sandbox' && !trunks.some((y) => y.name === x.name));
  const add = (kind: 'sip' | 'gsm'): void => s.set('trunks', [...trunks, newTrunk(kind, trunks)]);
  const remove = (i: number): void => {
    const gone = trunks[i]?.name;
    s.set('trunks', trunks.filter((_, j) => j !== i));
    if (gone && s.get('defaultTrunk') === gone) s.set('defaultTrunk', null);
  };
  return (
    <SectionForm title={t('trunksTitle')} intro={t('trunksIntro')} testId="settings-trunks" {...f}>
      {trunks.length === 0 && <p class="notice notice--info">{t('noTrunks')}</p>}
      {sandboxes.map((x) => <fieldset key={x.name}><legend>{x.name} · {t('kind.sandbox')}</legend><TestCall trunk={x.name} /></fieldset>)}
      {trunks.map((tr, i) => <TrunkForm key={i} s={s} i={i} saved={savedNames.includes(tr.name)} onRemove={() => remove(i)} />)}
      <div class="actions">
        <Button onClick={() => add('sip')}>{t('addSip')}</Button>
        <Button onClick={() => add('gsm')}>{t('addGsm')}</Button>
      </div>
      <SelectIn s={s} path="defaultTrunk" label={t('defaultTrunk')} options={[[null, t('noDefault')], ...trunks.map((x): [unknown, string] => [x.name, x.name])]} />
    </SectionForm>
  );
}
