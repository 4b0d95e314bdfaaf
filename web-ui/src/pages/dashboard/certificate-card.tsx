// The web UI's certificate on the dashboard: its SHA-256 fingerprint and SPKI hash, to compare with what
// the browser shows before trusting the box (the console line at start prints the same), and its PEM.
import { useApi } from '../../api.ts';
import { Card } from '../../components/index.ts';
import { formatDateTime, makeT, useLang } from '../../i18n.ts';

/** GET /api/tls (appliance/http/routes/tls.ts). */
export type { TlsInfo } from '../../../../appliance/http/contract/health.ts';
import type { TlsInfo } from '../../../../appliance/http/contract/health.ts';

const en = {
  heading: 'Secure access (HTTPS)',
  off: 'HTTPS is off (Settings › Web access): browsers give the microphone only to secure pages, so recording from a staff PC does not work.',
  source: 'Certificate',
  'source.own': 'the box’s own (self-signed)',
  'source.installed': 'installed by an administrator or the fleet',
  fingerprint: 'SHA-256 fingerprint',
  spki: 'Public key (SPKI SHA-256)',
  validTo: 'Valid until',
  compare: 'Before you accept the box’s certificate in a browser, check that the browser shows this fingerprint.',
  download: 'Download the certificate',
};
const fr: Record<keyof typeof en, string> = {
  heading: 'Accès sécurisé (HTTPS)',
  off: 'Le HTTPS est désactivé (Réglages › Accès web) : les navigateurs ne donnent le micro qu’aux pages sécurisées, l’enregistrement depuis un poste ne fonctionne donc pas.',
  source: 'Certificat',
  'source.own': 'celui du boîtier (auto-signé)',
  'source.installed': 'installé par un administrateur ou par la flotte',
  fingerprint: 'Empreinte SHA-256',
  spki: 'Clé publique (SPKI SHA-256)',
  validTo: 'Valable jusqu’au',
  compare: 'Avant d’accepter le certificat du boîtier dans un navigateur, vérifiez que le navigateur affiche cette empreinte.',
  download: 'Télécharger le certificat',
};
const t = makeT({ en, fr });

export function CertificateCard() {
  useLang();
  const tls = useApi<TlsInfo>('/api/tls').data;
  if (!tls) return null;
  return (
    <Card title={t('heading')} testId="tls-card">
      {!tls.enabled && <p class="notice notice--warning small">{t('off')}</p>}
      {tls.enabled && (
        <>
          <dl class="kv">
            <dt>{t('source')}</dt>
            <dd>{t(tls.source === 'installed' ? 'source.installed' : 'source.own')}</dd>
            <dt>{t('fingerprint')}</dt>
            <dd><code class="fingerprint" data-testid="tls-fingerprint">{tls.fingerprint256}</code></dd>
            <dt>{t('spki')}</dt>
            <dd><code class="fingerprint" data-testid="tls-spki">{tls.spkiSha256}</code></dd>
            {tls.validTo && <><dt>{t('validTo')}</dt><dd>{formatDateTime(tls.validTo, { dateStyle: 'long' })}</dd></>}
          </dl>
          <p class="small muted">{t('compare')} <a href="/api/tls/certificate.pem" download="box-certificate.pem">{t('download')}</a></p>
        </>
      )}
    </Card>
  );
}
