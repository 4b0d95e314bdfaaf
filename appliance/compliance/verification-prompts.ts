// The three short messages of a caller-ID verification call, spoken once with espeak-ng in the box's
// language and kept in <data>/recordings/system (later calls reuse the files).
import { join } from 'node:path';
import { synthesize } from '../../media/prompts/tts.ts';
import type { VerificationPrompts } from './caller-id-verify.ts';

const FRENCH = ['FR', 'BE', 'CH', 'LU', 'MC', 'GP', 'MQ', 'GF', 'RE', 'YT', 'PM', 'BL', 'MF', 'NC', 'PF', 'WF'];

const TEXT = {
  en: {
    ask: 'This call verifies your phone number as a caller I D. Please type the six digit code shown on the screen, then press the hash key.',
    wrong: 'That code is not right. Please type the code again.',
    done: 'Thank you. Your number is now verified. Goodbye.',
  },
  fr: {
    ask: "Cet appel vérifie votre numéro comme numéro d'appelant. Tapez le code à six chiffres affiché à l'écran, puis la touche dièse.",
    wrong: "Ce code n'est pas le bon. Tapez le code à nouveau.",
    done: 'Merci. Votre numéro est vérifié. Au revoir.',
  },
} as const;

/** Prompts for the box's country; rendered on first use, then read from the files. */
export function verificationPrompts(dataDir: string, country: () => string): () => Promise<VerificationPrompts> {
  const cache = new Map<string, Promise<VerificationPrompts>>();
  return () => {
    const lang = FRENCH.includes(country()) ? 'fr' : 'en';
    let p = cache.get(lang);
    if (!p) {
      const libraryDir = join(dataDir, 'recordings', 'system');
      const say = async (key: keyof (typeof TEXT)['en']) => (await synthesize(TEXT[lang][key], { voice: lang, libraryDir, name: `caller-ID verification (${key})` })).prompt;
      p = (async () => ({ ask: await say('ask'), wrong: await say('wrong'), done: await say('done') }))();
      // A failed synthesis is tried again on the next verification.
      p.catch(() => cache.delete(lang));
      cache.set(lang, p);
    }
    return p;
  };
}
