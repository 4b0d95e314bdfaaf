// The flow editor in Chromium, in English and in French: a campaign made from the satisfaction-survey
// template in the wizard, a step's text changed, a field error from the box shown on the step it names
// (and in the form's summary), then "Try it" on the campaign page: one real call through the engine to
// the sandbox, and the path the simulated person took, step by step, with the key pressed.
import test, { type ExecutionContext } from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { artifactPath, startUiBox } from './browser.ts';

const CSV = readFileSync(fileURLToPath(new URL('../fixtures/contacts/journey.csv', import.meta.url)));
const CALLER = '+33162000000';

const WORDS = {
  en: {
    name: 'Name', list: 'Contact list', tts: 'Text-to-speech, personalised per contact', ttsText: 'Message text', optOut: 'Key to opt out',
    kind: 'Kind of call', survey: 'Satisfaction survey (three questions from 1 to 5 and a spoken comment)', text: 'What is said · Text',
    save: 'Save and check', notSaved: 'The campaign was not saved',
    summary: /Step 2 “q1” · What is said: the list has no column \{loyalty_points\}\./,
    onStep: /To fix in this step\s+the list has no column \{loyalty_points\}\./,
    question: 'Question one: how happy are you with your visit, {first_name}? Press 1 to 5.',
    callee: 'Who answers', presser: 'A person who presses keys', tryIt: 'Try it', path: /The way through the steps/,
    verbPlay: 'Play a message', verbGather: 'Ask for digits', keys: /^Keys pressed: |^No key was pressed\.$/,
    q1Branches: ['answered → q2', 'no valid answer → q2'],
  },
  fr: {
    name: 'Nom', list: 'Liste de contacts', tts: 'Synthèse vocale, personnalisée par contact', ttsText: 'Texte du message', optOut: 'Touche pour s’opposer',
    kind: 'Type d’appel', survey: 'Enquête de satisfaction (trois questions de 1 à 5 et un commentaire oral)', text: 'Ce qui est dit · Texte',
    save: 'Enregistrer et vérifier', notSaved: 'La campagne n’a pas été enregistrée',
    summary: /Étape 2 « q1 » · Ce qui est dit : la liste n’a pas de colonne \{loyalty_points\}\./,
    onStep: /À corriger dans cette étape\s+la liste n’a pas de colonne \{loyalty_points\}\./,
    question: 'Première question : êtes-vous satisfait de votre visite, {first_name} ? Tapez 1 à 5.',
    callee: 'Qui répond', presser: 'Une personne qui tape des touches', tryIt: 'Essayer', path: /Le chemin à travers les étapes/,
    verbPlay: 'Diffuser un message', verbGather: 'Demander des chiffres', keys: /^Touches tapées : |^Aucune touche n’a été tapée\.$/,
    q1Branches: ['réponse donnée → q2', 'aucune réponse valable → q2'],
  },
} as const;

async function surveyInTheWizard(t: ExecutionContext, lang: 'en' | 'fr'): Promise<void> {
  t.timeout(240_000);
  const w = WORDS[lang];
  const { page, base, box } = await startUiBox(t, {
    ...(lang === 'fr' ? { locale: 'fr-FR' } : {}),
    box: { sandbox: { timeScale: 0.2 }, settings: (s) => { s.callerIds = [{ number: CALLER, label: 'Office', verified: true }]; } },
  });
  const up = await box.api.send<{ uploadId: string }>('POST', '/api/lists/preview?filename=journey.csv', CSV);
  const list = await box.api.send<{ list: { id: number } }>('POST', '/api/lists', { uploadId: up.body.uploadId, name: 'Patients', country: 'FR' });
  t.is(list.status, 201, list.text);

  await page.goto(`${base}/campaigns/new`);
  await page.getByLabel(w.name, { exact: true }).fill(lang === 'fr' ? 'Enquête' : 'Survey');
  await page.getByLabel(w.list).selectOption({ index: 1 });
  await page.getByLabel(w.tts).check();
  await page.getByLabel(w.ttsText).fill(lang === 'fr' ? 'Bonjour {first_name}, ici la clinique.' : 'Hello {first_name}, this is the clinic.');
  await page.getByLabel(w.optOut).selectOption('9');

  // The template's steps appear: the message, three questions, the spoken comment, thanks.
  await page.getByLabel(w.kind).selectOption({ label: w.survey });
  const q1 = page.getByTestId('flow-step-1');
  await q1.waitFor();
  const legends = await page.locator('.flow-step__title').allInnerTexts();
  t.deepEqual(legends.map((l) => /[“«] ?(\S+?) ?[”»]/.exec(l)?.[1]), ['message', 'q1', 'q2', 'q3', 'comment', 'thanks']);
  // Folded, each step shows where it leads (the flow as an indented outline); opened, its form.
  t.deepEqual(await q1.locator('.flow-branches li').allInnerTexts(), w.q1Branches);
  await q1.locator('summary').click();
  t.regex(await q1.getByLabel(w.text).inputValue(), lang === 'fr' ? /^Question 1\. Sur une échelle de 1 à 5/ : /^Question 1\. On a scale of 1 to 5/);

  // A column the list does not have: the box refuses, naming the step, on the step and in the summary.
  await q1.getByLabel(w.text).fill(`${w.question} {loyalty_points}`);
  await page.getByRole('button', { name: w.save }).click();
  const summary = page.getByRole('alert').filter({ hasText: w.notSaved });
  await summary.waitFor();
  t.regex(await summary.innerText(), w.summary);
  t.regex(await page.getByTestId('flow-step-problems-1').innerText(), w.onStep);
  t.is(await q1.getByLabel(w.text).getAttribute('aria-invalid'), 'true');
  await page.screenshot({ path: artifactPath(`flow-editor-error-${lang}`), fullPage: true });

  // The step's text edited and saved: the campaign keeps the survey with the new words.
  await q1.getByLabel(w.text).fill(w.question);
  await page.getByRole('button', { name: w.save }).click();
  await page.waitForURL(/\/campaigns\/\d+$/);
  const id = Number(/\/campaigns\/(\d+)$/.exec(page.url())?.[1]);
  const saved = await box.api.get<{ config: { flow: { template: string; steps: Array<{ id: string; prompt?: { tts?: string } }> } } }>(`/api/campaigns/${id}`);
  t.is(saved.body.config.flow.template, 'satisfaction-survey');
  t.is(saved.body.config.flow.steps[1]?.prompt?.tts, w.question);

  // Try it: a person who presses keys, on the sandbox; the path shown is the box's, step by step.
  const tryCard = page.getByTestId('try-flow');
  await tryCard.getByLabel(w.callee).selectOption({ label: w.presser });
  const answered = page.waitForResponse((r) => r.url().endsWith(`/api/campaigns/${id}/try`), { timeout: 150_000 });
  await tryCard.getByRole('button', { name: w.tryIt }).click();
  const reply = await (await answered).json() as { steps: Array<{ id: string; answer: string | null }>; keys: string };
  await page.getByTestId('try-report').waitFor();
  t.regex(await page.getByTestId('try-report').innerText(), w.path);
  const shown = await page.locator('[data-testid="try-path"] li').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')));
  t.deepEqual(shown, reply.steps.map((s) => s.id));
  t.deepEqual(shown.slice(0, 2), ['message', 'q1'], JSON.stringify(reply));
  const items = await page.locator('[data-testid="try-path"] li').allInnerTexts();
  t.regex(items[0]!, new RegExp(`^message · ${w.verbPlay}`));
  t.regex(items[1]!, new RegExp(`^q1 · ${w.verbGather}`));
  t.regex(await page.getByTestId('try-keys').innerText(), w.keys);
  // The presser answered the first question with a key (or opted out with 9): the key is shown.
  t.true(reply.keys.length > 0, JSON.stringify(reply));
  if (reply.steps[1]?.answer) t.regex(items[1]!, new RegExp(`q1 = ${reply.steps[1].answer}`));
  await page.screenshot({ path: artifactPath(`flow-try-${lang}`), fullPage: true });
}

test.serial('a survey campaign from the template: a step edited, an error on the step it names, and “try it” shows the path', (t) => surveyInTheWizard(t, 'en'));
test.serial('the same in French: template, the step named in the error, the path of the try', (t) => surveyInTheWizard(t, 'fr'));
