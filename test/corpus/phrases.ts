// What people and voicemail boxes say when a call is answered, in English and French. Greetings are
// lists of sentences: the generator speaks each one and inserts the pauses a real recording has.
import { pick, type Rand } from './signal.ts';

export type Lang = 'en' | 'fr';

const NAMES = { en: ['John', 'Sarah', 'Michael Brown', 'Emily', 'David Miller', 'Laura'], fr: ['Marie', 'Pierre Martin', 'Sophie', 'Jean-Luc', 'Camille Dubois', 'Nicolas'] };
const COMPANIES = { en: ['Smith and Partners', 'the Riverside dental clinic', 'Acme Plumbing'], fr: ['la pharmacie du Centre', 'Dupont et fils', 'le cabinet médical des Lilas'] };

/** First words of a person picking up; some say a second thing after waiting for the caller. */
export const HUMAN_FIRST: Record<Lang, readonly string[]> = {
  en: ['Hello?', 'Hello.', 'Yes?', 'Yes, who is this?', 'Hi, this is {name}.', 'Hello, {name} speaking.', 'Hi there.', 'Yeah, hello?', 'Good morning.', "Hello, who's calling?", 'Hey.', 'Speaking.'],
  fr: ['Allô ?', 'Allô oui ?', 'Oui, allô ?', 'Bonjour.', 'Oui, bonjour ?', "Allô, c'est qui ?", "Oui, j'écoute.", "Allô, {name} à l'appareil.", "Bonjour, c'est {name}.", 'Oui ?', 'Allô, bonjour.'],
};

export const HUMAN_AGAIN: Record<Lang, readonly string[]> = {
  en: ['Hello?', 'Is anyone there?', 'Hello, can you hear me?', 'Hello?'],
  fr: ['Allô ?', "Il y a quelqu'un ?", 'Allô, vous m’entendez ?', 'Allô ?'],
};

/** Voicemail greetings, each a list of sentences; weights favour the common long ones, a few are short. */
export const GREETINGS: Record<Lang, ReadonlyArray<readonly string[]>> = {
  en: [
    ["Hi, you've reached {name}.", "I can't take your call right now.", 'Please leave a message after the tone.'],
    ['Hello, this is {name}.', 'Sorry I missed your call.', "Leave your name and number and I'll get back to you as soon as I can."],
    ['The person you are calling is not available.', 'Please leave a message after the tone.'],
    ['Thank you for calling {company}.', 'Our office is currently closed.', 'Please leave a message after the beep and we will call you back.'],
    ['You have reached the voicemail of {name}.', 'Please record your message after the tone.', 'When you have finished, simply hang up.'],
    ["Hey, it's {name}, leave a message."],
    ['Hi, {name} here.', "I'm away from my phone, leave a message."],
  ],
  fr: [
    ['Bonjour, vous êtes bien sur la messagerie de {name}.', 'Je ne suis pas disponible pour le moment.', 'Merci de laisser un message après le bip sonore.'],
    ['Bonjour, vous êtes sur le répondeur de {name}.', 'Laissez-moi un message, je vous rappelle dès que possible.'],
    ["Votre correspondant n'est pas joignable pour le moment.", 'Veuillez laisser un message après le signal sonore.'],
    ['Bienvenue chez {company}.', 'Nos bureaux sont actuellement fermés.', 'Laissez-nous un message avec vos coordonnées, nous vous rappellerons.'],
    ["Salut, c'est {name}, laisse-moi un message."],
    ['Bonjour, {name}, je suis absent.', 'Laissez un message après le bip, merci.'],
  ],
};

export function fill(text: string, r: Rand, lang: Lang): string {
  return text.replace('{name}', pick(r, NAMES[lang])).replace('{company}', pick(r, COMPANIES[lang]));
}

/** espeak-ng voices with variants, per language (Debian's espeak-ng-data has these). */
export const VOICES: Record<Lang, readonly string[]> = {
  en: ['en-us', 'en-us+f2', 'en-us+m3', 'en', 'en+f3', 'en+m1', 'en-gb-x-rp+f4', 'en-us+m7'],
  fr: ['fr', 'fr+f2', 'fr+m3', 'fr-be', 'fr+f4', 'fr+m1', 'fr-be+f3'],
};
