// Must-show 4 of issue 16 on a whole box with sipp as the trunk: a number one of our campaigns called
// yesterday rings back, hears the greeting and that campaign's message again, and presses the do-not-call
// key: the number is suppressed and the outbox carries the opt-out event. A call from an address that is
// no configured trunk is refused and leaves nothing. (Needs the engine's side of the seam: calls coming
// in from a trunk, the 'incoming' event.)
import test from 'ava';
import { trunkDefaults } from '../../core/trunk-defaults.ts';
import { dncHash } from '../../appliance/compliance/number-hash.ts';
import { startTestBox } from '../support/appliance.ts';
import { freePort } from '../peers/ports.ts';
import { startSippUac } from '../peers/sipp.ts';

const CALLER = '+33612345678';
const OWN = '+33142000001';

test.serial('a number called yesterday hears that campaign\'s message again, and the do-not-call key suppresses it (outbox event sent); a non-trunk address creates nothing', async (t) => {
  const trunkPort = await freePort();
  const sipPort = await freePort();
  const box = await startTestBox({
    settings: (s) => {
      s.sip.port = sipPort;
      s.trunks.push(trunkDefaults({ name: 'office', host: '127.0.0.1', port: trunkPort, allowedSources: ['127.0.0.1'], optionsIntervalSec: 0 }));
      s.defaultTrunk = 'office';
      s.callerIds = [{ number: OWN, label: 'Front desk', verified: true }];
    },
  });
  t.teardown(() => box.stop());
  const rec = await box.api.send<{ id: string }>('POST', '/api/recordings/tts', { text: 'Your flu shot is due this week.', voice: 'en' });
  t.true(rec.status < 300, rec.text);
  const db = box.app.db;
  const yesterday = Date.now() - 24 * 3600 * 1000;
  db.prepare("INSERT INTO lists (id, name, status, country, created_at) VALUES (90, 'inbound-list', 'ready', 'FR', '2026-01-01')").run();
  db.prepare("INSERT INTO campaigns (id, name, list_id, status, config, created_at) VALUES (90, 'Flu shots', 90, 'completed', ?, '2026-11-01')").run(JSON.stringify({ message: rec.body.id }));
  db.prepare("INSERT INTO campaign_contacts (campaign_id, contact_id, e164, timezones, fields, state) VALUES (90, 1, ?, '[\"Europe/Paris\"]', '{\"name\":\"Ann Smith\"}', 'done')").run(CALLER);
  db.prepare("INSERT INTO attempts (campaign_id, contact_id, e164, state, intent_at, outcome) VALUES (90, 1, ?, 'final', ?, 'no-answer')").run(CALLER, yesterday);

  // The caller listens through the greeting and into the campaign's message, then presses 9.
  const sipp = startSippUac({ scenario: 'inbound-call-optout.xml', target: `127.0.0.1:${sipPort}`, localPort: trunkPort, calls: 1, keys: { caller: CALLER, called: OWN, key: '9' }, timeoutSec: 60 });
  const r = await sipp.stop(60_000);
  t.is(r.exitCode, 0, r.errors);
  const row = db.prepare('SELECT outcome, path, campaign_id, number_hash FROM inbound_calls').get() as { outcome: string; path: string; campaign_id: number; number_hash: string } | undefined;
  t.like(row, { outcome: 'opted-out', campaign_id: 90, number_hash: dncHash(CALLER) });
  t.true((JSON.parse(row!.path) as string[]).includes('message'), `the caller heard the campaign's message (path ${row?.path})`);
  t.is(db.prepare("SELECT source FROM suppressions WHERE number_hash = ?").pluck().get(dncHash(CALLER)), 'keypress');
  const event = db.prepare("SELECT payload FROM outbox WHERE type = 'optout'").pluck().get() as string | undefined;
  t.truthy(event, 'the opt-out waits in the outbox for the fleet');
  t.like(JSON.parse(event!), { numberHash: dncHash(CALLER), campaignId: 90 });

  // The same call from an address that is no configured trunk.
  const stranger = startSippUac({ scenario: 'inbound-call-expect-refusal.xml', target: `127.0.0.1:${sipPort}`, address: '127.0.0.2', calls: 1, keys: { caller: '+33699999999', called: OWN }, timeoutSec: 20 });
  const s = await stranger.stop(20_000);
  t.is(s.exitCode, 0, s.errors);
  t.is(db.prepare('SELECT COUNT(*) FROM inbound_calls').pluck().get(), 1, 'nothing was created for it');
});
