// The settings page's "test call": one call on the sandbox trunk through the running box's engine.
import test from 'ava';
import { startTestBox } from '../../support/appliance.ts';

interface Report { trunk: string; outcome: string; sipCode: number | null; messagePlayedMs: number; durations: { talkMs: number } }
interface ErrorBody { error: { code: string; fields?: { key: string; message: string }[] } }

test('a test call on the sandbox trunk reports its outcome; bad targets and recordings get field errors', async (t) => {
  const box = await startTestBox({ sandbox: { seed: 7, mix: 'listener=100' } });
  t.teardown(() => box.stop());
  const health = await box.api.get<{ trunks: { name: string }[] }>('/api/health');
  const trunk = health.body.trunks[0]!.name;
  const rec = await box.api.send<{ id: string }>('POST', '/api/recordings/tts', { text: 'This is a test.', voice: 'en' });
  t.is(rec.status, 201, rec.text);

  const r = await box.api.send<Report>('POST', `/api/trunks/${trunk}/test-call`, { to: '+33 6 12 34 56 78', recordingId: rec.body.id });
  t.is(r.status, 200, r.text);
  t.is(r.body.trunk, trunk);
  t.is(r.body.outcome, 'human');
  t.true(r.body.messagePlayedMs > 0);
  // Placed outside any campaign's rules, so the audit log keeps it, with the number masked.
  const audit = await box.api.get<{ action: string; actor: string; subject: string; details: { to: string } }[]>('/api/compliance/audit?limit=1000');
  const entry = audit.body.find((e) => e.action === 'trunk.test-call');
  t.truthy(entry, 'the test call is in the audit log');
  t.is(entry?.subject, trunk);
  t.false(entry?.details.to.includes('12345678'), `the number is masked: ${entry?.details.to}`);

  const badTarget = await box.api.send<ErrorBody>('POST', `/api/trunks/${trunk}/test-call`, { to: 'call me', recordingId: rec.body.id });
  t.is(badTarget.status, 400);
  t.is(badTarget.body.error.fields?.[0]?.key, 'to');
  const badRec = await box.api.send<ErrorBody>('POST', `/api/trunks/${trunk}/test-call`, { to: '+33612345678', recordingId: 'nope' });
  t.is(badRec.status, 404);
  t.is(badRec.body.error.fields?.[0]?.key, 'recordingId');
  const badTrunk = await box.api.send<ErrorBody>('POST', '/api/trunks/nope/test-call', { to: '+33612345678', recordingId: rec.body.id });
  t.is(badTrunk.status, 400);
  t.is(badTrunk.body.error.code, 'E_TRUNK_UNKNOWN');
});
