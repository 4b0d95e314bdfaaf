// Types only (no imports). The API contract (appliance/http/contract/health.ts) states the same shape for /api/health.

export type AudioToolName = 'ffmpeg' | 'sox' | 'espeak-ng';

/** One Debian audio tool as /api/health reports it. */
export interface ToolStatus {
  name: AudioToolName;
  /** Found on the PATH the box started with. */
  present: boolean;
  /** The Debian package that provides it. */
  package: string;
  /** What the box cannot do without it (English; the web UI has its own words). */
  neededFor: string;
}
