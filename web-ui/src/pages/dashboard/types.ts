// What the dashboard reads: GET /api/health, /api/system, /api/campaigns, /api/provisioning.
export interface Trunk {
  name: string;
  kind: 'sip' | 'gsm' | 'sandbox';
  health: 'up' | 'down' | 'unknown' | 'registering' | 'paused';
  registered: boolean | null;
  channelsInUse: number;
  channels: number;
  lastError: string | null;
  lastOptionsRttMs: number | null;
}

export interface Health {
  box: string;
  engine: string;
  /** null on the embedded engine; else whether drachtio-server and FreeSWITCH are connected. */
  engineServers?: { drachtio: boolean; freeswitch: boolean } | null;
  activeCalls: number;
  trunks: Trunk[];
  uptimeSec: number;
  version: string;
  onSandbox: boolean;
  time: string;
  clock?: { synchronized: boolean | null; required: boolean; detail: string };
  /** Debian audio tools present or missing (ffmpeg, sox, espeak-ng). */
  tools?: ToolStatus[];
}

/** Read from the server's types-only module (`import type`: erased at build, nothing in the bundle). */
export type { SystemHealth } from '../../../../appliance/http/system-health-types.ts';
import type { ToolStatus } from '../../../../appliance/http/system-health-types.ts';
export type { ToolStatus };

/** A campaign as the list and the 'campaign.counters' live event give it. */
export type { CountersEvent as CampaignBrief } from '../campaigns/types.ts';

export interface Provisioning {
  state?: string;
  boxId?: string;
  /** Sent to admins only. */
  claimCode?: string;
  /** True when there is a claim code this session may not see. */
  claimCodeHidden?: boolean;
  fleetUrl?: string;
  error?: string | null;
}
