// The fleet topic tree for one box (see DESIGN.md, "MQTT topics").

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

export function fleetTopics(boxId: string): FleetTopics {
  if (!BOX_ID.test(boxId)) throw new Error(`box id "${boxId}" is not usable in a topic (letters, digits, . _ - only)`);
  const base = `fleet/v1/${boxId}`;
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
