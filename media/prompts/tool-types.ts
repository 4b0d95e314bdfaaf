// Types only (no imports), so the web UI can read them through appliance/http/system-health-types.ts.

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
