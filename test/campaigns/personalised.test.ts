// Personalised text-to-speech: a preview through the API, a clear error for an unknown token, and a
// sandbox campaign where every contact hears its own rendered message (rendered ahead of the dialer).
import test from 'ava';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestBox } from '../support/appliance.ts';

const NAMES = ['Marie Dupont', 'Jean Martin', 'Zoé Lefèvre', 'Karim Benali', 'Léa Moreau', 'Hugo Petit'];

test('each contact hears its own message; unknown tokens and previews behave', async (t) => {
  t.timeout(120_000);
  const box = await startTestBox({ sandbox: { seed: 3, timeScale: 0.1, mix: 'listener=100' } });
  t.teardown(() => box.stop());

  const preview = await box.api.send('POST', '/api/recordings/tts/preview', { text: 'Bonjour {first_name}, rappel de votre rendez-vous.', voice: 'fr', fields: { first_name: 'Marie' } });
  t.is(preview.status, 200, preview.text);
  t.true(preview.text.startsWith('RIFF'));

  const csv = ['Nom;Téléphone;Heure', ...NAMES.map((n, i) => `${n};06 12 34 56 ${String(10 + i)};${9 + i}h00`)].join('\n');
  const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=rdv.csv', Buffer.from(csv, 'utf8'));
  const imp = await box.api.send<{ list: { id: number }; accepted: number }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'rdv', country: 'FR', mapping: { phone: ['Téléphone'], name: 'Nom', fields: ['Heure'] } });
  t.is(imp.status, 201, imp.text);
  t.is(imp.body.accepted, NAMES.length);

  const base = {
    callerId: '+33123456789', trunks: ['sandbox'], menu: {}, amd: false, maxConcurrent: 6, cps: 10, ringTimeoutMs: 5000,
    schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] },
  };
  const bad = await box.api.send<{ error: { message: string } }>('POST', '/api/campaigns', { name: 'bad', listId: imp.body.list.id, config: { ...base, tts: { text: 'Bonjour {prenom}', voice: 'fr' } } });
  t.is(bad.status, 400);
  t.regex(bad.body.error.message, /unknown token \{prenom\}.*\{Heure\}/);

  const c = await box.api.send<{ id: number }>('POST', '/api/campaigns', { name: 'rdv', listId: imp.body.list.id, config: { ...base, tts: { text: 'Bonjour {first_name}, votre rendez-vous est à {Heure}.', voice: 'fr' } } });
  t.is(c.status, 201, c.text);
  await box.api.send('POST', `/api/campaigns/${c.body.id}/start`);
  let status = '';
  for (let i = 0; i < 90 && status !== 'completed'; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    status = (await box.api.get<{ status: string }>(`/api/campaigns/${c.body.id}`)).body.status;
  }
  t.is(status, 'completed');
  const report = (await box.api.get<{ byFinalOutcome: Record<string, number> }>(`/api/campaigns/${c.body.id}/report`)).body;
  t.is(report.byFinalOutcome.human, NAMES.length, JSON.stringify(report.byFinalOutcome));
  // One rendering per contact (their names and times differ), made before their calls.
  const rendered = readdirSync(join(box.dataDir, 'recordings', 'rendered')).filter((f) => f.startsWith('tts-'));
  t.is(rendered.length, NAMES.length);
});
