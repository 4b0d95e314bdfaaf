// The API's field errors from schema validation read like "must be <= 65535"; staff get them in plain
// words, in their language. Unknown messages pass through unchanged.
import { getLang } from './i18n.ts';

type Rule = [RegExp, (m: RegExpMatchArray) => { en: string; fr: string }];

const RULES: Rule[] = [
  [/^must be <= (-?[\d.]+)$/, (m) => ({ en: `must be at most ${m[1]}`, fr: `doit être au plus ${m[1]}` })],
  [/^must be < (-?[\d.]+)$/, (m) => ({ en: `must be less than ${m[1]}`, fr: `doit être inférieur à ${m[1]}` })],
  [/^must be >= (-?[\d.]+)$/, (m) => ({ en: `must be at least ${m[1]}`, fr: `doit être au moins ${m[1]}` })],
  [/^must be > (-?[\d.]+)$/, (m) => ({ en: `must be more than ${m[1]}`, fr: `doit être supérieur à ${m[1]}` })],
  [/^must NOT have fewer than 1 characters?$/, () => ({ en: 'is required', fr: 'est obligatoire' })],
  [/^must NOT have fewer than (\d+) characters?$/, (m) => ({ en: `needs at least ${m[1]} characters`, fr: `il faut au moins ${m[1]} caractères` })],
  [/^must NOT have more than (\d+) characters?$/, (m) => ({ en: `at most ${m[1]} characters`, fr: `au plus ${m[1]} caractères` })],
  [/^must NOT have fewer than (\d+) items?$/, (m) => ({ en: `give at least ${m[1]}`, fr: `indiquez-en au moins ${m[1]}` })],
  [/^must match pattern /, () => ({ en: 'is not in the expected form', fr: 'n’a pas la forme attendue' })],
  [/^must match format "(\w+)"$/, (m) => ({ en: `is not a valid ${m[1]}`, fr: `n’est pas un(e) ${m[1]} valide` })],
  [/^must be integer$/, () => ({ en: 'must be a whole number', fr: 'doit être un nombre entier' })],
  [/^must be number$/, () => ({ en: 'must be a number', fr: 'doit être un nombre' })],
  [/^must be boolean$/, () => ({ en: 'must be yes or no', fr: 'doit être oui ou non' })],
  [/^must be string$/, () => ({ en: 'must be text', fr: 'doit être du texte' })],
  [/^must be equal to one of the allowed values$/, () => ({ en: 'is not one of the allowed choices', fr: 'ne fait pas partie des choix possibles' })],
  [/^is required$/, () => ({ en: 'is required', fr: 'est obligatoire' })],
  // The staff settings' own checks (appliance/staff/settings-check.ts).
  [/^"(.*)" is not an address range \(e\.g\. 192\.168\.1\.0\/24 or fd00::\/8\)$/, (m) => ({ en: `"${m[1]}" is not an address range (e.g. 192.168.1.0/24 or fd00::/8)`, fr: `« ${m[1]} » n’est pas une plage d’adresses (par exemple 192.168.1.0/24 ou fd00::/8)` })],
  [/^"(.*)": the prefix length must be 0-(\d+)$/, (m) => ({ en: `"${m[1]}": the prefix length must be 0-${m[2]}`, fr: `« ${m[1]} » : la longueur du préfixe doit aller de 0 à ${m[2]}` })],
  [/^duplicate group name "(.*)"$/, (m) => ({ en: `another group is already named "${m[1]}"`, fr: `un autre groupe s’appelle déjà « ${m[1]} »` })],
  [/^no user named "(.*)"$/, (m) => ({ en: `no user named "${m[1]}"`, fr: `aucun utilisateur ne s’appelle « ${m[1]} »` })],
  [/^user "(.*)" does not take calls \(allow it first\)$/, (m) => ({ en: `"${m[1]}" does not take calls (allow it first, under Users)`, fr: `« ${m[1]} » ne prend pas d’appels (autorisez-le d’abord, dans Utilisateurs)` })],
  [/^"(.*)" is listed twice$/, (m) => ({ en: `"${m[1]}" is listed twice`, fr: `« ${m[1]} » figure deux fois` })],
  [/^must differ from inbound\.optOutKey \((.*)\), the do-not-call key$/, (m) => ({ en: `must differ from the key to refuse further calls (${m[1]})`, fr: `doit différer de la touche pour refuser d’autres appels (${m[1]})` })],
  [/^no staff group named "(.*)"$/, (m) => ({ en: `no staff group named "${m[1]}"`, fr: `aucun groupe ne s’appelle « ${m[1]} »` })],
  [/^"from" \((.*)\) must come before "to" \((.*)\)$/, (m) => ({ en: `"From" (${m[1]}) must come before "To" (${m[2]})`, fr: `« De » (${m[1]}) doit précéder « À » (${m[2]})` })],
  [/^unknown field$/, () => ({ en: 'is not a known setting', fr: 'n’est pas un réglage connu' })],
];

export function plainFieldMessage(message: string): string {
  for (const [re, make] of RULES) {
    const m = re.exec(message);
    if (m) return make(m)[getLang()];
  }
  return message;
}
