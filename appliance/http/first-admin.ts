// First start: with no web UI users, create `admin`. The password comes from provisioning, or is
// random and printed once to stdout (never through the logger, so it is not kept in any log file).
import type { Settings } from '../../core/settings-types.ts';
import type { Logger } from '../../core/log.ts';
import { hashPassword, randomPassword } from './passwords.ts';

export interface FirstAdminOptions {
  users: () => Settings['users'];
  updateSettings: (change: (draft: Settings) => void) => Promise<Settings>;
  initialAdminPassword?: string;
  out: (line: string) => void;
  logger: Logger;
}

/** Returns true when it created the first admin. */
export async function ensureFirstAdmin(opts: FirstAdminOptions): Promise<boolean> {
  if (opts.users().length > 0) return false;
  const provisioned = opts.initialAdminPassword !== undefined && opts.initialAdminPassword !== '';
  const password = provisioned ? opts.initialAdminPassword! : randomPassword();
  const passwordHash = await hashPassword(password);
  await opts.updateSettings((draft) => {
    if (draft.users.length === 0) draft.users.push({ username: 'admin', passwordHash, role: 'admin' });
  });
  if (provisioned) {
    opts.logger.info({ username: 'admin' }, 'first start: web UI user created with the provisioned password');
  } else {
    opts.out(`first start: web UI login admin / ${password} — change it in Settings`);
    opts.logger.info({ username: 'admin' }, 'first start: web UI user created; its password was printed once on stdout');
  }
  return true;
}
