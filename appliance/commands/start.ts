// `appliance start`: the box. SIGTERM/SIGINT drain: stop taking new work, then stop in reverse order.
import { Appliance } from '../main.ts';
import { optionalInt, type CommandContext } from '../cli.ts';
import type { Settings } from '../../core/settings-types.ts';

export async function runStart(ctx: CommandContext): Promise<number> {
  const overrides: Array<(s: Settings) => void> = [];
  const httpPort = optionalInt(ctx, 'http-port');
  const sipPort = optionalInt(ctx, 'sip-port');
  if (httpPort !== undefined) overrides.push((s) => { s.http.port = httpPort; });
  if (sipPort !== undefined) overrides.push((s) => { s.sip.port = sipPort; });
  const app = new Appliance({ dataDir: ctx.dataDir, overrides });
  await app.start();
  return await new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      app.logger.info({ signal }, 'stopping');
      app.stop().then(() => resolve(0), (e: unknown) => {
        app.logger.error({ err: (e as Error).message }, 'stop failed');
        resolve(1);
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
