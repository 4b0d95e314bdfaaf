// Users: list with role changes, new passwords and deletion; add a user. Uses /api/users (not the
// settings document, which never shows password hashes).
import { useState } from 'preact/hooks';
import { api, ApiError, asApiError, currentSession, useApi, type Role } from '../../api.ts';
import { Button, ConfirmDialog, Field, Notice, Table } from '../../components/index.ts';
import { t, type SetKey } from './messages.ts';

interface User {
  username: string;
  role: Role;
}

const ROLES: Role[] = ['admin', 'operator', 'viewer'];

function RoleSelect({ value, onChange, label }: { value: Role; onChange: (r: Role) => void; label?: string }) {
  return (
    <select value={value} aria-label={label} onChange={(e) => onChange(e.currentTarget.value as Role)}>
      {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}` as SetKey)}</option>)}
    </select>
  );
}

export function UsersSection() {
  const users = useApi<User[]>('/api/users');
  const me = currentSession()?.username;
  const [status, setStatus] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const [doomed, setDoomed] = useState<string | null>(null);
  const [pw, setPw] = useState<Record<string, string>>({});
  const [form, setForm] = useState<{ username: string; password: string; role: Role }>({ username: '', password: '', role: 'operator' });
  const [formError, setFormError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function change(name: string, body: { role?: Role; password?: string }): Promise<void> {
    try {
      await api('PUT', `/api/users/${encodeURIComponent(name)}`, body);
      setStatus({ kind: 'success', text: t('userChanged', { name }) });
      setPw((p) => ({ ...p, [name]: '' }));
      users.reload();
    } catch (e) {
      setStatus({ kind: 'error', text: e instanceof ApiError ? (e.field('password') ? `${t('newPassword')}: ${e.field('password')}` : e.message) : String(e) });
    }
  }

  async function add(e: Event): Promise<void> {
    e.preventDefault();
    setBusy(true);
    setFormError(null);
    try {
      await api('POST', '/api/users', form);
      setStatus({ kind: 'success', text: t('userAdded', { name: form.username }) });
      setForm({ username: '', password: '', role: 'operator' });
      users.reload();
    } catch (err) {
      setFormError(asApiError(err));
    } finally {
      setBusy(false);
    }
  }

  async function remove(): Promise<void> {
    const name = doomed;
    setDoomed(null);
    if (!name) return;
    try {
      await api('DELETE', `/api/users/${encodeURIComponent(name)}`);
      setStatus({ kind: 'success', text: t('userDeleted', { name }) });
      users.reload();
    } catch (e) {
      setStatus({ kind: 'error', text: asApiError(e).message });
    }
  }

  return (
    <section class="card" data-testid="settings-users">
      <h2>{t('usersTitle')}</h2>
      {status && <Notice kind={status.kind}>{status.text}</Notice>}
      {users.error && <Notice kind="error">{users.error.message}</Notice>}
      <Table<User>
        columns={[
          { key: 'username', label: t('username'), render: (u) => <>{u.username} {u.username === me && <span class="muted">{t('you')}</span>}</> },
          { key: 'role', label: t('role'), render: (u) => <RoleSelect value={u.role} label={`${t('role')}: ${u.username}`} onChange={(r) => void change(u.username, { role: r })} /> },
          { key: 'password', label: t('newPassword'), render: (u) => (
            <div class="actions">
              <input type="password" autoComplete="new-password" aria-label={`${t('newPassword')}: ${u.username}`} value={pw[u.username] ?? ''} onInput={(e) => setPw({ ...pw, [u.username]: e.currentTarget.value })} />
              <Button disabled={!pw[u.username]} onClick={() => void change(u.username, { password: pw[u.username] })}>{t('setPassword')}</Button>
            </div>
          ) },
          { key: 'delete', label: <span class="visually-hidden">{t('delete')}</span>, render: (u) => u.username === me ? null : <Button variant="link" aria-label={`${t('deleteUser')} ${u.username}`} onClick={() => setDoomed(u.username)}>{t('deleteUser')}</Button> },
        ]}
        rows={users.data ?? []}
        rowKey={(u) => u.username}
        label={t('usersTitle')}
      />
      <form onSubmit={(e) => void add(e)} noValidate>
        <h3>{t('addUserTitle')}</h3>
        {formError && <Notice kind="error">{formError.message}</Notice>}
        <div class="form-row">
          <Field label={t('username')} error={formError?.field('username')}>
            <input value={form.username} autoCapitalize="off" onInput={(e) => setForm({ ...form, username: e.currentTarget.value })} />
          </Field>
          <Field label={t('password')} error={formError?.field('password')}>
            <input type="password" autoComplete="new-password" value={form.password} onInput={(e) => setForm({ ...form, password: e.currentTarget.value })} />
          </Field>
          <Field label={t('role')} error={formError?.field('role')}>
            <select value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value as Role })}>
              {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}` as SetKey)}</option>)}
            </select>
          </Field>
        </div>
        <Button type="submit" variant="primary" busy={busy}>{t('addUser')}</Button>
      </form>
      <ConfirmDialog open={doomed !== null} title={t('deleteUserTitle', { name: doomed ?? '' })} confirmLabel={t('deleteUser')} cancelLabel={t('cancel')} danger onConfirm={() => void remove()} onCancel={() => setDoomed(null)}>
        <p>{t('deleteUserBody')}</p>
      </ConfirmDialog>
    </section>
  );
}
