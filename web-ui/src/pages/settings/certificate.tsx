// Web access (admins): HTTPS on or off and the port (at the next start), the certificate served now,
// installing one (PEM certificate with its chain, and its private key; checked by the box: readable,
// matching, valid now; served at once) and going back to the box's own.
import { useState } from 'preact/hooks';
import { api, asApiError, useApi, type ApiError } from '../../api.ts';
import { Button, Field, Notice } from '../../components/index.ts';
import { getLang, makeT, useLang } from '../../i18n.ts';
import { plainFieldMessage } from '../../schema-messages.ts';
import type { TlsInfo } from '../dashboard/certificate-card.tsx';
import { CheckIn, NumberIn, SectionForm, useSection, type Doc } from './form.tsx';
import { t as st } from './messages.ts';

const en = {
  heading: 'Web access (HTTPS)',
  intro: 'The box serves its pages over HTTPS with a certificate of its own, made for its names and addresses on the network; plain HTTP from the network is sent to HTTPS. Browsers give the microphone only to secure pages.',
  enabled: 'Serve HTTPS (plain HTTP from the network is redirected)',
  port: 'Port of the web pages',
  current: 'Certificate served now',
  'source.own': 'the box’s own (self-signed)',
  'source.installed': 'installed',
  fingerprint: 'SHA-256 fingerprint',
  subject: 'Subject',
  names: 'Names',
  validTo: 'Valid until',
  installTitle: 'Install a certificate',
  installIntro: 'A certificate from your organisation’s authority, with its chain after it, and its private key without a passphrase (both in PEM, text whose first line says BEGIN CERTIFICATE or BEGIN PRIVATE KEY). It is served at once, without a restart.',
  cert: 'Certificate (PEM)',
  key: 'Private key (PEM)',
  fromFile: 'or choose a file',
  install: 'Install the certificate',
  installed: 'Certificate installed: the box serves it now (SHA-256 {fp}). Reload the page to see it in your browser.',
  useOwn: 'Go back to the box’s own certificate',
  usedOwn: 'The box serves its own certificate again.',
  off: 'HTTPS is off: the box serves no certificate.',
};
const fr: Record<keyof typeof en, string> = {
  heading: 'Accès web (HTTPS)',
  intro: 'Le boîtier sert ses pages en HTTPS avec un certificat qu’il a fait lui-même pour ses noms et adresses sur le réseau ; le HTTP simple venant du réseau est renvoyé vers le HTTPS. Les navigateurs ne donnent le micro qu’aux pages sécurisées.',
  enabled: 'Servir en HTTPS (le HTTP simple venant du réseau est redirigé)',
  port: 'Port des pages web',
  current: 'Certificat servi actuellement',
  'source.own': 'celui du boîtier (auto-signé)',
  'source.installed': 'installé',
  fingerprint: 'Empreinte SHA-256',
  subject: 'Sujet',
  names: 'Noms',
  validTo: 'Valable jusqu’au',
  installTitle: 'Installer un certificat',
  installIntro: 'Un certificat de l’autorité de votre organisation, suivi de sa chaîne, et sa clé privée sans phrase secrète (les deux au format PEM, un texte dont la première ligne dit BEGIN CERTIFICATE ou BEGIN PRIVATE KEY). Il est servi aussitôt, sans redémarrage.',
  cert: 'Certificat (PEM)',
  key: 'Clé privée (PEM)',
  fromFile: 'ou choisissez un fichier',
  install: 'Installer le certificat',
  installed: 'Certificat installé : le boîtier le sert désormais (SHA-256 {fp}). Rechargez la page pour le voir dans votre navigateur.',
  useOwn: 'Revenir au certificat du boîtier',
  usedOwn: 'Le boîtier sert de nouveau son propre certificat.',
  off: 'Le HTTPS est désactivé : le boîtier ne sert aucun certificat.',
};
const t = makeT({ en, fr });

/** The box's words for a certificate or key problem, in the page's language. */
const FIELD_RULES: Array<[RegExp, (m: RegExpMatchArray) => { en: string; fr: string }]> = [
  [/^does not match the certificate/, () => ({ en: 'does not match the certificate: it is the private key of another certificate', fr: 'ne correspond pas au certificat : c’est la clé privée d’un autre certificat' })],
  [/^expired on (\d{4}-\d\d-\d\d)$/, (m) => ({ en: `expired on ${m[1]}`, fr: `a expiré le ${m[1]}` })],
  [/^is not valid before (\d{4}-\d\d-\d\d)$/, (m) => ({ en: `is not valid before ${m[1]}`, fr: `n’est pas valable avant le ${m[1]}` })],
  [/^is not a PEM certificate/, () => ({ en: 'is not a PEM certificate (a text starting with -----BEGIN CERTIFICATE-----)', fr: 'n’est pas un certificat PEM (un texte commençant par -----BEGIN CERTIFICATE-----)' })],
  [/^is not a PEM private key/, () => ({ en: 'is not a PEM private key (a text starting with -----BEGIN PRIVATE KEY-----)', fr: 'n’est pas une clé privée PEM (un texte commençant par -----BEGIN PRIVATE KEY-----)' })],
  [/^is encrypted with a passphrase/, () => ({ en: 'is protected by a passphrase: give the key without one', fr: 'est protégée par une phrase secrète : donnez la clé sans phrase secrète' })],
  [/^is a certificate authority/, () => ({ en: 'is an authority’s certificate: put the box’s certificate first, then its chain', fr: 'est le certificat d’une autorité : mettez d’abord le certificat du boîtier, puis sa chaîne' })],
  [/^cannot be read: (.*)$/, (m) => ({ en: `cannot be read (${m[1]})`, fr: `illisible (${m[1]})` })],
];

function fieldText(e: ApiError | null, name: 'cert' | 'key'): string | undefined {
  const raw = e?.fields[name] ?? e?.fields[`body.${name}`];
  if (raw === undefined) return undefined;
  for (const [re, make] of FIELD_RULES) {
    const m = re.exec(raw);
    if (m) return make(m)[getLang()];
  }
  return plainFieldMessage(raw);
}

function PemField({ name, value, onChange, error }: { name: 'cert' | 'key'; value: string; onChange: (v: string) => void; error: string | undefined }) {
  return (
    <div>
      <Field label={t(name)} error={error}>
        <textarea class="pem" spellcheck={false} autoComplete="off" value={value} onInput={(e) => onChange(e.currentTarget.value)} />
      </Field>
      <label class="small">{t('fromFile')}{' '}
        <input type="file" accept=".pem,.crt,.cer,.key,text/plain" aria-label={`${t(name)}: ${t('fromFile')}`}
          onChange={(e) => { const f = e.currentTarget.files?.[0]; if (f) void f.text().then(onChange); }} />
      </label>
    </div>
  );
}

export function CertificateSection({ doc, onSaved }: { doc: Doc; onSaved: (doc: Doc) => void }) {
  useLang();
  const { section: s, ...f } = useSection(doc, ['http'], onSaved);
  const tls = useApi<TlsInfo>('/api/tls');
  const [pair, setPair] = useState({ cert: '', key: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const [status, setStatus] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function install(e: Event): Promise<void> {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      const r = await api<TlsInfo>('POST', '/api/tls/certificate', pair);
      setPair({ cert: '', key: '' });
      setStatus({ kind: 'success', text: t('installed', { fp: r.fingerprint256 ?? '' }) });
      tls.reload();
    } catch (err) {
      const ae = asApiError(err);
      setError(ae);
      if (!ae.fields.cert && !ae.fields.key && !ae.fields['body.cert'] && !ae.fields['body.key']) setStatus({ kind: 'error', text: ae.message });
    } finally {
      setBusy(false);
    }
  }

  async function useOwn(): Promise<void> {
    setStatus(null);
    try {
      await api('POST', '/api/tls/use-own');
      setStatus({ kind: 'success', text: t('usedOwn') });
      tls.reload();
    } catch (err) {
      setStatus({ kind: 'error', text: asApiError(err).message });
    }
  }

  const info = tls.data;
  return (
    <>
      <SectionForm title={t('heading')} intro={<>{t('intro')} {st('restartHint')}</>} testId="settings-https" {...f}>
        <CheckIn s={s} path="http.tls.enabled" label={t('enabled')} />
        <div class="form-row">
          <NumberIn s={s} path="http.port" label={t('port')} />
        </div>
      </SectionForm>
      <section class="card" data-testid="settings-certificate">
        <h2>{t('current')}</h2>
        {info && !info.enabled && <p class="muted">{t('off')}</p>}
        {info?.enabled && (
          <dl class="kv">
            <dt>{t('current')}</dt><dd data-testid="certificate-source">{t(info.source === 'installed' ? 'source.installed' : 'source.own')}</dd>
            <dt>{t('fingerprint')}</dt><dd><code class="fingerprint">{info.fingerprint256}</code></dd>
            <dt>{t('subject')}</dt><dd>{info.subject}</dd>
            <dt>{t('names')}</dt><dd class="small">{(info.names ?? []).join(', ')}</dd>
            {info.validTo && <><dt>{t('validTo')}</dt><dd>{new Date(info.validTo).toLocaleDateString(getLang())}</dd></>}
          </dl>
        )}
        {status && <Notice kind={status.kind}>{status.text}</Notice>}
        {info?.source === 'installed' && <Button onClick={() => void useOwn()}>{t('useOwn')}</Button>}
        {info?.enabled && (
          <form onSubmit={(e) => void install(e)} noValidate>
            <h3>{t('installTitle')}</h3>
            <p class="muted small">{t('installIntro')}</p>
            <PemField name="cert" value={pair.cert} onChange={(v) => setPair((p) => ({ ...p, cert: v }))} error={fieldText(error, 'cert')} />
            <PemField name="key" value={pair.key} onChange={(v) => setPair((p) => ({ ...p, key: v }))} error={fieldText(error, 'key')} />
            <Button type="submit" variant="primary" busy={busy}>{t('install')}</Button>
          </form>
        )}
      </section>
    </>
  );
}
