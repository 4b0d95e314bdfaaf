// Users: list with role changes, new passwords and deletion; add a user. Uses /api/users (not the
// settings document, which never shows password hashes).
import { useState } from 'preact/hooks';
import { api, ApiError, asApiError, currentSession, useApi, type FieldProblem, type Role } from '../../api.ts';
import { FormErrors } from '../../components/form-errors.tsx';
import { fieldId, problemsOf, problemText } from '../../field-problems.ts';
import { Button, ConfirmDialog, Field, Notice, Table } from '../../components/index.ts';
import { t, type SetKey } from './messages.ts';
import type { User as UserReply } from '../../../../appliance/http/contract/auth.ts';
import type { StaffView } from '../../../../appliance/http/contract/staff.ts';

type User = UserReply;

/** Said on the window when who takes calls changed, so the staff section offers the right members. */
export const STAFF_USERS_CHANGED = 'staff-users-changed';

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
  // Who takes calls and who has a desk phone (issue 16); the desk phone's password is never sent back.
  const staff = useApi<StaffView>('/api/staff');
  const [desk, setDesk] = useState<Record<string, string>>({});
  /** A "takes calls" box as ticked while the box is asked (it shows the box's answer after). */
  const [asked, setAsked] = useState<Record<string, boolean>>({});
  const me = currentSession()?.username;
  const [status, setStatus] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const [doomed, setDoomed] = useState<string | null>(null);
  const [pw, setPw] = useState<Record<string, string>>({});
  const [form, setForm] = useState<{ username: string; password: string; role: Role }>({ username: '', password: '', role: 'operator' });
  const [formError, setFormError] = useState<ApiError | null>(null);
  /** Every field of the new-user form at fault: the page's own check first, then the box's. */
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const fid = (k: string): string => fieldId('user', k);
  const say = (p: FieldProblem): string => (p.rule && Object.hasOwn(USER_WORDS, p.rule) ? t(USER_WORDS[p.rule]!) : problemText(p));
  const fieldErr = (k: string): string | undefined => {
    const p = problems.find((x) => x.key === k);
    return p ? say(p) : undefined;
  };
  const label = (k: string): string => (k === 'username' ? t('username') : k === 'password' ? t('password') : k === 'role' ? t('role') : k);
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

  async function changeStaff(name: string, body: { takeCalls?: boolean; deskPhonePassword?: string | null }): Promise<void> {
    if (body.takeCalls !== undefined) setAsked((a) => ({ ...a, [name]: body.takeCalls! }));
    try {
      const r = await api<{ takeCalls: boolean }>('PUT', `/api/users/${encodeURIComponent(name)}/staff`, body);
      setAsked((a) => ({ ...a, [name]: r.takeCalls }));
      setStatus({ kind: 'success', text: body.takeCalls === undefined ? t('deskPhoneChanged', { name }) : t('takesCallsChanged', { name, value: t(r.takeCalls ? 'yes' : 'no') }) });
      setDesk((p) => ({ ...p, [name]: '' }));
      staff.reload();
      window.dispatchEvent(new Event(STAFF_USERS_CHANGED));
    } catch (e) {
      const ae = asApiError(e);
      setAsked((a) => { const { [name]: _gone, ...rest } = a; return rest; });
      const field = ae.problems.find((p) => p.key === 'deskPhonePassword');
      setStatus({ kind: 'error', text: field ? `${t('deskPhone')}: ${problemText(field)}` : ae.message });
    }
  }

  async function add(e: Event): Promise<void> {
    e.preventDefault();
    setFormError(null);
    // What the page can tell, all at once; the box checks again.
    const mine: FieldProblem[] = [];
    if (!form.username.trim()) mine.push({ key: 'username', rule: 'required' });
    else if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(form.username)) mine.push({ key: 'username', rule: 'username-form' });
    if (!form.password) mine.push({ key: 'password', rule: 'required' });
    else if (form.password.length < 8) mine.push({ key: 'password', rule: 'password-length' });
    setProblems(mine);
    if (mine.length > 0) return;
    setBusy(true);
    try {
      await api('POST', '/api/users', form);
      setStatus({ kind: 'success', text: t('userAdded', { name: form.username }) });
      setForm({ username: '', password: '', role: 'operator' });
      users.reload();
    } catch (err) {
      const ae = asApiError(err);
      setFormError(ae);
      setProblems(problemsOf(ae));
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
          { key: 'takeCalls', label: t('takesCalls'), render: (u) => {
            const su = staff.data?.users.find((x) => x.username === u.username);
            return <input type="checkbox" aria-label={t('takesCallsFor', { name: u.username })} checked={asked[u.username] ?? Boolean(su?.takeCalls)} disabled={!su} onChange={(e) => void changeStaff(u.username, { takeCalls: e.currentTarget.checked })} />;
          } },
          { key: 'deskPhone', label: t('deskPhone'), render: (u) => {
            const su = staff.data?.users.find((x) => x.username === u.username);
            if (!(asked[u.username] ?? su?.takeCalls)) return <span class="muted">{t('deskPhoneNone')}</span>;
            return (
              <div class="actions">
                <span class="muted" data-testid={`desk-phone-${u.username}`}>{su?.deskPhone ? t('deskPhoneSet') : t('deskPhoneNone')}</span>
                <input type="password" autoComplete="new-password" minLength={12} title={t('deskPhoneHint')} aria-label={t('deskPhonePassword', { name: u.username })} value={desk[u.username] ?? ''} onInput={(e) => setDesk({ ...desk, [u.username]: e.currentTarget.value })} />
                <Button disabled={!desk[u.username]} onClick={() => void changeStaff(u.username, { deskPhonePassword: desk[u.username] })}>{t('setDeskPhone')}</Button>
                {su?.deskPhone && <Button variant="link" aria-label={`${t('removeDeskPhone')}: ${t('deskPhone')} ${u.username}`} onClick={() => void changeStaff(u.username, { deskPhonePassword: null })}>{t('removeDeskPhone')}</Button>}
              </div>
            );
          } },
          { key: 'delete', label: <span class="visually-hidden">{t('delete')}</span>, render: (u) => u.username === me ? null : <Button variant="link" aria-label={`${t('deleteUser')} ${u.username}`} onClick={() => setDoomed(u.username)}>{t('deleteUser')}</Button> },
        ]}
        rows={users.data ?? []}
        rowKey={(u) => u.username}
        label={t('usersTitle')}
      />
      <form onSubmit={(e) => void add(e)} noValidate>
        <h3>{t('addUserTitle')}</h3>
        {(problems.length > 0 || formError) && (
          <FormErrors title={t('addUserFailed')} problems={problems} label={label} idFor={fid} text={say} testId="user-form-errors">
            {formError && problems.length === 0 && <p>{formError.message}</p>}
          </FormErrors>
        )}
        <div class="form-row">
          <Field label={t('username')} id={fid('username')} error={fieldErr('username')}>
            <input value={form.username} autoCapitalize="off" onInput={(e) => setForm({ ...form, username: e.currentTarget.value })} />
          </Field>
          <Field label={t('password')} id={fid('password')} error={fieldErr('password')}>
            <input type="password" autoComplete="new-password" value={form.password} onInput={(e) => setForm({ ...form, password: e.currentTarget.value })} />
          </Field>
          <Field label={t('role')} id={fid('role')} error={fieldErr('role')}>
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

/** The user form's own words for its rules. */
const USER_WORDS: Record<string, SetKey> = { 'username-form': 'usernameForm', 'password-length': 'passwordLength', required: 'fieldRequired' };
