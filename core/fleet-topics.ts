// The fleet topic tree for one box (see DESIGN.md, "MQTT topics"): the wire contract shared by the box's agent
// (appliance/fleet) and the fleet manager (fleet-manager/). Part of the kernel: imports nothing of the project.

export interface FleetTopics {
  status: string;
  telemetry: string;
  events: string;
  cmd: string;
  /** Where answers go when a command carries no MQTT 5 response topic. */
  cmdResponse: string;
  desired: string;
  reported: string;
}

/** What a box id may be: one MQTT topic level, and the common name of the box's certificate. */
export const BOX_ID = /^[A-Za-z0-9._-]{1,64}$/;

export const TOPIC_ROOT = 'fleet/v1';

export function fleetTopics(boxId: string): FleetTopics {
  if (!BOX_ID.test(boxId)) throw new Error(`box id "${boxId}" is not usable in a topic (letters, digits, . _ - only)`);
  const base = `${TOPIC_ROOT}/${boxId}`;
  return {
    status: `${base}/status`,
    telemetry: `${base}/telemetry`,
    events: `${base}/events`,
    cmd: `${base}/cmd`,
    cmdResponse: `${base}/cmd/response`,
    desired: `${base}/config/desired`,
    reported: `${base}/config/reported`,
  };
}

/** What the fleet side receives, by the part of the topic after the box id. */
export type InboundKind = 'status' | 'telemetry' | 'events' | 'reported' | 'response';

const SUFFIX: Record<string, InboundKind> = { status: 'status', telemetry: 'telemetry', events: 'events', 'config/reported': 'reported', 'cmd/response': 'response' };

/** Wildcard filters for every box, one per inbound kind. */
export const INBOUND_FILTERS: Record<InboundKind, string> = {
  status: `${TOPIC_ROOT}/+/status`,
  telemetry: `${TOPIC_ROOT}/+/telemetry`,
  events: `${TOPIC_ROOT}/+/events`,
  reported: `${TOPIC_ROOT}/+/config/reported`,
  response: `${TOPIC_ROOT}/+/cmd/response`,
};

/** `fleet/v1/<box>/<suffix>` → the box and the kind; null for anything else. */
export function parseInboundTopic(topic: string): { boxId: string; kind: InboundKind } | null {
  if (!topic.startsWith(`${TOPIC_ROOT}/`)) return null;
  const rest = topic.slice(TOPIC_ROOT.length + 1);
  const slash = rest.indexOf('/');
  if (slash < 1) return null;
  const boxId = rest.slice(0, slash);
  const kind = SUFFIX[rest.slice(slash + 1)];
  return kind && BOX_ID.test(boxId) ? { boxId, kind } : null;
}
