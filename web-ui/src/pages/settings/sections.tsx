// The smaller settings sections: the box itself, compliance pack, fleet connection, call engine.
import { CheckIn, NumberIn, SectionForm, SecretIn, SelectIn, TextIn, useSection, type Doc } from './form.tsx';
import { t, type SetKey } from './messages.ts';

interface Props {
  doc: Doc;
  onSaved: (doc: Doc) => void;
}

export function BoxSection({ doc, onSaved }: Props) {
  const { section: s, ...f } = useSection(doc, ['box', 'logging', 'clock'], onSaved);
  return (
    <SectionForm title={t('boxTitle')} testId="settings-box" {...f}>
      <div class="form-row">
        <TextIn s={s} path="box.name" label={t('box.name')} />
        <TextIn s={s} path="box.country" label={t('box.country')} hint={t('box.countryHint')} />
        <TextIn s={s} path="box.timezone" label={t('box.timezone')} placeholder="Europe/Paris" />
        <SelectIn s={s} path="logging.level" label={t('logging.level')} options={['error', 'warn', 'info', 'debug'].map((l) => [l, t(`logging.level.${l}` as SetKey)])} />
        <SelectIn s={s} path="clock.requireSync" label={t('clock.requireSync')} options={[['auto', t('clock.auto')], [true, t('clock.true')], [false, t('clock.false')]]} />
      </div>
    </SectionForm>
  );
}

const PACKS = [null, 'fr', 'uk', 'us', 'ca', 'none'] as const;

export function ComplianceSection({ doc, onSaved }: Props) {
  const { section: s, ...f } = useSection(doc, ['compliance'], onSaved);
  return (
    <SectionForm title={t('complianceTitle')} intro={t('complianceIntro')} testId="settings-compliance" {...f}>
      <SelectIn s={s} path="compliance.pack" label={t('compliance.pack')} options={PACKS.map((p) => [p, t(`pack.${p ?? 'null'}` as SetKey)])} />
    </SectionForm>
  );
}

export function FleetSection({ doc, onSaved }: Props) {
  const { section: s, ...f } = useSection(doc, ['fleet'], onSaved);
  return (
    <SectionForm title={t('fleetTitle')} intro={t('fleetIntro')} testId="settings-fleet" {...f}>
      <CheckIn s={s} path="fleet.enabled" label={t('fleet.enabled')} />
      <div class="form-row">
        <TextIn s={s} path="fleet.url" label={t('fleet.url')} nullable />
        <TextIn s={s} path="fleet.boxId" label={t('fleet.boxId')} nullable />
        <NumberIn s={s} path="fleet.telemetryIntervalSec" label={t('fleet.telemetryIntervalSec')} optional />
        <NumberIn s={s} path="fleet.sessionExpiryDays" label={t('fleet.sessionExpiryDays')} optional />
      </div>
    </SectionForm>
  );
}

export function EngineSection({ doc, onSaved }: Props) {
  const { section: s, ...f } = useSection(doc, ['engine', 'drachtio', 'sip', 'media'], onSaved);
  return (
    <SectionForm title={t('engineTitle')} intro={t('restartHint')} testId="settings-engine" {...f}>
      <SelectIn s={s} path="engine" label={t('engine')} options={[['embedded', t('engine.embedded')], ['drachtio', t('engine.drachtio')]]} />
      {s.get('engine') === 'drachtio' && (
        <div class="form-row">
          <TextIn s={s} path="drachtio.host" label={t('drachtio.host')} />
          <NumberIn s={s} path="drachtio.port" label={t('drachtio.port')} />
          <SecretIn s={s} path="drachtio.secret" label={t('drachtio.secret')} />
        </div>
      )}
      <div class="form-row">
        <NumberIn s={s} path="sip.port" label={t('sip.port')} />
        <TextIn s={s} path="sip.publicAddress" label={t('sip.publicAddress')} optional />
        <NumberIn s={s} path="media.rtpPortMin" label={t('media.rtpPortMin')} />
        <NumberIn s={s} path="media.rtpPortMax" label={t('media.rtpPortMax')} />
      </div>
    </SectionForm>
  );
}
