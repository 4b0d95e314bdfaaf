// The command line as a door: a command that changes the box's state runs its action here, as actor
// `cli`, so it is validated, refused with the same error codes and field errors as over HTTP or the
// fleet, and audited done or refused in the same log. SQLite in WAL mode lets this run beside a
// running box on the same folder.
import { SettingsStore } from '../config/settings.ts';
import { silentLogger } from '../../core/log.ts';
import { openStore, type Db } from '../store/db.ts';
import { ActionRunner } from '../actions/run.ts';
import { ACTIONS } from '../actions/registry.ts';
import { storeContacts } from '../actions/lists-actions.ts';
import type { ActionIo, Actor } from '../actions/action.ts';

export const CLI_ACTOR: Actor = { door: 'cli' };

/** Runs one action for the command line on the state folder `dataDir`. */
export async function runCliAction<O>(dataDir: string, name: string, input: unknown, io: ActionIo = {}): Promise<O> {
  const settings = await new SettingsStore(SettingsStore.pathIn(dataDir)).load({ env: process.env });
  const db: Db = openStore({ dir: dataDir });
  try {
    const actions = new ActionRunner({
      db, now: Date.now, logger: silentLogger(), country: () => settings.box.country,
      contacts: storeContacts(db),
    }, ACTIONS);
    return await actions.run<O>(CLI_ACTOR, name, input, io);
  } finally {
    db.close();
  }
}
