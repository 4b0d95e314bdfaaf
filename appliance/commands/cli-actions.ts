// The command line as a door: a command that changes the box's state runs its action here, as actor
// `cli`, so it is validated, refused with the same error codes and field errors as over HTTP or the
// fleet, and audited done or refused in the same log. SQLite in WAL mode lets this run beside a
// running box on the same folder.
import { SettingsStore } from '../config/settings.ts';
import { silentLogger } from '../../core/log.ts';
import { openStore, type Db } from '../store/db.ts';
import { ActionRunner } from '../actions/run.ts';
import type { ActionDef, ActionEnv, ActionIo, Actor, CallsPort, ContactsActionsPort } from '../actions/action.ts';
import { StateLock } from '../state-lock.ts';
import { SessionStore } from '../http/sessions.ts';

export const CLI_ACTOR: Actor = { door: 'cli' };

/**
 * Runs one action for the command line on the state folder `dataDir`. The command names the action's
 * definition itself, so it loads that action's module and compiles that one input schema, not the whole
 * registry (a command runs one action, then the process ends). `writesSettings`: the action
 * changes the settings document, which a running box owns (it keeps it in memory and writes it whole),
 * so the command takes the box's lock and is refused while a box runs on that folder. `contacts`:
 * the contact lists over the store, for the actions on lists.
 */
export async function runCliAction<O>(
  dataDir: string, action: ActionDef<any, any>, input: unknown,
  opts: { io?: ActionIo; writesSettings?: boolean; calls?: CallsPort; contacts?: (db: Db) => ContactsActionsPort } = {},
): Promise<O> {
  const lock = opts.writesSettings ? new StateLock(dataDir) : null;
  lock?.acquire();
  try {
    const store = new SettingsStore(SettingsStore.pathIn(dataDir));
    const settings = await store.load({ env: process.env });
    const db: Db = openStore({ dir: dataDir });
    try {
      const env: ActionEnv = {
        db, now: Date.now, logger: silentLogger(), country: () => settings.box.country,
        ...(opts.contacts ? { contacts: opts.contacts(db) } : {}),
        ...(opts.calls ? { calls: opts.calls } : {}),
        ...(opts.writesSettings ? { settings: { stored: () => store.stored(), current: () => store.get(), update: (change) => store.update(change) } } : {}),
        // Sessions are kept in the store: a user whose password was reset here is logged out when the box starts again.
        endSessions: (username) => { new SessionStore(db).deleteForUser(username); },
      };
      return await new ActionRunner(env, [action]).run<O>(CLI_ACTOR, action.name, input, opts.io ?? {});
    } finally {
      db.close();
    }
  } finally {
    lock?.release();
  }
}
