// Two answered calls of the drachtio engine joined (issue 16's Call.bridge): FreeSWITCH bridges their
// endpoints (uuid_bridge), so audio goes both ways inside FreeSWITCH (G.711 relayed as is where both
// legs agreed the same law; a browser leg's DTLS-SRTP is FreeSWITCH's to decrypt and encrypt), and
// RFC 4733 keypad presses are passed by FreeSWITCH itself. Keypad presses that came as SIP INFO never
// reach FreeSWITCH's media, so they are sent on here (uuid_send_dtmf). Both channels are marked to park
// after the bridge, so one leg hanging up ends the bridge, never the other leg: what happens to the
// survivor is the domain's choice, as on the embedded engine. unbridge() parks both (both stay up).
import type { Bridge, Call, CallEnded, CallEvents } from '../../core/call-port.ts';
import type { EventEmitter } from 'node:events';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { FsEndpoint } from '../../media/freeswitch/fsmrf.ts';

/** A call of this engine: it has a FreeSWITCH endpoint once answered. */
export interface EndpointCall extends EventEmitter<CallEvents> {
  readonly state: Call['state'];
  readonly done: Promise<CallEnded>;
  readonly endpoint: FsEndpoint | null;
}

export function hasEndpoint(c: Call): c is Call & EndpointCall {
  return 'endpoint' in c;
}

type EndedBy = 'this' | 'other' | 'unbridged';

export function bridgeEndpoints(a: EndpointCall, b: Call, log: Logger): Bridge {
  if (!hasEndpoint(b)) throw new AppError('E_REQUEST_INVALID', 'Only calls of the same engine can be bridged');
  const ea = a.endpoint;
  const eb = b.endpoint;
  if (!ea || !eb || a.state !== 'answered' || b.state !== 'answered') {
    throw new AppError('E_REQUEST_INVALID', 'Both calls must be answered before they are bridged');
  }
  let finish!: (r: { endedBy: EndedBy }) => void;
  const done = new Promise<{ endedBy: EndedBy }>((resolve) => { finish = resolve; });
  let over = false;
  // SIP INFO presses are not in the media FreeSWITCH relays: send them as RFC 4733 to the other leg.
  const relay = (to: FsEndpoint) => (e: { digit: string; source: string }): void => {
    if (over || e.source !== 'info') return;
    void to.api('uuid_send_dtmf', `${to.uuid} ${e.digit}`).catch(() => {});
  };
  const digitA = relay(eb);
  const digitB = relay(ea);
  a.on('dtmf', digitA);
  b.on('dtmf', digitB);
  const stop = (endedBy: EndedBy): void => {
    if (over) return;
    over = true;
    a.off('dtmf', digitA);
    b.off('dtmf', digitB);
    log.info({ endedBy }, 'bridge over');
    finish({ endedBy });
  };
  void a.done.then(() => stop('this'));
  void b.done.then(() => stop('other'));
  const park = { park_after_bridge: 'true', hangup_after_bridge: 'false' };
  // Prompts on either leg stop (a bridged leg hears the other party, nothing else), then the bridge.
  // (Broken first: `set` is a dialplan application, which would wait behind a prompt being played.)
  void Promise.all([ea.api('uuid_break', `${ea.uuid} all`), eb.api('uuid_break', `${eb.uuid} all`)])
    .then(() => Promise.all([ea.set(park), eb.set(park)]))
    .then(() => ea.bridge(eb))
    .then(() => log.info('bridged'))
    .catch((e: unknown) => {
      if (over) return;
      log.warn({ err: (e as Error).message }, 'FreeSWITCH refused the bridge');
      stop('unbridged');
    });
  return {
    done,
    unbridge: () => {
      if (over) return;
      stop('unbridged');
      void ea.unbridge().catch((e: unknown) => log.debug({ err: (e as Error).message }, 'unbridge failed (a leg already gone?)'));
    },
  };
}
