// The error body every failing /api request answers with (appliance/http/error-handler.ts builds it):
// a stable code (core/errors.ts), a message a person can act on, where the problem is, and the fields at
// fault. The web UI words each code in French (web-ui/src/error-messages.ts).
import { Type, type Static } from './kit.ts';

/** The error codes are the kernel's (core/errors.ts); re-exported so the web UI needs nothing else of the server. */
export type { ErrorCode } from '../../../core/errors.ts';

export const FieldError = Type.Object({
  key: Type.String({ description: 'the field at fault, e.g. body.password or trunks.0.host' }),
  message: Type.String(),
  rule: Type.Optional(Type.String({ description: 'the kind of problem (required, range, time, window-order, phone...), for words in the reader\'s language' })),
  params: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), { description: 'its figures, e.g. {min, max}' })),
});
export type FieldError = Static<typeof FieldError>;

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'a stable code (E_...), listed in core/errors.ts' }),
    message: Type.String(),
    where: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), { description: 'where the problem is: a settings key, a row, a field' })),
    fields: Type.Optional(Type.Array(FieldError)),
  }),
});
export type ErrorBody = Static<typeof ErrorBody>;
