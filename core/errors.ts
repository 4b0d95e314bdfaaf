// One registry of errors with stable codes and a title a person can act on. The kernel knows no
// transport: the HTTP status of each code lives in the HTTP layer (appliance/http/error-status.ts).
// Errors a user can cause are thrown as AppError and never surface as a stack trace.

export const ERRORS = {
  E_CONFIG_INVALID: { title: 'Invalid setting' },
  E_CONFIG_WRITE: { title: 'Settings could not be saved' },
  E_STORE_MIGRATION: { title: 'Database migration failed' },
  E_STORE_LOCKED: { title: 'State folder in use by another instance' },
  E_USAGE: { title: 'Wrong command-line usage' },
  E_NOT_FOUND: { title: 'Not found' },
  E_TRUNK_UNKNOWN: { title: 'Unknown trunk' },
  E_TRUNK_AUTH: { title: 'Trunk refused our credentials' },
  E_TRUNK_DOWN: { title: 'Trunk unavailable' },
  E_TRUNK_BUSY: { title: 'All trunk channels busy' },
  E_DIAL_TARGET: { title: 'Cannot dial this target' },
  E_CALL_ENDED: { title: 'The call has ended' },
  E_SIP_TRANSPORT: { title: 'SIP transport failure' },
  E_RTP_PORTS: { title: 'No free RTP port' },
  E_SDP: { title: 'Unusable SDP from the far end' },
  E_PROMPT: { title: 'Unusable recording' },
  E_IMPORT_FILE: { title: 'Unreadable contact file' },
  E_IMPORT_ROW: { title: 'Invalid row in contact file' },
  E_IMPORT_MAPPING: { title: 'Invalid column mapping' },
  E_LIST_EXISTS: { title: 'A contact list with this name already exists' },
  E_LIST_IN_USE: { title: 'Contact list used by a campaign' },
  E_CAMPAIGN_STATE: { title: 'Campaign cannot do that in its current state' },
  E_CAMPAIGN_INVALID: { title: 'Invalid campaign' },
  E_CAMPAIGN_IN_USE: { title: 'Campaign cannot be deleted: it is running or has placed calls' },
  E_COMPLIANCE: { title: 'Blocked by compliance rules' },
  E_CALLER_ID: { title: 'Caller ID not allowed (unverified, invalid or out of range)' },
  E_VERIFICATION: { title: 'Caller ID verification cannot go ahead' },
  E_AUTH: { title: 'Not logged in' },
  E_FORBIDDEN: { title: 'Not allowed' },
  E_REQUEST_INVALID: { title: 'Invalid request' },
  E_TOO_LARGE: { title: 'Upload too large' },
  E_RATE_LIMITED: { title: 'Too many attempts' },
  E_FLEET_COMMAND: { title: 'Invalid fleet command' },
  E_CLOCK_UNSYNCED: { title: 'System clock not synchronised' },
  E_FLEET_CONFIG: { title: 'Invalid desired configuration' },
  E_TOOL_MISSING: { title: 'A Debian package this needs is not installed' },
  E_RECORDING_TOKENS: { title: 'Personalisation tokens in a recording' },
  E_IMPORT_EMPTY: { title: 'No contact to import' },
  // HTTPS on the LAN (issue 13 point 4)
  E_TLS_CERTIFICATE: { title: 'Unusable TLS certificate or key' },
  // flows (issue 15)
  E_FLOW_INVALID: { title: 'Invalid call flow' },
  // WebRTC legs (issue 16, media/webrtc)
  E_WEBRTC_SDP: { title: 'Unusable WebRTC session description' },
  E_WEBRTC_CONNECT: { title: 'WebRTC media could not connect' },
  // "call my browser" and listen-in (issue 16, appliance/staff/listen-in.ts, appliance/flows/browser-walk.ts)
  E_SOFTPHONE_OFF: { title: 'Your browser softphone is not taking calls' },
  E_LISTEN_IN_OFF: { title: 'Listening in on calls is turned off in the settings' },
  E_CALL_NOT_ANSWERED: { title: 'The call is not answered yet' },
} as const satisfies Record<string, { title: string }>;

export type ErrorCode = keyof typeof ERRORS;

/**
 * What kind of problem a field has, so a page can say it in its own language and words (the box's
 * English `message` stays for API users). Forms (issue 13 point 6).
 */
export type FieldRule =
  | 'required' | 'range' | 'time' | 'window-order' | 'weekdays' | 'windows' | 'date' | 'date-order'
  | 'key' | 'keys-distinct' | 'phone' | 'phone-missing' | 'choice' | 'recording' | 'message-or-tts'
  | 'voice' | 'seller-marketing' | 'trunk' | 'trunks' | 'delay' | 'text-length' | 'tokens' | 'list' | 'invalid';

/** One problem with one field of a request or document: the web UI shows `message` next to `key`. */
export interface FieldError {
  key: string;
  message: string;
  /** The kind of problem and its figures (e.g. range {min, max}), for words in the page's language. */
  rule?: FieldRule;
  params?: Record<string, string | number>;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Where the problem is: a settings key, a file row/column, a header, a field. */
  readonly where?: Record<string, string | number>;
  /** Every field at fault, for forms (the HTTP error body carries them as `fields`). */
  fields?: FieldError[];

  constructor(code: ErrorCode, message: string, where?: Record<string, string | number>, options?: { cause?: unknown; fields?: FieldError[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.where = where;
    if (options?.fields) this.fields = options.fields;
  }

  /** The same error with the fields at fault attached (for an error raised below the route). */
  withFields(fields: FieldError[]): this {
    this.fields = fields;
    return this;
  }

  toJSON(): { code: ErrorCode; message: string; where?: Record<string, string | number> } {
    return { code: this.code, message: this.message, ...(this.where ? { where: this.where } : {}) };
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
