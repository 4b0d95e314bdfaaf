// The flow a call from a trunk runs (issue 16), built from the settings for each call and run by the
// same runner and verbs as campaigns: say who is calling; a caller our campaign called lately hears that
// campaign's message again ("you missed our call"); the do-not-call key (47 CFR 64.1200(b)(2) and (d),
// CRTC Unsolicited Telecommunications Rules) works everywhere; the staff key during opening hours.
import type { Flow, FlowStep } from '../flows/model.ts';

export interface InboundFlowOptions {
  greeting: string;
  /** The caller was called by a campaign lately: its message is played again. */
  replayMessage: boolean;
  /** The do-not-call key; null when the caller's number is unknown (nothing to suppress). */
  optOutKey: string | null;
  /** Offer a person (opening hours, a staff group): the key and the group. */
  staff: { key: string; group: string; waitMs: number } | null;
}

export const INBOUND_TEXTS = {
  missed: 'You missed our call. Here is our message again.',
  optOut: (k: string): string => `If you do not want us to call you again, press ${k}.`,
  staff: (k: string): string => `To speak with someone, press ${k}.`,
  nobody: 'Nobody is available to take your call right now. Please call again later. Goodbye.',
  bye: 'Thank you for calling. Goodbye.',
  optOutAck: 'Your number will not be called again. Goodbye.',
} as const;

export function inboundFlow(o: InboundFlowOptions): Flow {
  const menuText = [o.optOutKey ? INBOUND_TEXTS.optOut(o.optOutKey) : '', o.staff ? INBOUND_TEXTS.staff(o.staff.key) : ''].filter(Boolean).join(' ');
  const steps: FlowStep[] = [];
  const afterGreeting = o.replayMessage ? 'missed' : menuText ? 'menu' : 'bye';
  steps.push({ id: 'greeting', verb: 'play', prompt: { tts: o.greeting }, next: afterGreeting });
  if (o.replayMessage) {
    steps.push({ id: 'missed', verb: 'play', prompt: { tts: INBOUND_TEXTS.missed }, next: 'message' });
    steps.push({ id: 'message', verb: 'play', prompt: { message: true }, next: menuText ? 'menu' : 'bye' });
  }
  if (menuText) {
    // The menu only listens for the opt-out key (handled by the session everywhere) and the staff key.
    steps.push({ id: 'menu', verb: 'menu', prompt: { tts: menuText }, options: o.staff ? { [o.staff.key]: 'staff' } : {}, timeoutMs: 6000, tries: 2, noInput: 'bye', invalid: 'bye' });
  }
  if (o.staff) {
    steps.push({ id: 'staff', verb: 'transfer', to: o.staff.group, waitMs: o.staff.waitMs, noAnswer: 'nobody' });
    steps.push({ id: 'nobody', verb: 'hangup', prompt: { tts: INBOUND_TEXTS.nobody } });
  }
  steps.push({ id: 'bye', verb: 'hangup', prompt: { tts: INBOUND_TEXTS.bye } });
  return { version: 1, template: 'inbound', ...(o.optOutKey ? { optOutAck: { tts: INBOUND_TEXTS.optOutAck } } : {}), steps };
}
