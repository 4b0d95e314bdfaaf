// Renaming a recording: the new name is shown everywhere and survives a restart; the id (what campaigns
// use) stays; an empty name is refused with a field error.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestBox } from '../../support/appliance.ts';

interface Rec { id: string; name: string }

test('PUT /api/recordings/:id renames it, keeps its id, and the name survives a restart', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vba-rename-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const box = await startTestBox({ dataDir });
  let stopped = false;
  t.teardown(() => (stopped ? undefined : box.stop()));
  const made = await box.api.send<Rec>('POST', '/api/recordings/tts', { text: 'Hello there.', voice: 'en', name: 'first name' });
  t.is(made.status, 201, made.text);

  const renamed = await box.api.send<Rec>('PUT', `/api/recordings/${made.body.id}`, { name: '  Reminder, May  ' });
  t.is(renamed.status, 200, renamed.text);
  t.is(renamed.body.id, made.body.id);
  t.is(renamed.body.name, 'Reminder, May');
  const listed = await box.api.get<Rec[]>('/api/recordings');
  t.deepEqual(listed.body.map((r) => r.name), ['Reminder, May']);

  const empty = await box.api.send<{ error: { fields: { key: string }[] } }>('PUT', `/api/recordings/${made.body.id}`, { name: '   ' });
  t.is(empty.status, 400);
  t.is(empty.body.error.fields[0]?.key, 'body.name');
  const missing = await box.api.send('PUT', '/api/recordings/no-such-one', { name: 'x' });
  t.is(missing.status, 404);

  await box.stop();
  stopped = true;
  const again = await startTestBox({ dataDir });
  t.teardown(() => again.stop());
  t.deepEqual(again.app.recordings.list().map((r) => [r.id, r.name]), [[made.body.id, 'Reminder, May']]);
});
