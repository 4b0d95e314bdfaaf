// A box in its own process with a settings document, for attacks on the fleet agent: the fleet agent
// takes commands and desired configuration from the broker and writes them through the settings store.
// Its stand-in campaign port answers `report.get` with what the process's prototypes look like, so the
// fleet side can tell, over MQTT, whether anything reached Object.prototype and the box still serves.
// Usage: settings-box-process.ts <dataDir> <brokerUrl> <boxId>
import { openStore } from '../../appliance/store/db.ts';
import { SettingsStore } from '../../appliance/config/settings.ts';
import { silentLogger } from '../../core/log.ts';
import { FleetAgent } from '../../appliance/fleet/agent.ts';

const [dataDir, url, boxId] = process.argv.slice(2) as [string, string, string];
const db = openStore({ dir: dataDir });
const store = new SettingsStore(SettingsStore.pathIn(dataDir));
await store.load({ env: {} });
await store.update((s) => { s.fleet = { enabled: true, url, boxId }; });
// What Object.prototype holds in a clean Node process; anything else was put there by an attack.
const STANDARD = new Set(Object.getOwnPropertyNames(Object.prototype));
const probe = (id: number): unknown => ({
  id,
  polluted: (({}) as Record<string, unknown>).polluted ?? null,
  addedToPrototype: Object.getOwnPropertyNames(Object.prototype).filter((k) => !STANDARD.has(k)),
  boxName: store.get().box.name,
});
const campaigns = { start: probe, pause: probe, resume: probe, stop: probe, report: probe };
const agent = new FleetAgent({
  db, settings: () => store.get(), updateSettings: (c) => store.update(c), logger: silentLogger(), boxId, version: 'test',
  campaigns, reconnectMs: 200, outboxPollMs: 50,
});
await agent.start();
process.stdout.write('started\n');
process.on('SIGTERM', () => {
  void agent.stop().then(() => { db.close(); process.exit(0); });
});
