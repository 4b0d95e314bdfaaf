import { makeT } from '../../i18n.ts';

const en = {
  title: 'Log in',
  intro: 'Log in to the voice-broadcast box.',
  username: 'Username',
  password: 'Password',
  submit: 'Log in',
  wrong: 'Wrong username or password.',
  rateLimited: 'Too many failed attempts. Wait {wait} before trying again.',
  network: 'The box did not answer; check the network.',
  required: 'Fill in this field.',
  firstAdmin: 'First time? The admin password was printed once when the box first started, or came with its provisioning.',
};

const fr: Record<keyof typeof en, string> = {
  title: 'Connexion',
  intro: 'Connectez-vous au boîtier de diffusion vocale.',
  username: 'Identifiant',
  password: 'Mot de passe',
  submit: 'Se connecter',
  wrong: 'Identifiant ou mot de passe incorrect.',
  rateLimited: 'Trop d’essais manqués. Attendez {wait} avant de réessayer.',
  network: 'Le boîtier ne répond pas ; vérifiez le réseau.',
  required: 'Remplissez ce champ.',
  firstAdmin: 'Première fois ? Le mot de passe administrateur a été affiché une fois au premier démarrage du boîtier, ou fourni avec son installation.',
};

export const t = makeT({ en, fr });
