// Login: a wrong password and the rate limit each get their own plain message, shown at the form and
// next to the password field. While the box refuses tries, the wait counts down each second and the
// button stays off; at zero the message goes and the button comes back.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, login } from '../../api.ts';
import { Button, Field, LangSwitch, Notice } from '../../components/index.ts';
import { formatDuration, useLang } from '../../i18n.ts';
import { navigate, useRoute } from '../../router.ts';
import { t } from './messages.ts';

export default function Login() {
  useLang();
  const route = useRoute();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<{ username?: string; password?: string }>({});
  /** When the box takes tries again (ms since the epoch), while it refuses them. */
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (lockedUntil === null) return;
    const tick = (): void => {
      const at = Date.now();
      setNow(at);
      if (at >= lockedUntil) setLockedUntil(null);
    };
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [lockedUntil]);
  const waitSec = lockedUntil === null ? 0 : Math.max(0, Math.ceil((lockedUntil - now) / 1000));
  const waitText = waitSec > 0 ? t('rateLimited', { wait: formatDuration(waitSec) }) : null;

  async function submit(e: Event): Promise<void> {
    e.preventDefault();
    const missing = { username: username.trim() ? undefined : t('required'), password: password ? undefined : t('required') };
    if (missing.username || missing.password) {
      setFieldErrors(missing);
      setError(null);
      return;
    }
    if (waitSec > 0) return;
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      await login(username.trim(), password);
      const next = route.query.get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'E_RATE_LIMITED') {
        const at = Date.now();
        setNow(at);
        setLockedUntil(at + Math.max(1, Number(err.where.retryAfterSec ?? 60)) * 1000);
        setError(null);
        setFieldErrors({});
      } else {
        const msg = !(err instanceof ApiError) ? String(err)
          : err.code === 'E_AUTH' ? t('wrong')
          : err.status === 0 ? t('network') : err.message;
        setError(msg);
        setFieldErrors({ password: msg });
      }
      setPassword('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="login">
      <div class="login__lang"><LangSwitch /></div>
      <form class="card login__card" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="login-title">
        <h1 id="login-title">{t('title')}</h1>
        <p>{t('intro')}</p>
        {(waitText ?? error) && <Notice kind="error" testId="login-error">{waitText ?? error}</Notice>}
        <Field label={t('username')} error={fieldErrors.username}>
          <input name="username" autoComplete="username" autoCapitalize="off" spellcheck={false} value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </Field>
        <Field label={t('password')} error={waitText ?? fieldErrors.password}>
          <input name="password" type="password" autoComplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        <Button type="submit" variant="primary" busy={busy} disabled={waitSec > 0}>{t('submit')}</Button>
        <p class="muted small">{t('firstAdmin')}</p>
      </form>
    </main>
  );
}
