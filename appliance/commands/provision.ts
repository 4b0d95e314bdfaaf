// `appliance provision`: the first-boot step on its own (what appliance-provision.service runs), or
// claim-code enrolment by hand with --fleet-url. Prints the provisioning status.
import type { CommandContext } from '../cli.ts';
import { SettingsStore } from '../config/settings.ts';
import { createLogger } from '../../core/log.ts';
import { StateLock } from '../state-lock.ts';
import { runFirstBoot } from '../../provisioning/first-boot.ts';

export async function runProvision(ctx: CommandContext): Promise<number> {
  const str = (k: string): string | undefined => (typeof ctx.values[k] === 'string' ? ctx.values[k] as string : undefined);
  // The running box provisions itself at start; two writers of the settings file would race.
  const lock = new StateLock(ctx.dataDir);
  lock.acquire();
  try {
    const store = new SettingsStore(SettingsStore.pathIn(ctx.dataDir));
    await store.load({ env: process.env });
    const status = await runFirstBoot({
      dataDir: ctx.dataDir,
      settingsStore: store,
      logger: createLogger({ level: 'warn' }), // the command prints its own summary
      ...(str('file') ? { file: str('file') } : {}),
      ...(str('fleet-url') ? { fleetUrl: str('fleet-url') } : {}),
      ...(str('ca-sha256') ? { caSha256: str('ca-sha256')!.replace(/:/g, '').toLowerCase() } : {}),
    });
    if (ctx.json) ctx.out(JSON.stringify(status));
    else if (status.state === 'enrolled') ctx.out(`enrolled as ${status.boxId} with ${status.fleetUrl}${status.error ? ` (last attempt failed: ${status.error})` : ''}`);
    else if (status.state === 'unclaimed') ctx.out(`not enrolled: box ${status.boxId}, claim code ${status.claimCode} (enter it at the fleet side)`);
    else ctx.err(`provisioning failed: ${status.error}`);
    return status.state === 'error' ? 1 : 0;
  } finally {
    lock.release();
  }
}
