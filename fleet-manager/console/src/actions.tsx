// The acting pages: groups, the emergency stop and commands with their answers; staged rollouts of a
// desired configuration. Buttons a role may not use are not shown (the server refuses them anyway).
import { useState } from 'preact/hooks';
import { api, ApiError, type Command, type Group, type Rollout } from './api.ts';
import { t } from './i18n.ts';
import { usePoll } from './poll.ts';
import { Problem } from './pages.tsx';

type Role = 'viewer' | 'operator' | 'admin';

function useAction(): { msg: string | null; error: string | null; run: (f: () => Promise<string>) => Promise<void> } {
  const [msg, setMsg] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (f: () => Promise<string>): Promise<void> => {
    setMsg(null);
    setError(null);
    try { setMsg(await f()); } catch (e) { setError(e instanceof ApiError ? e.text : String(e)); }
  };
  return { msg, error, run };
}

function answerText(b: Command['boxes'][number]): string {
  if (b.status === null) return t('waiting');
  if (b.status === 'error') return `${t('answerError')}: ${b.answer?.error ?? ''}`;
  const d = b.answer?.data as { paused?: number[] } | undefined;
  if (d && Array.isArray(d.paused)) return `${t('answerOk')}: ${d.paused.length ? t('paused', { ids: d.paused.join(', ') }) : t('nothingRunning')}`;
  return t('answerOk');
}

function Groups(p: { groups: Group[]; role: Role; reload: () => void }) {
  const a = useAction();
  const save = (e: Event): void => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const name = String(f.get('name')).trim();
    const boxes = String(f.get('boxes')).split(/[\s,]+/).filter(Boolean);
    void a.run(async () => { await api('PUT', `/api/groups/${encodeURIComponent(name)}`, { boxes }); p.reload(); return t('groupSaved', { name }); });
  };
  return (
    <section aria-labelledby="groups-h">
      <h2 id="groups-h">{t('groups')}</h2>
      {p.groups.length === 0 ? <p>{t('noGroups')}</p> : <ul>{p.groups.map((g) => <li>{g.name}: {g.boxes.join(', ')}</li>)}</ul>}
      {p.role !== 'viewer' && (
        <form onSubmit={save}>
          <label>{t('groupName')}<input name="name" required /></label>
          <label>{t('groupBoxes')}<input name="boxes" /></label>
          <button type="submit">{t('saveGroup')}</button>
          {a.msg && <p role="status">{a.msg}</p>}
          <Problem error={a.error} />
        </form>
      )}
    </section>
  );
}

export function CommandsPage(p: { role: Role }) {
  const groups = usePoll(() => api<{ groups: Group[] }>('GET', '/api/groups'), 5000);
  const commands = usePoll(() => api<{ commands: Command[] }>('GET', '/api/commands'));
  const stop = useAction();
  const [group, setGroup] = useState('');
  const emergency = (e: Event): void => {
    e.preventDefault();
    const name = group || groups.data?.groups[0]?.name || '';
    if (!confirm(t('emergencyConfirm', { name }))) return;
    void stop.run(async () => {
      const r = await api<{ boxes: string[] }>('POST', '/api/emergency-stop', { group: name });
      commands.reload();
      return t('emergencySent', { n: r.boxes.length });
    });
  };
  return (
    <>
      {p.role !== 'viewer' && (
        <section aria-labelledby="stop-h" class="emergency">
          <h1 id="stop-h">{t('emergency')}</h1>
          <p>{t('emergencyHelp')}</p>
          <form onSubmit={emergency}>
            <label>{t('emergencyGroup')}
              <select name="group" value={group} onChange={(e) => setGroup((e.target as HTMLSelectElement).value)}>
                {(groups.data?.groups ?? []).map((g) => <option value={g.name}>{g.name} ({g.boxes.length})</option>)}
              </select>
            </label>
            <button type="submit" class="danger">{t('emergencyButton')}</button>
          </form>
          {stop.msg && <p role="status">{stop.msg}</p>}
          <Problem error={stop.error} />
        </section>
      )}
      <Groups groups={groups.data?.groups ?? []} role={p.role} reload={groups.reload} />
      <section aria-labelledby="commands-h">
        <h2 id="commands-h">{t('commands')}</h2>
        <Problem error={commands.error} />
        {commands.data && commands.data.commands.length === 0 && <p>{t('noCommands')}</p>}
        {commands.data && commands.data.commands.length > 0 && (
          <table>
            <thead><tr><th scope="col">{t('at')}</th><th scope="col">{t('command')}</th><th scope="col">{t('box')}</th><th scope="col">{t('answer')}</th></tr></thead>
            <tbody>{commands.data.commands.flatMap((c) => c.boxes.map((b) => (
              <tr data-command={c.type} data-box={b.boxId} data-status={b.status ?? 'waiting'}>
                <td>{new Date(c.createdAt).toLocaleString()}</td><td>{c.type}</td><td>{b.boxId}</td><td>{answerText(b)}</td>
              </tr>
            )))}</tbody>
          </table>
        )}
      </section>
    </>
  );
}

function rolloutState(r: Rollout): string {
  if (r.state === 'running') return t('rollout.running', { step: r.step });
  if (r.state === 'stopped') return t('rollout.stopped', { box: r.stoppedBox ?? '?', reason: r.reason ?? '' });
  return t('rollout.done');
}

function boxState(b: Rollout['boxes'][number]): string {
  if (b.status === 'applied') return t('rolloutBox.applied');
  if (b.status === 'rejected') return `${t('rolloutBox.rejected')}: ${b.reason ?? ''}`;
  return b.sentAt ? t('rolloutBox.sent') : t('rolloutBox.notSent');
}

export function RolloutsPage(p: { role: Role }) {
  const groups = usePoll(() => api<{ groups: Group[] }>('GET', '/api/groups'), 5000);
  const rollouts = usePoll(() => api<{ rollouts: Rollout[] }>('GET', '/api/rollouts'));
  const a = useAction();
  const start = (e: Event): void => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    void a.run(async () => {
      let settings: unknown;
      try {
        settings = JSON.parse(String(f.get('settings')));
      } catch (err) {
        throw new Error(t('rolloutBadJson', { reason: (err as Error).message }));
      }
      if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw new Error(t('rolloutBadJson', { reason: '{…}' }));
      const r = await api<{ rollout: number; version: number }>('POST', '/api/rollouts', { group: String(f.get('group')), settings });
      rollouts.reload();
      return t('rolloutStarted', { id: r.rollout, version: r.version });
    });
  };
  return (
    <section aria-labelledby="rollouts-h">
      <h1 id="rollouts-h">{t('rollouts')}</h1>
      <p>{t('rolloutHelp')}</p>
      {p.role === 'admin' && (
        <form onSubmit={start}>
          <label>{t('rolloutGroup')}
            <select name="group">{(groups.data?.groups ?? []).map((g) => <option value={g.name}>{g.name} ({g.boxes.length})</option>)}</select>
          </label>
          <label>{t('rolloutSettings')}<textarea name="settings" rows={5} required /></label>
          <button type="submit">{t('rolloutStart')}</button>
          {a.msg && <p role="status">{a.msg}</p>}
          <Problem error={a.error} />
        </form>
      )}
      <Problem error={rollouts.error} />
      {rollouts.data && rollouts.data.rollouts.length === 0 && <p>{t('noRollouts')}</p>}
      {rollouts.data?.rollouts.map((r) => (
        <article data-rollout={r.id} data-state={r.state}>
          <h2>#{r.id} · {r.group} · v{r.version}</h2>
          <p data-cell="rollout-state">{t('rolloutState')}: {rolloutState(r)}</p>
          <table>
            <thead><tr><th scope="col">{t('box')}</th><th scope="col">{t('state')}</th></tr></thead>
            <tbody>{r.boxes.map((b) => <tr data-box={b.boxId} data-status={b.status ?? (b.sentAt ? 'sent' : 'not-sent')}><td>{b.boxId}</td><td>{boxState(b)}</td></tr>)}</tbody>
          </table>
        </article>
      ))}
    </section>
  );
}
