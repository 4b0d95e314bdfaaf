// The console's shell: login, the language switch, the navigation and the page for the current hash
// (#/boxes, #/box/<id>, #/alerts, #/commands, #/rollouts, #/audit).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, setCsrf, setOnSessionEnded } from './api.ts';
import { getLang, setLang, t, useLang } from './i18n.ts';
import { AlertsPage, AuditPage, BoxesPage, BoxPage } from './pages.tsx';
import { CommandsPage, RolloutsPage } from './actions.tsx';
import { EnrolPage } from './enrol.tsx';
import './styles.css';

interface Me { username: string; role: 'viewer' | 'operator' | 'admin'; csrfToken: string }

function useHash(): string {
  const [h, set] = useState(location.hash || '#/boxes');
  useEffect(() => {
    const f = (): void => set(location.hash || '#/boxes');
    addEventListener('hashchange', f);
    return () => removeEventListener('hashchange', f);
  }, []);
  return h;
}

function Login(p: { onIn: (m: Me) => void }) {
  const [error, setError] = useState('');
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    try {
      p.onIn(await api<Me>('POST', '/api/login', { username: String(f.get('username')), password: String(f.get('password')) }));
    } catch (err) {
      setError(err instanceof ApiError ? err.text : String(err));
    }
  };
  return (
    <form class="login" onSubmit={submit} aria-describedby={error ? 'login-error' : undefined}>
      <h1>{t('title')}</h1>
      <label>{t('username')}<input name="username" autocomplete="username" required /></label>
      <label>{t('password')}<input name="password" type="password" autocomplete="current-password" required /></label>
      {error && <p id="login-error" class="error" role="alert">{error}</p>}
      <button type="submit">{t('login')}</button>
    </form>
  );
}

function App() {
  useLang();
  const hash = useHash();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  useEffect(() => {
    setOnSessionEnded(() => setMe(null));
    api<Me>('GET', '/api/session').then((m) => { setCsrf(m.csrfToken); setMe(m); }, () => setMe(null));
  }, []);
  const switcher = (
    <button type="button" class="lang" aria-label={t('languageLabel')} lang={getLang() === 'fr' ? 'en' : 'fr'} onClick={() => setLang(getLang() === 'fr' ? 'en' : 'fr')}>{t('language')}</button>
  );
  if (me === undefined) return <p>{t('loading')}</p>;
  if (me === null) return <main>{switcher}<Login onIn={(m) => { setCsrf(m.csrfToken); setMe(m); }} /></main>;
  const nav: Array<[string, string]> = [['#/boxes', t('navBoxes')], ['#/alerts', t('navAlerts')], ['#/commands', t('navCommands')], ['#/rollouts', t('navRollouts')], ...(me.role === 'admin' ? [['#/enrol', t('navEnrol')] as [string, string], ['#/audit', t('navAudit')] as [string, string]] : [])];
  const boxMatch = /^#\/box\/(.+)$/.exec(hash);
  const page = boxMatch ? <BoxPage id={decodeURIComponent(boxMatch[1]!)} />
    : hash === '#/alerts' ? <AlertsPage />
    : hash === '#/commands' ? <CommandsPage role={me.role} />
    : hash === '#/rollouts' ? <RolloutsPage role={me.role} />
    : hash === '#/audit' ? <AuditPage />
    : hash === '#/enrol' ? <EnrolPage />
    : <BoxesPage />;
  return (
    <>
      <header>
        <strong>{t('title')}</strong>
        <nav aria-label={t('title')}>
          {nav.map(([href, label]) => <a href={href} aria-current={hash === href ? 'page' : undefined}>{label}</a>)}
        </nav>
        <span>{t('loggedInAs', { user: me.username, role: me.role })}</span>
        {switcher}
        <button type="button" onClick={() => void api('POST', '/api/logout', {}).finally(() => setMe(null))}>{t('logout')}</button>
      </header>
      <main>{page}</main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
