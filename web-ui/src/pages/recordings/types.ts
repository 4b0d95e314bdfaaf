// A recording as GET /api/recordings gives it: the API contract's shape (type-only).
export type { Recording } from '../../../../appliance/http/contract/recordings.ts';
