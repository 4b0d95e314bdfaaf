// A real box in its own process, on its sandbox: the whole appliance (store, compliance, HTTP API,
// fleet agent) with its fleet settings pointing at the test's broker. Prints one JSON line
// {base, password} once serving (password only on the first start of a data folder); SIGTERM stops it.
// Usage: box-app.ts <dataDir> <brokerUrl> <boxId>
import { join } from 'node:path';
import { Appliance } from '../../appliance/main.ts';
import { silentLogger } from '../../core/log.ts';
import { rtpRange } from '../peers/ports.ts';

const [dataDir, url, boxId] = process.argv.slice(2) as [string, string, string];
const lines: string[] = [];
const rtp = rtpRange(50);
const sandboxRtp = rtpRange(50);
const app = new Appliance({
  dataDir,
  env: { PROVISION_FILE: join(dataDir, 'no-provision.json') },
  logger: silentLogger(),
  out: (l) => lines.push(l),
  overrides: [(s) => {
    s.http.port = 0; s.http.bindAddress = '127.0.0.1'; s.sip.port = 0; s.sip.bindAddress = '127.0.0.1';
    s.media.rtpPortMin = rtp.min; s.media.rtpPortMax = rtp.max;
    s.fleet = { ...s.fleet, enabled: true, url, boxId };
  }],
  sandbox: { rtpPortMin: sandboxRtp.min, rtpPortMax: sandboxRtp.max },
});
await app.start();
const password = / admin \/ (\S+) /.exec(lines.find((l) => l.startsWith('first start:')) ?? '')?.[1] ?? null;
process.stdout.write(JSON.stringify({ base: `http://127.0.0.1:${app.http.port}`, password }) + '\n');
process.once('SIGTERM', () => { void app.stop().then(() => process.exit(0)); });
