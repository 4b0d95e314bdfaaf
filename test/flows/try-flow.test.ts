// "Try it" of the flow editor: a campaign's flow on one real call through the embedded engine to the
// in-process sandbox, answered with the path the simulated callee took, step by step. Nothing of it is
// kept in the campaign's results; the try is audited.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestBox } from '../support/appliance.ts';
import type { TryFlowReply } from '../../appliance/http/contract/flows.ts';

const CSV = readFileSync(fileURLToPath(new URL('../fixtures/contacts/journey.csv', import.meta.url)));
const config = {
  message: null, tts: { text: 'Hello {first_name}, this is the clinic about your appointment.', voice: 'en' }, menu: { optOut: '9' },
  callerId: '+33162000000', trunks: ['sandbox'], schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] },
  ringTimeoutMs: 20000, maxAttempts: 1, amd: false,
};

test('a presser and a listener each take a path through the appointment reminder, reported step by step', async (t) => {
  t.timeout(180_000);
  const box = await startTestBox({ sandbox: { timeScale: 0.2 } });
  t.teardown(() => box.stop());
  const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=journey.csv', CSV);
  const list = await box.api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'Patients', country: 'FR' });
  t.is(list.status, 201, list.text);
  const made = await box.api.send<{ id: number }>('POST', '/api/campaigns', { name: 'Reminders', listId: list.body.list.id, config: { ...config, flow: { template: 'appointment-reminder', lang: 'en' } } });
  t.is(made.status, 201, made.text);
  const id = made.body.id;

  const pressed = await box.api.send<TryFlowReply>('POST', `/api/campaigns/${id}/try`, { callee: 'presser' });
  t.is(pressed.status, 200, pressed.text);
  const p = pressed.body;
  t.true(p.calleeChosen);
  t.is(p.trunk, 'sandbox');
  t.deepEqual(p.steps.slice(0, 2).map((s) => s.id), ['message', 'choice'], JSON.stringify(p.steps));
  // The presser is sent the whole flow and picks a branch of the menu by the sandbox's seeded shares:
  // confirm (1), cancel (2), move (3, then a callback slot), or opt out (9). The path follows the key.
  const choice = p.steps[1]!;
  t.regex(p.keys, /^[1239]/);
  const first = p.keys[0]!;
  if (first === '9') {
    t.is(choice.via, 'opt-out');
    t.is(p.outcome, 'opted-out');
  } else {
    t.is(choice.key, first);
    t.is(choice.via, `options.${first}`);
    const branch = ({ 1: ['confirm', 'confirmed'], 2: ['cancel', 'cancelled'], 3: ['move'] } as Record<string, string[]>)[first]!;
    t.deepEqual(p.steps.slice(2, 2 + branch.length).map((s) => s.id), branch, JSON.stringify(p.steps));
    t.is(p.answers.appointment, ({ 1: 'confirmed', 2: 'cancelled', 3: 'move' } as Record<string, string>)[first]);
    if (first === '1') t.is(p.outcome, 'confirmed');
  }

  const listened = await box.api.send<TryFlowReply>('POST', `/api/campaigns/${id}/try`, { callee: 'listener' });
  t.is(listened.status, 200, listened.text);
  t.is(listened.body.keys, '');
  t.deepEqual(listened.body.steps.slice(0, 2).map((s) => s.id), ['message', 'choice']);
  t.true(['hung-up', 'noInput'].includes(listened.body.steps[1]!.via), JSON.stringify(listened.body.steps));

  // Not the campaign's results: no attempt, no opt-out; the tries are on record.
  t.is((await box.api.get<{ runs: number }>(`/api/campaigns/${id}/answers`)).body.runs, 0);
  const audit = await box.api.get<Array<{ action: string; subject: string | null }>>('/api/compliance/audit?limit=1000');
  t.true(audit.body.filter((e) => e.action === 'flow.try' && e.subject === String(id)).length >= 2, audit.text);

  // A campaign that does not exist is refused, and so is a callee the sandbox cannot be.
  t.is((await box.api.send('POST', '/api/campaigns/999999/try', {})).status, 404);
  t.is((await box.api.send('POST', `/api/campaigns/${id}/try`, { callee: 'robot' })).status, 400);
});

test('"try it" drives the whole flow: the presser answers every question of a survey, not only the first', async (t) => {
  t.timeout(240_000);
  const box = await startTestBox({ sandbox: { timeScale: 0.2 } });
  t.teardown(() => box.stop());
  const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=journey.csv', CSV);
  const list = await box.api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'Patients', country: 'FR' });
  const made = await box.api.send<{ id: number }>('POST', '/api/campaigns', { name: 'Survey', listId: list.body.list.id, config: { ...config, flow: { template: 'satisfaction-survey', lang: 'en' } } });
  t.is(made.status, 201, made.text);
  // The sandbox's people are drawn by seeded shares: a few tries give one who follows the survey to its end.
  let full: TryFlowReply | null = null;
  for (let i = 0; i < 4 && !full; i++) {
    const r = await box.api.send<TryFlowReply>('POST', `/api/campaigns/${made.body.id}/try`, { callee: 'presser' });
    t.is(r.status, 200, r.text);
    t.log(`try ${i + 1}: keys ${r.body.keys}, path ${r.body.steps.map((s) => `${s.id}:${s.via}`).join(' ')}`);
    if (r.body.outcome !== 'opted-out' && r.body.answers.q2 !== undefined) full = r.body;
  }
  t.truthy(full, 'a presser answered past the first question');
  t.deepEqual(full!.steps.slice(0, 4).map((s) => s.id), ['message', 'q1', 'q2', 'q3']);
  for (const q of ['q1', 'q2', 'q3']) t.regex(full!.answers[q] ?? '', /^[1-5]$/, `${q}: ${JSON.stringify(full!.answers)}`);
});
