// Ready-made flows for the campaign wizard. Keys are given around the campaign's opt-out key (never on
// it); spoken texts are text-to-speech in the campaign's language, each a step the author may change.
import { AppError } from '../../core/errors.ts';
import { FLOW_VERSION, type CallbackOption, type Flow, type FlowPrompt, type FlowStep } from './model.ts';

export const TEMPLATES = ['message-menu', 'appointment-reminder', 'satisfaction-survey', 'payment-reminder', 'emergency-alert', 'speak-to-someone'] as const;
export type TemplateName = (typeof TEMPLATES)[number];
export type TemplateLang = 'en' | 'fr';

export interface TemplateOptions {
  lang?: TemplateLang;
  /** The campaign's opt-out key. */
  optOutKey?: string;
  /** message-menu only: the campaign's keypad menu and its prompt (a recording id). */
  menu?: { confirm?: string; repeat?: string; optOut?: string };
  menuPrompt?: string | null;
  /** speak-to-someone only: the staff group the transfer rings (validation checks the box has it). */
  staffGroup?: string;
}

/** Callback slots offered by the templates, in the callee's local time. */
export const CALLBACK_SLOTS: Array<Omit<CallbackOption, 'key'>> = [
  { label: 'this_evening', dayOffset: 0, from: '17:00', to: '20:00' },
  { label: 'tomorrow_morning', dayOffset: 1, from: '09:00', to: '12:00' },
  { label: 'tomorrow_afternoon', dayOffset: 1, from: '14:00', to: '17:00' },
];

const T = {
  en: {
    appointment: (k: string[]) => `To confirm your appointment, press ${k[0]}. To cancel it, press ${k[1]}. To move it, press ${k[2]}.`,
    confirmed: 'Thank you, your appointment is confirmed. Goodbye.',
    cancelled: 'Your appointment is cancelled. Goodbye.',
    slots: (k: string[]) => `We will call you back to move it. This evening, press ${k[0]}. Tomorrow morning, press ${k[1]}. Tomorrow afternoon, press ${k[2]}.`,
    slotBooked: 'Thank you, we will call you back then.',
    noSlot: 'We could not book a time. We will try again later. Goodbye.',
    again: 'Sorry, I did not get that.',
    question: (n: number) => `Question ${n}. On a scale of 1 to 5, 5 being the best, how satisfied are you? Press a key from 1 to 5.`,
    comment: 'After the tone, tell us in a few words what we could do better, then press the hash key.',
    thanks: 'Thank you for your answers. Goodbye.',
    payment: (k: string[]) => `If you have already paid, press ${k[0]}. To tell us the date you will pay, press ${k[1]}. To be called back by an adviser, press ${k[2]}.`,
    paid: 'Thank you, we will check your payment. Goodbye.',
    promiseDate: 'Type the date you will pay, as two digits for the day, two for the month and four for the year.',
    promised: 'Thank you, your date is noted. Goodbye.',
    ack: (k: string) => `To acknowledge this alert, press ${k}.`,
    acked: 'Your acknowledgement is recorded. Goodbye.',
    optOutAck: 'You will not be called again. Goodbye.',
    speak: (k: string[]) => `To speak with someone now, press ${k[0]}. To be called back later, press ${k[1]}.`,
    hold: 'Please hold, we are putting you through.',
    nobody: 'Sorry, nobody is available right now. We can call you back.',
    talked: 'Thank you for your call. Goodbye.',
  },
  fr: {
    appointment: (k: string[]) => `Pour confirmer votre rendez-vous, tapez ${k[0]}. Pour l'annuler, tapez ${k[1]}. Pour le déplacer, tapez ${k[2]}.`,
    confirmed: 'Merci, votre rendez-vous est confirmé. Au revoir.',
    cancelled: 'Votre rendez-vous est annulé. Au revoir.',
    slots: (k: string[]) => `Nous vous rappellerons pour le déplacer. Ce soir, tapez ${k[0]}. Demain matin, tapez ${k[1]}. Demain après-midi, tapez ${k[2]}.`,
    slotBooked: 'Merci, nous vous rappellerons à ce moment-là.',
    noSlot: 'Nous n\'avons pas pu fixer d\'horaire. Nous réessaierons plus tard. Au revoir.',
    again: 'Désolé, je n\'ai pas compris.',
    question: (n: number) => `Question ${n}. Sur une échelle de 1 à 5, 5 étant le mieux, êtes-vous satisfait ? Tapez une touche de 1 à 5.`,
    comment: 'Après le bip, dites-nous en quelques mots ce que nous pourrions améliorer, puis tapez dièse.',
    thanks: 'Merci pour vos réponses. Au revoir.',
    payment: (k: string[]) => `Si vous avez déjà payé, tapez ${k[0]}. Pour nous indiquer la date de votre paiement, tapez ${k[1]}. Pour être rappelé par un conseiller, tapez ${k[2]}.`,
    paid: 'Merci, nous allons vérifier votre paiement. Au revoir.',
    promiseDate: 'Tapez la date de votre paiement : deux chiffres pour le jour, deux pour le mois et quatre pour l\'année.',
    promised: 'Merci, votre date est notée. Au revoir.',
    ack: (k: string) => `Pour accuser réception de cette alerte, tapez ${k}.`,
    acked: 'Votre accusé de réception est enregistré. Au revoir.',
    optOutAck: 'Vous ne serez plus appelé. Au revoir.',
    speak: (k: string[]) => `Pour parler à quelqu'un maintenant, tapez ${k[0]}. Pour être rappelé plus tard, tapez ${k[1]}.`,
    hold: 'Veuillez patienter, nous vous mettons en relation.',
    nobody: 'Désolé, personne n\'est disponible pour le moment. Nous pouvons vous rappeler.',
    talked: 'Merci de votre appel. Au revoir.',
  },
} as const;

/** `n` keys for choices, in keypad order, never the opt-out key. */
export function choiceKeys(optOutKey: string | undefined, n: number): string[] {
  return ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'].filter((k) => k !== optOutKey).slice(0, n);
}

const say = (text: string): FlowPrompt => ({ tts: text });
const MESSAGE: FlowPrompt = { message: true };

function callbackStep(id: string, keys: string[], w: (typeof T)[TemplateLang], next: string, onFail: string): FlowStep {
  return {
    id, verb: 'callback', name: 'callback_slot', prompt: say(w.slots(keys)), timeoutMs: 6000, tries: 2,
    options: CALLBACK_SLOTS.map((s, i) => ({ key: keys[i]!, ...s })), confirmPrompt: say(w.slotBooked), next, onFail,
  };
}

/**
 * Today's campaign (the message, then an optional three-key menu: confirm, repeat up to twice, opt out),
 * as a flow: the same keys, the same timings and the same outcomes as the one-procedure script it replaces.
 */
export function messageMenuFlow(menu: { confirm?: string; repeat?: string; optOut?: string }, menuPrompt: string | null): Flow {
  const hasMenu = Boolean(menu.confirm || menu.repeat || menu.optOut);
  if (!hasMenu) return { version: FLOW_VERSION, template: 'message-menu', steps: [{ id: 'message', verb: 'play', prompt: MESSAGE, bargeIn: false }] };
  const options: Record<string, string> = {};
  if (menu.confirm) options[menu.confirm] = 'confirmed';
  if (menu.repeat) options[menu.repeat] = 'repeat';
  // A menu with no option but the opt-out key still waits for it after the message, as before.
  const steps: FlowStep[] = [
    { id: 'message', verb: 'play', prompt: MESSAGE, next: 'menu' },
    { id: 'menu', verb: 'menu', ...(menuPrompt ? { prompt: { recording: menuPrompt } } : {}), options, timeoutMs: 5000, tries: 1, noInput: 'end', invalid: 'end' },
  ];
  if (menu.repeat) steps.push({ id: 'repeat', verb: 'goto', target: 'message', max: 2, else: 'end' });
  if (menu.confirm) steps.push({ id: 'confirmed', verb: 'hangup', outcome: 'confirmed' });
  steps.push({ id: 'end', verb: 'hangup' });
  return { version: FLOW_VERSION, template: 'message-menu', steps };
}

export function appointmentReminder(o: TemplateOptions = {}): Flow {
  const w = T[o.lang ?? 'en'];
  const k = choiceKeys(o.optOutKey, 3);
  return {
    version: FLOW_VERSION, template: 'appointment-reminder', optOutAck: say(w.optOutAck),
    steps: [
      { id: 'message', verb: 'play', prompt: MESSAGE, next: 'choice' },
      { id: 'choice', verb: 'menu', prompt: say(w.appointment(k)), options: { [k[0]!]: 'confirm', [k[1]!]: 'cancel', [k[2]!]: 'move' }, timeoutMs: 6000, tries: 2, invalidPrompt: say(w.again), noInput: 'end', invalid: 'end' },
      { id: 'confirm', verb: 'set', name: 'appointment', value: 'confirmed', next: 'confirmed' },
      { id: 'confirmed', verb: 'hangup', prompt: say(w.confirmed), outcome: 'confirmed' },
      { id: 'cancel', verb: 'set', name: 'appointment', value: 'cancelled', next: 'cancelled' },
      { id: 'cancelled', verb: 'hangup', prompt: say(w.cancelled) },
      { id: 'move', verb: 'set', name: 'appointment', value: 'move', next: 'slot' },
      callbackStep('slot', k, w, 'end', 'no-slot'),
      { id: 'no-slot', verb: 'hangup', prompt: say(w.noSlot) },
      { id: 'end', verb: 'hangup' },
    ],
  };
}

export function satisfactionSurvey(o: TemplateOptions = {}): Flow {
  const w = T[o.lang ?? 'en'];
  if (o.optOutKey && /^[1-5]$/.test(o.optOutKey)) {
    throw new AppError('E_FLOW_INVALID', `the satisfaction survey's answers are the keys 1 to 5; the campaign's opt-out key ${o.optOutKey} is one of them: choose another opt-out key (9, 0, * or #)`, { field: 'menu.optOut' });
  }
  const question = (n: number, next: string): FlowStep => ({
    id: `q${n}`, verb: 'gather', name: `q${n}`, prompt: say(w.question(n)), minDigits: 1, maxDigits: 1, firstDigitTimeoutMs: 6000, interDigitTimeoutMs: 3000,
    tries: 2, invalidPrompt: say(`${w.again} ${w.question(n)}`), validate: { kind: 'range', min: 1, max: 5 }, next, onFail: next,
  });
  return {
    version: FLOW_VERSION, template: 'satisfaction-survey', optOutAck: say(w.optOutAck),
    steps: [
      { id: 'message', verb: 'play', prompt: MESSAGE, next: 'q1' },
      question(1, 'q2'),
      question(2, 'q3'),
      question(3, 'comment'),
      { id: 'comment', verb: 'record', name: 'comment', prompt: say(w.comment), maxMs: 60_000, silenceMs: 3000, ...(o.optOutKey === '#' ? { endKeys: '*' } : { endKeys: '#' }), next: 'thanks' },
      { id: 'thanks', verb: 'hangup', prompt: say(w.thanks), outcome: 'confirmed' },
    ],
  };
}

export function paymentReminder(o: TemplateOptions = {}): Flow {
  const w = T[o.lang ?? 'en'];
  if (o.optOutKey && /^[0-3]$/.test(o.optOutKey)) {
    throw new AppError('E_FLOW_INVALID', `the payment reminder asks for a date (DDMMYYYY), whose first key is 0 to 3; the campaign's opt-out key ${o.optOutKey} is one of them: choose another opt-out key (9, *, # ...)`, { field: 'menu.optOut' });
  }
  const k = choiceKeys(o.optOutKey, 3);
  const terminator = o.optOutKey === '#' ? '*' : '#';
  return {
    version: FLOW_VERSION, template: 'payment-reminder', optOutAck: say(w.optOutAck),
    steps: [
      { id: 'message', verb: 'play', prompt: MESSAGE, next: 'choice' },
      { id: 'choice', verb: 'menu', prompt: say(w.payment(k)), options: { [k[0]!]: 'paid', [k[1]!]: 'promise', [k[2]!]: 'adviser' }, timeoutMs: 6000, tries: 2, invalidPrompt: say(w.again), noInput: 'end', invalid: 'end' },
      { id: 'paid', verb: 'set', name: 'payment', value: 'already_paid', next: 'paid-bye' },
      { id: 'paid-bye', verb: 'hangup', prompt: say(w.paid), outcome: 'confirmed' },
      { id: 'promise', verb: 'set', name: 'payment', value: 'promise', next: 'promise-date' },
      { id: 'promise-date', verb: 'gather', name: 'promise_date', prompt: say(w.promiseDate), minDigits: 8, maxDigits: 8, terminator, firstDigitTimeoutMs: 8000, interDigitTimeoutMs: 4000, tries: 2, invalidPrompt: say(`${w.again} ${w.promiseDate}`), validate: { kind: 'date' }, next: 'promised', onFail: 'end' },
      { id: 'promised', verb: 'hangup', prompt: say(w.promised), outcome: 'confirmed' },
      { id: 'adviser', verb: 'set', name: 'payment', value: 'callback', next: 'slot' },
      callbackStep('slot', k, w, 'end', 'end'),
      { id: 'end', verb: 'hangup' },
    ],
  };
}

/** The alert is repeated until it is acknowledged, at most `repeats` more times (bounded). */
export function emergencyAlert(o: TemplateOptions & { repeats?: number } = {}): Flow {
  const w = T[o.lang ?? 'en'];
  const [ack] = choiceKeys(o.optOutKey, 1);
  return {
    version: FLOW_VERSION, template: 'emergency-alert', optOutAck: say(w.optOutAck),
    steps: [
      { id: 'alert', verb: 'play', prompt: MESSAGE, next: 'ack' },
      { id: 'ack', verb: 'menu', prompt: say(w.ack(ack!)), options: { [ack!]: 'acknowledged' }, timeoutMs: 6000, tries: 1, noInput: 'again', invalid: 'again' },
      { id: 'again', verb: 'goto', target: 'alert', max: o.repeats ?? 3, else: 'unacknowledged' },
      { id: 'acknowledged', verb: 'set', name: 'acknowledged', value: 'yes', next: 'acked' },
      { id: 'acked', verb: 'hangup', prompt: say(w.acked), outcome: 'confirmed' },
      { id: 'unacknowledged', verb: 'set', name: 'acknowledged', value: 'no' },
    ],
  };
}

/**
 * "Press 1 to speak with someone" (issue 16): the message, then a person of the staff group (hold
 * message while it rings, at most 45 s), or a callback slot; nobody answering offers the callback too.
 */
export function speakToSomeone(o: TemplateOptions = {}): Flow {
  const w = T[o.lang ?? 'en'];
  const k = choiceKeys(o.optOutKey, 3);
  return {
    version: FLOW_VERSION, template: 'speak-to-someone', optOutAck: say(w.optOutAck),
    steps: [
      { id: 'message', verb: 'play', prompt: MESSAGE, next: 'choice' },
      { id: 'choice', verb: 'menu', name: 'choice', prompt: say(w.speak(k)), options: { [k[0]!]: 'agent', [k[1]!]: 'slot' }, timeoutMs: 6000, tries: 2, invalidPrompt: say(w.again), noInput: 'end', invalid: 'end' },
      { id: 'agent', verb: 'transfer', to: o.staffGroup ?? 'staff', holdPrompt: say(w.hold), waitMs: 45_000, next: 'talked', noAnswer: 'nobody' },
      { id: 'talked', verb: 'hangup', prompt: say(w.talked), outcome: 'confirmed' },
      { id: 'nobody', verb: 'play', prompt: say(w.nobody), next: 'slot' },
      callbackStep('slot', k, w, 'end', 'end'),
      { id: 'end', verb: 'hangup' },
    ],
  };
}

export function flowTemplate(name: TemplateName, o: TemplateOptions = {}): Flow {
  switch (name) {
    case 'message-menu': return messageMenuFlow(o.menu ?? {}, o.menuPrompt ?? null);
    case 'appointment-reminder': return appointmentReminder(o);
    case 'satisfaction-survey': return satisfactionSurvey(o);
    case 'payment-reminder': return paymentReminder(o);
    case 'emergency-alert': return emergencyAlert(o);
    case 'speak-to-someone': return speakToSomeone(o);
  }
}
