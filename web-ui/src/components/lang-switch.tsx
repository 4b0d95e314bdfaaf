// The language switch (English / Français), remembered in localStorage by i18n.setLang.
import { LANGS, setLang, useLang, type Lang } from '../i18n.ts';
import { t } from '../messages.ts';

export function LangSwitch() {
  const lang = useLang();
  return (
    <label class="lang">
      <span class="visually-hidden">{t('language')}</span>
      <select value={lang} onChange={(e) => setLang(e.currentTarget.value as Lang)}>
        {LANGS.map((l) => <option key={l} value={l} lang={l}>{l === 'en' ? 'English' : 'Français'}</option>)}
      </select>
    </label>
  );
}
