// `appliance user list|add|set|delete`: the box's web UI users from the command line, e.g. to reset the
// password of an admin who forgot it. Each change is an action (user.add, user.update, user.delete) run
// as actor `cli`: the same checks, error codes and audit entries as in the web UI. The settings document
// belongs to a running box, so changes are refused while one runs on the folder (stop it first).
import { readFileSync } from 'node:fs';
import { SettingsStore } from '../config/settings.ts';
import { AppError } from '../../core/errors.ts';
import type { CommandContext } from '../cli.ts';
import { userAdd, userDelete, userUpdate } from '../actions/users-actions.ts';
import { runCliAction } from './cli-actions.ts';

const USAGE = 'appliance user list | add NAME --role ROLE --password-file FILE | set NAME [--role ROLE] [--password-file FILE] | delete NAME  [--json] [--data DIR]';

/** The first line of the file ("-": standard input): a password never goes on the command line, where `ps` shows it. */
function passwordFrom(ctx: CommandContext): string | undefined {
  const f = ctx.values['password-file'];
  if (f === undefined) return undefined;
  if (typeof f !== 'string' || f === '') throw new AppError('E_USAGE', `--password-file: a file name, or - for standard input\nusage: ${USAGE}`, { option: 'password-file' });
  let text: string;
  try {
    text = readFileSync(f === '-' ? 0 : f, 'utf8');
  } catch (e) {
    throw new AppError('E_USAGE', `--password-file: cannot read ${f} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { option: 'password-file' });
  }
  return text.split(/\r?\n/)[0] ?? '';
}

export async function runUser(ctx: CommandContext): Promise<number> {
  const [sub, name, extra] = ctx.positionals;
  const role = typeof ctx.values.role === 'string' ? ctx.values.role : undefined;
  const say = (text: string, data: unknown): void => ctx.out(ctx.json ? JSON.stringify(data) : text);
  if (sub === 'list' && !name) {
    const users = (await new SettingsStore(SettingsStore.pathIn(ctx.dataDir)).load({ env: process.env })).users;
    if (ctx.json) ctx.out(JSON.stringify(users.map((u) => ({ username: u.username, role: u.role }))));
    else for (const u of users) ctx.out(`${u.username}\t${u.role}`);
    return 0;
  }
  if (!name || extra || !['add', 'set', 'delete'].includes(sub ?? '')) throw new AppError('E_USAGE', `usage: ${USAGE}`);
  const password = passwordFrom(ctx);
  if (sub === 'add') {
    if (password === undefined) throw new AppError('E_USAGE', `--password-file is required to add a user\nusage: ${USAGE}`, { option: 'password-file' });
    const u = await runCliAction<{ username: string; role: string }>(ctx.dataDir, userAdd, { username: name, password, role }, { writesSettings: true });
    say(`user ${u.username} added (${u.role})`, u);
  } else if (sub === 'set') {
    const u = await runCliAction<{ username: string; role: string; passwordSet: boolean }>(ctx.dataDir, userUpdate, { username: name, ...(role !== undefined ? { role } : {}), ...(password !== undefined ? { password } : {}) }, { writesSettings: true });
    say(`user ${u.username}: role ${u.role}${u.passwordSet ? ', new password set (their sessions have ended)' : ''}`, u);
  } else {
    await runCliAction(ctx.dataDir, userDelete, { username: name }, { writesSettings: true });
    say(`user ${name} deleted`, { username: name, deleted: true });
  }
  return 0;
}
