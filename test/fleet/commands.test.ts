// Commands from the fleet: run once even when sent while the box is offline, idempotent by id
// (also across a restart), expired ones not run, invalid ones answered with a clear error.
import test, { type ExecutionContext } from 'ava';
import { waitFor } from './mosquitto.ts';
import { fleetSetup, inAnHour } from './helpers.ts';

const setup = (t: ExecutionContext, boxId: string) => fleetSetup(t, boxId);

test('a command sent while the box is offline runs once when it comes back, even across a broker restart', async (t) => {
  t.timeout(30_000);
  const { box, req, broker } = await setup(t, 'box-offline');
  await box.start();
  await box.stopAgent(); // the box goes away; its session stays on the broker
  await broker.stop(); // and the broker restarts meanwhile: the session is in its persistence file
  await broker.start();
  await req.send('r1', { id: 'cmd-1', expiresAt: inAnHour(), type: 'campaign.start', data: { campaignId: 7 } });
  t.deepEqual(box.campaigns.calls, []);
  await box.start();
  const answer = await req.answer('r1');
  t.deepEqual(answer, { data: { id: 7, status: 'start' }, status: 'ok', error: null, transaction: 'cmd-1' });
  await new Promise((r) => setTimeout(r, 300));
  t.deepEqual(box.campaigns.calls, ['start:7']);
});

test('the same command id twice runs once and is answered twice with the first answer, also after a restart', async (t) => {
  t.timeout(30_000);
  const { box, req } = await setup(t, 'box-twice');
  await box.start();
  const cmd = { id: 'cmd-pause', expiresAt: inAnHour(), type: 'campaign.pause', data: { campaignId: 7 } };
  await req.send('first', cmd);
  const first = await req.answer('first');
  await req.send('second', cmd);
  t.deepEqual(await req.answer('second'), first);
  await box.stopAgent();
  await box.start();
  await req.send('third', cmd);
  t.deepEqual(await req.answer('third'), first);
  t.deepEqual(box.campaigns.calls, ['pause:7']);
  t.is(first.status, 'ok');
});

test('an expired command is not run and is answered "expired"', async (t) => {
  t.timeout(30_000);
  const { box, req } = await setup(t, 'box-expired');
  await box.start();
  await req.send('old', { id: 'cmd-old', expiresAt: new Date(Date.now() - 1000).toISOString(), type: 'campaign.stop', data: { campaignId: 7 } });
  const answer = await req.answer('old');
  t.is(answer.status, 'error');
  t.is(answer.error, 'expired');
  t.is(answer.transaction, 'cmd-old');
  t.deepEqual(box.campaigns.calls, []);
});

test('invalid commands get an error answer that says what is wrong; a refused one says why', async (t) => {
  t.timeout(30_000);
  const { box, req } = await setup(t, 'box-invalid');
  await box.start();
  await req.send('no-json', '{"id": "x",');
  await req.send('no-campaign', { id: 'cmd-a', expiresAt: inAnHour(), type: 'campaign.resume', data: {} });
  await req.send('bad-type', { id: 'cmd-b', expiresAt: inAnHour(), type: 'campaign.explode', data: { campaignId: 7 } });
  await req.send('no-expiry', { id: 'cmd-c', type: 'campaign.stop', data: { campaignId: 7 } });
  await req.send('unknown', { id: 'cmd-d', expiresAt: inAnHour(), type: 'campaign.start', data: { campaignId: 404 } });
  const noJson = await req.answer('no-json');
  t.like(noJson, { status: 'error', error: 'command is not valid JSON', transaction: null });
  t.like(await req.answer('no-campaign'), { status: 'error', transaction: 'cmd-a' });
  t.regex((await req.answer('no-campaign')).error!, /data\.campaignId/);
  t.regex((await req.answer('bad-type')).error!, /"type": one of campaign\.start/);
  t.regex((await req.answer('no-expiry')).error!, /expiresAt/);
  const refused = await req.answer('unknown');
  t.like(refused, { status: 'error', error: 'no campaign 404', data: { code: 'E_NOT_FOUND' } });
  t.deepEqual(box.campaigns.calls, ['start:404']);
});

test('report.get answers with the report; a command without a response topic is answered on cmd/response', async (t) => {
  t.timeout(30_000);
  const { box, req, fleet } = await setup(t, 'box-report');
  await box.start();
  await req.send('rep', { id: 'cmd-rep', expiresAt: Date.now() + 60_000, type: 'report.get', data: { campaignId: 7 } });
  t.deepEqual((await req.answer('rep')).data, { id: 7, status: 'report', attempts: 12 });

  const plain: unknown[] = [];
  fleet.on('message', (topic, payload) => { if (topic === 'fleet/v1/box-report/cmd/response') plain.push(JSON.parse(payload.toString())); });
  await fleet.subscribeAsync('fleet/v1/box-report/cmd/response', { qos: 1 });
  await fleet.publishAsync('fleet/v1/box-report/cmd', JSON.stringify({ id: 'cmd-plain', expiresAt: inAnHour(), type: 'campaign.stop', data: { campaignId: 9 } }), { qos: 1 });
  await waitFor(() => plain.length > 0, 10_000, 'the answer on cmd/response');
  t.like(plain[0], { status: 'ok', transaction: 'cmd-plain' });
});

test('campaign.pause-all (the fleet\'s emergency stop) pauses every running campaign, and only those, and answers their ids', async (t) => {
  t.timeout(30_000);
  const { box, req } = await setup(t, 'box-stop-all');
  await box.start();
  await req.send('stop', { id: 'cmd-stop-all', expiresAt: inAnHour(), type: 'campaign.pause-all', data: {} });
  t.deepEqual(await req.answer('stop'), { data: { paused: [7], refused: [] }, status: 'ok', error: null, transaction: 'cmd-stop-all' });
  t.deepEqual(box.campaigns.calls, ['pause:7'], 'the completed campaign 8 was left alone');
});
