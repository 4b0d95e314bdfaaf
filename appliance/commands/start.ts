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
  // The signals are ours before the box starts: a SIGTERM that arrives while it starts (systemd, or a script
  // that saw "appliance started" a moment before this line would otherwise run) is a clean stop once the start
  // is over, never Node's default death. After the first signal a second one kills at once (Ctrl-C twice).
  let signalled: (signal: NodeJS.Signals) => void = () => {};
  const stopAsked = new Promise<NodeJS.Signals>((resolve) => { signalled = resolve; });
  const onSignal = (signal: NodeJS.Signals): void => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    signalled(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    await app.start();
  } catch (e) {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    throw e;
  }
  const signal = await stopAsked;
  app.logger.info({ signal }, 'stopping');
  try {
    await app.stop();
    return 0;
  } catch (e) {
    app.logger.error({ err: (e as Error).message }, 'stop failed');
    return 1;
  }
}
