// The shell: skip link, header (box name, menu, language switch, user, log out), sandbox banner, and the
// page for the current path. Anyone not logged in is sent to /login.
import { useEffect, useState } from 'preact/hooks';
import { loadSession, logout, roleAllows, usePolled, useSession } from './api.ts';
import { LangSwitch, Link } from './components/index.ts';
import { useLang } from './i18n.ts';
import { reconnectLive } from './live.ts';
import { t } from './messages.ts';
import { pageFor, PAGES } from './pages/index.ts';
import Login from './pages/login/index.tsx';
import { navigate, setParamsPattern, useRoute } from './router.ts';
import { SoftphonePanel } from './softphone/panel.tsx';

interface HealthBrief {
  box: string;
  onSandbox: boolean;
}

export function App() {
  useLang();
  const route = useRoute();
  const session = useSession();
  const [checked, setChecked] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const health = usePolled<HealthBrief>(session ? '/api/health' : null, 30000).data;

  useEffect(() => {
    loadSession().then(() => setChecked(true));
  }, []);
  useEffect(() => {
    if (session) reconnectLive();
  }, [session?.username]);
  useEffect(() => setMenuOpen(false), [route.path]);
  useEffect(() => {
    if (checked && !session && route.path !== '/login') {
      const next = route.path + (route.query.toString() ? `?${route.query}` : '');
      navigate(`/login${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`, { replace: true });
    }
  }, [checked, session, route.path]);

  if (!checked) return <p class="boot" role="status">{t('loading')}</p>;
  if (route.path === '/login' || !session) return <Login />;

  const page = pageFor(route.path);
  setParamsPattern(null);
  const visible = PAGES.filter((p) => roleAllows(session.role, p.minRole));
  const Current = page && roleAllows(session.role, page.minRole) ? page.component : null;
  document.title = `${page ? t(page.navKey) : t('notFound')} · ${health?.box ?? t('appName')}`;

  return (
    <div class="shell">
      <a class="skip" href="#main">{t('skipToContent')}</a>
      <header class="top">
        <div class="top__brand">{health?.box ?? t('appName')}</div>
        <button type="button" class="btn btn--link top__menu" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen(!menuOpen)}>{t('menu')}</button>
        <nav id="main-nav" class={`top__nav${menuOpen ? ' is-open' : ''}`} aria-label={t('mainNav')}>
          <ul>
            {visible.map((p) => (
              <li key={p.path}><Link href={p.path} aria-current={page === p ? 'page' : undefined}>{t(p.navKey)}</Link></li>
            ))}
          </ul>
        </nav>
        <div class="top__user">
          {roleAllows(session.role, 'operator') && <SoftphonePanel username={session.username} admin={session.role === 'admin'} />}
          <LangSwitch />
          <span class="top__who">{t('loggedInAs', { user: session.username, role: t(`role.${session.role}`) })}</span>
          <button type="button" class="btn btn--secondary" onClick={() => void logout()}>{t('logout')}</button>
        </div>
      </header>
      {health?.onSandbox && <div class="banner banner--sandbox" role="status" data-testid="sandbox-banner">{t('sandboxBanner')}</div>}
      <main id="main">
        {Current ? <Current /> : <p class="notice notice--warning" role="alert">{page ? t('forbidden') : t('notFound')}</p>}
      </main>
    </div>
  );
}
