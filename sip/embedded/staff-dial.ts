// Ringing a staff user in the embedded engine (issue 16's dialStaff): the ring-all logic is
// sip/shared/ring-all.ts; here the answering leg's media, which bridges and listens through the
// embedded relay.
import type { Bridge, Call } from '../../core/call-port.ts';
import type { RelayLeg } from '../../media/rtp/relay-leg.ts';
import { RingAllCall, type RingLeg } from '../shared/ring-all.ts';
import { bridgeCalls, type Bridgeable, type CallMediaLeg } from './leg-call.ts';

type StaffLegCall = Bridgeable & { forceEnd(reason: string): void; listenLeg(): CallMediaLeg | null };

export type StaffLeg = RingLeg<StaffLegCall>;

export class StaffCall extends RingAllCall<StaffLegCall> implements Bridgeable {
  listenLeg(): CallMediaLeg | null {
    return this.winner?.call.listenLeg() ?? null;
  }

  relayLeg(): RelayLeg | null {
    return this.winner?.call.relayLeg() ?? null;
  }

  bridge(other: Call): Bridge {
    return bridgeCalls(this, other);
  }
}
