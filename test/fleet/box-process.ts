// A box in its own process (so a test can SIGKILL it): the fleet agent on a state folder, and a
// stand-in for a campaign that appends an event to the outbox every few milliseconds.
// Usage: box-process.ts <dataDir> <brokerUrl> <boxId> <events to append (0: until killed)>
import { openStore } from '../../appliance/store/db.ts';
import { appendEvent } from '../../appliance/store/outbox-repo.ts';
import { defaultSettings } from '../../appliance/config/defaults.ts';
import { silentLogger } from '../../core/log.ts';
import { FleetAgent } from '../../appliance/fleet/agent.ts';

const [dataDir, url, boxId, countArg] = process.argv.slice(2);
const db = openStore({ dir: dataDir! });
const settings = defaultSettings();
settings.fleet = { enabled: true, url: url!, boxId: boxId! };
const agent = new FleetAgent({ db, settings: () => settings, logger: silentLogger(), boxId: boxId!, version: 'test', reconnectMs: 200, outboxPollMs: 50 });
await agent.start();
const count = Number(countArg);
let appended = 0;
const timer = setInterval(() => {
  db.transaction(() => appendEvent(db, 'attempt.outcome', { n: appended, pid: process.pid }))();
  appended += 1;
  if (count > 0 && appended >= count) {
    clearInterval(timer);
    process.stdout.write('appended all\n');
  }
}, 10);
process.stdout.write('started\n');
process.on('SIGTERM', () => {
  clearInterval(timer);
  void agent.stop().then(() => process.exit(0));
});
