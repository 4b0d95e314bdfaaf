// Something on every page for the language tests: a list (and a file with refused rows to import in the
// page), a text-to-speech message in a female French voice, a campaign run to its end on the sandbox
// (report, durations, live counters) and a draft (preflight, time left).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ApiClient } from '../support/appliance.ts';

const JOURNEY = readFileSync(fileURLToPath(new URL('../fixtures/contacts/journey.csv', import.meta.url)));

/** A file whose third row has letters for a number and whose fifth has none. */
export const BAD_ROWS_CSV = 'Name;Phone;City\nMarie Martin;06 12 34 56 78;Lyon\nJean Petit;not a number;Paris\nAli Ben;+33 1 23 45 67 89;Lille\nZoé Roux;;Nantes\n';

export interface LanguageData {
  listId: number;
  recordingId: string;
  doneId: number;
  draftId: number;
}

export async function seedLanguageData(api: ApiClient): Promise<LanguageData> {
  const up = await api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=journey.csv', JOURNEY);
  const list = await api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'Clients', country: 'FR' });
  if (list.status !== 200 && list.status !== 201) throw new Error(`list: ${list.status} ${list.text}`);
  const rec = await api.send<{ id: string }>('POST', '/api/recordings/tts', { text: 'Bonjour, ceci est un rappel de votre rendez-vous.', voice: 'fr+f2', name: 'Rappel' });
  if (rec.status !== 200 && rec.status !== 201) throw new Error(`recording: ${rec.status} ${rec.text}`);
  const config = {
    purpose: 'informational', message: rec.body.id, callerId: '+33123456789', trunks: ['sandbox'], maxConcurrent: 20, cps: 20, ringTimeoutMs: 5000, maxAttempts: 1,
    schedule: { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] },
  };
  const done = await api.send<{ id: number }>('POST', '/api/campaigns', { name: 'Rappels', listId: list.body.list.id, config });
  if (done.status !== 201) throw new Error(`campaign: ${done.status} ${done.text}`);
  const started = await api.send('POST', `/api/campaigns/${done.body.id}/start`);
  if (started.status !== 200) throw new Error(`start: ${started.status} ${started.text}`);
  for (let i = 0; ; i++) {
    const v = await api.get<{ status: string }>(`/api/campaigns/${done.body.id}`);
    if (v.body.status === 'completed') break;
    if (i > 400) throw new Error(`the campaign did not end: ${v.text.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const draft = await api.send<{ id: number }>('POST', '/api/campaigns', { name: 'Brouillon', listId: list.body.list.id, config });
  if (draft.status !== 201) throw new Error(`draft: ${draft.status} ${draft.text}`);
  return { listId: list.body.list.id, recordingId: rec.body.id, doneId: done.body.id, draftId: draft.body.id };
}
