// The HTTP status of every error code of the kernel's registry (core/errors.ts). A new code does not
// compile until it has its status here.
import type { ErrorCode } from '../../core/errors.ts';

export const HTTP_STATUS: Record<ErrorCode, number> = {
  E_CONFIG_INVALID: 400,
  E_CONFIG_WRITE: 500,
  E_STORE_MIGRATION: 500,
  E_STORE_LOCKED: 409,
  E_USAGE: 400,
  E_NOT_FOUND: 404,
  E_TRUNK_UNKNOWN: 400,
  E_TRUNK_AUTH: 502,
  E_TRUNK_DOWN: 503,
  E_TRUNK_BUSY: 503,
  E_DIAL_TARGET: 400,
  E_CALL_ENDED: 409,
  E_SIP_TRANSPORT: 500,
  E_RTP_PORTS: 503,
  E_SDP: 502,
  E_PROMPT: 400,
  E_IMPORT_FILE: 400,
  E_IMPORT_ROW: 400,
  E_IMPORT_MAPPING: 400,
  E_LIST_EXISTS: 409,
  E_LIST_IN_USE: 409,
  E_CAMPAIGN_STATE: 409,
  E_CAMPAIGN_INVALID: 400,
  E_CAMPAIGN_IN_USE: 409,
  E_COMPLIANCE: 409,
  E_CALLER_ID: 409,
  E_VERIFICATION: 409,
  E_AUTH: 401,
  E_FORBIDDEN: 403,
  E_REQUEST_INVALID: 400,
  E_TOO_LARGE: 413,
  E_RATE_LIMITED: 429,
  E_FLEET_COMMAND: 400,
  E_CLOCK_UNSYNCED: 409,
  E_FLEET_CONFIG: 400,
  E_TOOL_MISSING: 501,
  E_RECORDING_TOKENS: 400,
  E_IMPORT_EMPTY: 400,
  // HTTPS on the LAN
  E_TLS_CERTIFICATE: 400,
  // flows (issue 15)
  E_FLOW_INVALID: 400,
  // WebRTC legs (issue 16, media/webrtc)
  E_WEBRTC_SDP: 400,
  E_WEBRTC_CONNECT: 502,
  // "call my browser" and listen-in (issue 16)
  E_SOFTPHONE_OFF: 409,
  E_LISTEN_IN_OFF: 403,
  E_CALL_NOT_ANSWERED: 409,
};

export function httpStatus(code: ErrorCode): number {
  return HTTP_STATUS[code];
}
