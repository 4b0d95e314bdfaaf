// The report page charts a survey's answers (issue 15): per question the 1-5 scale as bars with counts
// and shares (a value nobody chose still shown), and where calls ended, step by step; in English and
// French. The attempts are written to the box's store as the dialer writes them (the dialer's own part
// is covered by test/flows/dialer-flows.test.ts and the spoken answer's by spoken-answers.test.ts).
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveFlowRecord } from '../../appliance/store/answers-repo.ts';
import { addList } from '../compliance/fixtures.ts';
import { openPage, startUiBox } from './browser.ts';

const PEOPLE: Array<{ path: string[]; answers: Record<string, string>; outcome: string }> = [
  { path: ['message', 'q1', 'q2', 'q3', 'comment', 'thanks'], answers: { q1: '5', q2: '4', q3: '5' }, outcome: 'confirmed' },
  { path: ['message', 'q1', 'q2', 'q3', 'comment', 'thanks'], answers: { q1: '5', q2: '3', q3: '2' }, outcome: 'confirmed' },
  { path: ['message', 'q1', 'q2', 'q3', 'comment', 'thanks'], answers: { q1: '4', q2: '3', q3: '1' }, outcome: 'confirmed' },
  { path: ['message', 'q1', 'q2'], answers: { q1: '2' }, outcome: 'human' },
  { path: ['message', 'q1'], answers: {}, outcome: 'opted-out' },
];

test('a survey\'s answers are charted per question, with where calls ended, in English and French', async (t) => {
  t.timeout(90_000);
  const { page, box, base } = await startUiBox(t);
  const dir = mkdtempSync(join(tmpdir(), 'vba-report-answers-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const numbers = PEOPLE.map((_, i) => `+3314200010${i}`);
  const { listId, contactIds } = addList(box.app.db, 'patients', numbers.map((e164) => ({ e164, zones: ['Europe/Paris'] })));
  const wav = join(dir, 'm.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', wav, 'synth', '1.0', 'sine', '500', 'vol', '0.5']);
  const rec = await box.api.send<{ id: string }>('POST', '/api/recordings?name=m&filename=m.wav', readFileSync(wav));
  t.is(rec.status, 201, rec.text);
  const c = await box.api.send<{ id: number }>('POST', '/api/campaigns', { name: 'Satisfaction', listId, config: {
    message: rec.body.id, callerId: '+33162000000', trunks: ['sandbox'], menu: { optOut: '9' }, flow: { template: 'satisfaction-survey', lang: 'en' },
  } });
  t.is(c.status, 201, c.text);
  const id = c.body.id;
  const db = box.app.db;
  const ins = db.prepare("INSERT INTO attempts (campaign_id, contact_id, e164, state, intent_at, ended_at, outcome) VALUES (?, ?, ?, 'final', ?, ?, ?)");
  db.transaction(() => PEOPLE.forEach((p, i) => {
    const attemptId = Number(ins.run(id, contactIds[i], numbers[i], 1000 * i, 1000 * i + 30_000, p.outcome).lastInsertRowid);
    saveFlowRecord(db, { attemptId, campaignId: id, contactId: contactIds[i]!, path: p.path, answers: p.answers, files: {} });
  }))();

  await openPage(page, `${base}/reports/${id}`, 'report-answers');
  const q1 = page.getByTestId('answer-q1');
  t.regex(await q1.getByRole('heading').innerText(), /Question 1 — q1 \(Keypad answer, asked at step q1\)/);
  t.regex(await q1.innerText(), /Answered: 4 of the 5 calls that reached this question\./);
  const rows = await q1.getByRole('row').allInnerTexts();
  t.deepEqual(rows.map((r) => r.split('\t').map((x) => x.trim()).filter(Boolean)), [
    ['Answer', 'Calls', 'Share', 'Bar'], ['1', '0', '0%'], ['2', '1', '25%'], ['3', '0', '0%'], ['4', '1', '25%'], ['5', '2', '50%'],
  ], 'the whole 1-5 scale in order, 1 and 3 at zero');
  const q3 = await page.getByTestId('answer-q3').getByRole('row').allInnerTexts();
  t.is(q3.length, 6);
  t.regex(await page.getByTestId('answer-comment').innerText(), /Spoken answer.*Spoken answers kept: 0\./s);
  // Bars are drawn in proportion: 5 (two answers) is the longest, 2 half of it.
  const widths = await q1.locator('.hbar__fill').evaluateAll((els) => els.map((e) => (e as unknown as { style: { width: string } }).style.width));
  t.deepEqual(widths, ['0%', '50%', '0%', '50%', '100%']);

  const completion = await page.getByTestId('report-completion').getByRole('row').allInnerTexts();
  const cells = completion.slice(1).map((r) => r.split('\t').map((x) => x.trim()).filter(Boolean));
  t.deepEqual(cells, [
    ['message', 'Message', '5 (100%)', '0'],
    ['q1', 'Keypad answer', '5 (100%)', '1'],
    ['q2', 'Keypad answer', '4 (80%)', '1'],
    ['q3', 'Keypad answer', '3 (60%)', '0'],
    ['comment', 'Spoken answer', '3 (60%)', '0'],
    ['thanks', 'Goodbye', '3 (60%)', '3'],
  ]);
  t.regex(await page.getByTestId('report-completion').innerText(), /Of the 5 calls in which a person answered/);
  t.regex(await page.getByTestId('report-spoken').innerText(), /No spoken answer yet\./);

  await page.getByLabel('Language').selectOption('fr');
  await page.getByRole('heading', { name: 'Réponses', exact: true }).waitFor();
  t.regex(await page.getByTestId('answer-q1').innerText(), /Question 1 — q1 \(Réponse au clavier, posée à l’étape q1\)/);
  t.regex(await page.getByTestId('answer-q1').innerText(), /Ont répondu : 4 des 5 appels arrivés à cette question\./);
  t.regex(await page.getByTestId('report-completion').innerText(), /Où les appels se sont terminés/);
  t.regex(await page.getByTestId('report-completion').innerText(), /thanks\s+Au revoir\s+3\s\(60\s%\)\s+3/);
});
