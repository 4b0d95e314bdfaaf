// Parsing fleet commands and desired documents (pure), the desired-configuration bookkeeping, and
// an agent that cannot connect at all.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommand, commandIdOf } from '../../appliance/fleet/command.ts';
import { mergeInto, DesiredConfig } from '../../appliance/fleet/desired-config.ts';
import { openStore } from '../../appliance/store/db.ts';
import { SettingsStore } from '../../appliance/config/settings.ts';
import { defaultSettings } from '../../appliance/config/defaults.ts';
import { silentLogger } from '../../core/log.ts';
import { FleetAgent, type CampaignPort } from '../../appliance/fleet/agent.ts';
import type { CampaignService } from '../../appliance/campaigns/service.ts';

// The composition root hands the real CampaignService to the agent: it must fit the port.
const campaignServiceFitsThePort = (s: CampaignService): CampaignPort => s;
void campaignServiceFitsThePort;

const T = Date.UTC(2026, 10, 28, 12, 0, 0);

test('a well-formed command is parsed; expiresAt may be ISO text or epoch ms', (t) => {
  t.deepEqual(parseCommand({ id: 'a', expiresAt: '2026-11-28T12:00:00Z', type: 'campaign.start', data: { campaignId: 3 } }),
    { id: 'a', expiresAt: T, type: 'campaign.start', data: { campaignId: 3 } });
  t.deepEqual(parseCommand({ id: 'b', expiresAt: T, type: 'config.desired', data: { version: 2, settings: { box: { name: 'x' } } } }),
    { id: 'b', expiresAt: T, type: 'config.desired', data: { version: 2, settings: { box: { name: 'x' } } } });
});

test('an invalid command names the field at fault', (t) => {
  const msg = (raw: unknown): string => t.throws(() => parseCommand(raw))!.message;
  t.regex(msg([]), /"\(root\)"/);
  t.regex(msg({ expiresAt: T, type: 'campaign.start', data: { campaignId: 1 } }), /"id"/);
  t.regex(msg({ id: 'x'.repeat(129), expiresAt: T, type: 'campaign.start', data: { campaignId: 1 } }), /"id"/);
  t.regex(msg({ id: 'a', expiresAt: 'tomorrow', type: 'campaign.start', data: { campaignId: 1 } }), /"expiresAt"/);
  t.regex(msg({ id: 'a', expiresAt: T, type: 'campaign.delete', data: { campaignId: 1 } }), /"type"/);
  t.regex(msg({ id: 'a', expiresAt: T, type: 'campaign.stop', data: { campaignId: '1' } }), /"data\.campaignId"/);
  t.regex(msg({ id: 'a', expiresAt: T, type: 'report.get' }), /"data"/);
  t.regex(msg({ id: 'a', expiresAt: T, type: 'config.desired', data: { version: 0, settings: {} } }), /command field "data\.version"/);
  t.regex(msg({ id: 'a', expiresAt: T, type: 'campaign.pause-all', data: { campaignId: 1 } }), /"data": must be empty/);
  t.deepEqual(parseCommand({ id: 'a', expiresAt: T, type: 'campaign.pause-all', data: {} }), { id: 'a', expiresAt: T, type: 'campaign.pause-all', data: {} });
  t.is(commandIdOf({ id: 'a', type: 'nonsense' }), 'a', 'an invalid command keeps its id for the answer');
  t.is(commandIdOf('a'), null);
});

test('desired settings merge objects key by key and replace arrays and scalars', (t) => {
  const target: Record<string, unknown> = { box: { name: 'a', country: 'FR' }, trunks: [{ name: 'x' }], defaultTrunk: 'x' };
  mergeInto(target, { box: { name: 'b' }, trunks: [], defaultTrunk: null });
  t.deepEqual(target, { box: { name: 'b', country: 'FR' }, trunks: [], defaultTrunk: null });
});

test('desired versions: applied once, an older or repeated version ignored, a rejected one keeps the applied version', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-desired-'));
  const db = openStore({ dir });
  const store = new SettingsStore(SettingsStore.pathIn(dir));
  await store.load({ env: {} });
  t.teardown(() => { db.close(); rmSync(dir, { recursive: true, force: true }); });
  const desired = new DesiredConfig(db, (c) => store.update(c), () => T);
  t.is(desired.appliedVersion(), 0);
  t.like((await desired.apply({ version: 4, settings: { box: { name: 'Nantes' } } })), { changed: true, report: { version: 4, status: 'applied', appliedVersion: 4 } });
  t.like((await desired.apply({ version: 4, settings: { box: { name: 'Brest' } } })), { changed: false, report: { version: 4, status: 'applied' } });
  t.like((await desired.apply({ version: 3, settings: { box: { name: 'Brest' } } })), { changed: false });
  t.is(store.get().box.name, 'Nantes');
  const rejected = await desired.apply({ version: 5, settings: { sip: { port: 'five' } } });
  t.like(rejected, { changed: true, report: { version: 5, status: 'rejected', appliedVersion: 4 } });
  t.regex(rejected.report.reason!, /sip\.port/);
  t.like((await desired.apply({ version: 6, settings: { nonsense: true } })).report, { status: 'rejected', reason: 'setting nonsense: unknown setting' });
  t.like((await desired.apply({ version: 7, settings: { fleet: { url: 'mqtt://elsewhere' } } })).report, { status: 'rejected', reason: 'setting fleet: cannot be changed from the fleet' });
  t.is(desired.appliedVersion(), 4);
  t.like(desired.lastReport(), { version: 7, status: 'rejected', appliedVersion: 4 });
});

test('a fleet agent with an unusable broker URL stays off and does not stop the box starting', async (t) => {
  const db = openStore({ dir: ':memory:' });
  t.teardown(() => db.close());
  const settings = defaultSettings();
  settings.fleet = { enabled: true, url: 'gopher://nowhere', boxId: 'b1' };
  const agent = new FleetAgent({ db, settings: () => settings, logger: silentLogger(), boxId: 'b1', version: 't' });
  await t.notThrowsAsync(() => agent.start());
  t.false(agent.connected);
  await agent.stop();
});
