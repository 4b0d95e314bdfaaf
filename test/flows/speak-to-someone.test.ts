// The "speak to someone" template (issue 16), run by the flow runner against a scripted person and a
// test double of the transfer: a person connected ends `confirmed`; nobody answering offers a callback
// (the fallback), booked in the chosen slot; the template names the campaign's staff group, which
// validation checks the box has; the opt-out key never leads to the transfer.
import test from 'ava';
import { parseCampaignConfig } from '../../appliance/campaigns/model.ts';
import { runFlow } from '../../appliance/flows/runner.ts';
import { speakToSomeone } from '../../appliance/flows/templates.ts';
import { checkFlow } from '../../appliance/flows/validate.ts';
import type { TransferRecord, TransferRequest } from '../../appliance/flows/session.ts';
import { AppError } from '../../core/errors.ts';
import { ScriptedCall, testEnv } from './support.ts';

// Monday 7 December 2026, 10:00 in Paris.
const NOW = Date.UTC(2026, 11, 7, 9, 0);

async function run(keys: string[], record: TransferRecord): Promise<{ r: Awaited<ReturnType<typeof runFlow>>; asked: TransferRequest[] }> {
  const asked: TransferRequest[] = [];
  const call = new ScriptedCall([...keys], { optOutKey: '9' });
  const env = { ...testEnv(NOW, { optOutKey: '9' }), transfer: async (_c: unknown, req: TransferRequest) => { asked.push(req); return record; } };
  const r = await runFlow(call, speakToSomeone({ optOutKey: '9', staffGroup: 'desk', lang: 'fr' }), env, { amd: false });
  return { r, asked };
}

test('a person connected: the call ends confirmed, the transfer kept with the result', async (t) => {
  const { r, asked } = await run(['1'], { outcome: 'connected', waitMs: 2000, talkMs: 40_000, takenBy: 'ann' });
  t.is(r.outcome, 'confirmed');
  t.deepEqual(r.path, ['message', 'choice', 'agent', 'talked']);
  t.like(asked[0]!.step, { to: 'desk', waitMs: 45_000, noAnswer: 'nobody' });
  t.deepEqual(asked[0]!.answers, { choice: '1' }, 'the whisper gets the answers so far');
  t.like(r.transfer, { outcome: 'connected', takenBy: 'ann' });
});

test('nobody answers: the callee hears the fallback and books a callback', async (t) => {
  const { r } = await run(['1', '2'], { outcome: 'no-answer', waitMs: 45_000, talkMs: 0, takenBy: null });
  t.deepEqual(r.path, ['message', 'choice', 'agent', 'nobody', 'slot', 'end']);
  t.is(r.answers.callback_slot, 'tomorrow_morning');
  t.truthy(r.callback);
  t.like(r.transfer, { outcome: 'no-answer' });
});

test('the template is valid with the box\'s group, refused with a group the box does not have; a campaign names its group', (t) => {
  const flow = speakToSomeone({ optOutKey: '9', staffGroup: 'desk' });
  t.notThrows(() => checkFlow(flow, { optOutKey: '9', staffGroups: ['desk'] }));
  const e = t.throws(() => checkFlow(speakToSomeone({ optOutKey: '9' }), { optOutKey: '9', staffGroups: ['desk'] }), { instanceOf: AppError });
  t.regex(e.fields![0]!.message, /no staff group "staff"/);
  for (const key of ['1', '2', '0', '*', '#']) t.notThrows(() => checkFlow(speakToSomeone({ optOutKey: key, staffGroup: 'desk' }), { optOutKey: key, staffGroups: ['desk'] }), `opt-out ${key}`);
  const cfg = parseCampaignConfig({ message: 'm', callerId: '+33123456789', trunks: ['t'], menu: { optOut: '9' }, flow: { template: 'speak-to-someone', lang: 'fr', group: 'desk' } });
  t.like((cfg.flow as { steps: Array<{ id: string; to?: string }> }).steps.find((s) => s.id === 'agent'), { to: 'desk' });
});
