// One registry of errors with stable codes, each with its HTTP status and a message a person can act on.
// Errors a user can cause are thrown as AppError and never surface as a stack trace.

export const ERRORS = {
  E_CONFIG_INVALID: { status: 400, title: 'Invalid setting' },
  E_CONFIG_WRITE: { status: 500, title: 'Settings could not be saved' },
  E_STORE_MIGRATION: { status: 500, title: 'Database migration failed' },
  E_STORE_LOCKED: { status: 409, title: 'State folder in use by another instance' },
  E_USAGE: { status: 400, title: 'Wrong command-line usage' },
  E_NOT_FOUND: { status: 404, title: 'Not found' },
  E_TRUNK_UNKNOWN: { status: 400, title: 'Unknown trunk' },
  E_TRUNK_AUTH: { status: 502, title: 'Trunk refused our credentials' },
  E_TRUNK_DOWN: { status: 503, title: 'Trunk unavailable' },
  E_TRUNK_BUSY: { status: 503, title: 'All trunk channels busy' },
  E_DIAL_TARGET: { status: 400, title: 'Cannot dial this target' },
  E_CALL_ENDED: { status: 409, title: 'The call has ended' },
  E_SIP_TRANSPORT: { status: 500, title: 'SIP transport failure' },
  E_RTP_PORTS: { status: 503, title: 'No free RTP port' },
  E_SDP: { status: 502, title: 'Unusable SDP from the far end' },
  E_PROMPT: { status: 400, title: 'Unusable recording' },
  E_IMPORT_FILE: { status: 400, title: 'Unreadable contact file' },
  E_IMPORT_ROW: { status: 400, title: 'Invalid row in contact file' },
  E_IMPORT_MAPPING: { status: 400, title: 'Invalid column mapping' },
  E_LIST_EXISTS: { status: 409, title: 'A contact list with this name already exists' },
  E_LIST_IN_USE: { status: 409, title: 'Contact list used by a campaign' },
  E_CAMPAIGN_STATE: { status: 409, title: 'Campaign cannot do that in its current state' },
  E_CAMPAIGN_INVALID: { status: 400, title: 'Invalid campaign' },
  E_CAMPAIGN_IN_USE: { status: 409, title: 'Campaign cannot be deleted: it is running or has placed calls' },
  E_COMPLIANCE: { status: 409, title: 'Blocked by compliance rules' },
  E_CALLER_ID: { status: 409, title: 'Caller ID not allowed (unverified, invalid or out of range)' },
  E_VERIFICATION: { status: 409, title: 'Caller ID verification cannot go ahead' },
  E_AUTH: { status: 401, title: 'Not logged in' },
  E_FORBIDDEN: { status: 403, title: 'Not allowed' },
  E_REQUEST_INVALID: { status: 400, title: 'Invalid request' },
  E_TOO_LARGE: { status: 413, title: 'Upload too large' },
  E_RATE_LIMITED: { status: 429, title: 'Too many attempts' },
  E_FLEET_COMMAND: { status: 400, title: 'Invalid fleet command' },
  E_CLOCK_UNSYNCED: { status: 409, title: 'System clock not synchronised' },
  E_FLEET_CONFIG: { status: 400, title: 'Invalid desired configuration' },
  // office (issue 13): a recording is the same for every contact, so it cannot carry {tokens}
  E_RECORDING_TOKENS: { status: 400, title: 'Personalisation tokens in a recording' },
  // office (issue 13): an import that would make a list without a contact (header only, or no usable row)
  E_IMPORT_EMPTY: { status: 400, title: 'No contact to import' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** One problem with one field of a request or document: the web UI shows `message` next to `key`. */
export interface FieldError {
  key: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Where the problem is: a settings key, a file row/column, a header, a field. */
  readonly where?: Record<string, string | number>;
  /** Every field at fault, for forms (the HTTP error body carries them as `fields`). */
  fields?: FieldError[];

  constructor(code: ErrorCode, message: string, where?: Record<string, string | number>, options?: { cause?: unknown; fields?: FieldError[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERRORS[code].status;
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
