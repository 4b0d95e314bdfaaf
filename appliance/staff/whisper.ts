// What the staff member hears before the callee is connected (issue 16): who is on the line, from which
// campaign, and what they answered so far; and the contact card the browser's softphone panel shows.
// Never the full number: its last digits only.

export interface TransferSubject {
  /** The contact's name from the list, when it has one. */
  name: string | null;
  /** The caller's or callee's number; only its last digits are said or shown. */
  number: string;
  /** Where the call comes from: a campaign's name, or "a call back". */
  source: string;
}

export function numberTail(n: string): string {
  return n.replace(/[^0-9]/g, '').slice(-4);
}

/** Answers as a person says them: "satisfaction: 4". Recordings are mentioned, not read. */
function sayAnswer(name: string, value: string): string {
  const what = name.replace(/_/g, ' ');
  return value.startsWith('recording:') ? `${what}: a spoken answer` : `${what}: ${value}`;
}

export function whisperText(s: TransferSubject, answers: Readonly<Record<string, string>>): string {
  const who = s.name ? s.name : `the number ending ${numberTail(s.number).split('').join(' ')}`;
  const said = Object.entries(answers).slice(0, 8).map(([k, v]) => sayAnswer(k, v));
  return `Call from ${who}, ${s.source}.${said.length > 0 ? ` Answers so far: ${said.join('; ')}.` : ''} Connecting now.`;
}

/** One line for the staff endpoint's display. */
export function displayName(s: TransferSubject): string {
  const tail = numberTail(s.number);
  return `${s.name ? s.name.slice(0, 40) : 'Contact'} (…${tail})`;
}

/** The contact card the softphone panel shows, as one header value (URI-encoded JSON). */
export function contactCard(s: TransferSubject, answers: Readonly<Record<string, string>>): string {
  return encodeURIComponent(JSON.stringify({ name: s.name, numberTail: numberTail(s.number), source: s.source, answers }));
}
