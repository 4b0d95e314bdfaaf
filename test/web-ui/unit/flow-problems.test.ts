// The flow editor words every class of invalid flow the box refuses, on the step it names, in English
// and French: the box's real field errors (appliance/flows/validate.ts) go through the page's words.
import test from 'ava';
import { AppError } from '../../../core/errors.ts';
import { checkFlow } from '../../../appliance/flows/validate.ts';
import { flowFieldLabel, flowProblemText, stepOf } from '../../../web-ui/src/flows/flow-problems.ts';
import { setLang } from '../../../web-ui/src/i18n.ts';
import type { WireFlow } from '../../../web-ui/src/flows/types.ts';

const play = (id: string, next?: string) => ({ id, verb: 'play', prompt: { tts: 'Hello' }, ...(next ? { next } : {}) });
const ctx = { optOutKey: '9', tokens: ['name', 'first_name'], recordingExists: () => false, campaignWindows: [{ from: '09:00', to: '18:00' }] };

/** One invalid flow per class, and the step (index) its error must name. */
const CASES: Array<[string, WireFlow, number, RegExp, RegExp]> = [
  ['unknown verb', { version: 1, steps: [play('a'), { id: 'b', verb: 'dance' }] }, 1, /unknown kind of step “dance”/, /type d’étape inconnu « dance »/],
  ['branch to a missing step', { version: 1, steps: [play('a', 'nowhere')] }, 0, /leads to step “nowhere”/, /mène à l’étape « nowhere »/],
  ['unreachable step', { version: 1, steps: [play('a'), play('b')] }, 1, /cannot be reached from the first step “a”/, /ne peut pas être atteinte depuis la première étape « a »/],
  ['loop without a bound', { version: 1, steps: [play('a', 'b'), play('b', 'a')] }, 1, /a loop without a limit/, /une boucle sans limite/],
  ['menu takes the opt-out key', { version: 1, steps: [{ id: 'm', verb: 'menu', options: { 9: 'm2' }, timeoutMs: 5000, tries: 1 }, play('m2')] }, 0, /uses key 9, the campaign’s opt-out key/, /utilise la touche 9/],
  ['token the list lacks', { version: 1, steps: [{ id: 'a', verb: 'play', prompt: { tts: 'Hi {city}' } }] }, 0, /the list has no column \{city\}/, /la liste n’a pas de colonne \{city\}/],
  ['callback outside every window', { version: 1, steps: [{ id: 'c', verb: 'callback', name: 'slot', options: [{ key: '1', dayOffset: 0, from: '19:00', to: '20:00', label: 'evening' }], timeoutMs: 5000, tries: 1 }] }, 0, /the time “evening” \(19:00–20:00\) is outside every calling window/, /l’heure « evening » \(19:00–20:00\) est en dehors/],
  ['recording not in the library', { version: 1, steps: [{ id: 'a', verb: 'play', prompt: { recording: 'gone' } }] }, 0, /the recording “gone” is not in the library/, /l’enregistrement « gone » n’est pas dans la bibliothèque/],
  ['duplicate name', { version: 1, steps: [play('a', 'a'), play('a')] }, 1, /another step \(number 1\) has the same name/, /une autre étape \(n° 1\) porte le même nom/],
  ['wait out of bounds, said in seconds', { version: 1, steps: [{ id: 'm', verb: 'menu', options: {}, timeoutMs: 100, tries: 1 }] }, 0, /a number from 1 to 60\./, /un nombre de 1 à 60\./],
];

for (const [what, flow, index, en, fr] of CASES) {
  test(`${what}: worded on step ${index + 1}, in English and French`, (t) => {
    const e = t.throws(() => checkFlow(flow, ctx), { instanceOf: AppError }) as AppError;
    const mine = (e.fields ?? []).filter((f) => stepOf(f.key)?.index === index);
    t.true(mine.length > 0, JSON.stringify(e.fields));
    setLang('en');
    const words = mine.map((f) => flowProblemText(f));
    t.true(words.some((w) => en.test(w)), words.join(' | '));
    t.true(mine.every((f) => flowFieldLabel(f.key, flow).startsWith(`Step ${index + 1} “${flow.steps[index]!.id}”`)));
    setLang('fr');
    const mots = mine.map((f) => flowProblemText(f));
    t.true(mots.some((w) => fr.test(w)), mots.join(' | '));
    t.true(mine.every((f) => flowFieldLabel(f.key, flow).startsWith(`Étape ${index + 1} « ${flow.steps[index]!.id} »`)));
    t.false(mots.some((w) => /\bstep\b|the list|not valid/.test(w)), mots.join(' | '));
    setLang('en');
  });
}
