// The drachtio engine's own part of issue 16's bridge and calls in, without the servers: stand-in
// FreeSWITCH endpoints record the commands the engine sends (the bridge, its channel variables, the
// unbridge, SIP INFO keys re-sent), and a stand-in response records what a call coming in is answered.
// The same on the real servers: the `calls` cases of test/engines/staff-contract.test.ts.
import test from 'ava';
import { EventEmitter } from 'node:events';
import type { CallEnded, CallEvents } from '../../core/call-port.ts';
import { silentLogger } from '../../core/log.ts';
import type { FsEndpoint } from '../../media/freeswitch/fsmrf.ts';
import { bridgeEndpoints, type EndpointCall } from '../../sip/drachtio/bridge.ts';
import type { DrachtioCallDeps } from '../../sip/drachtio/drachtio-call.ts';
import { DrachtioIncomingCall } from '../../sip/drachtio/incoming-call.ts';
import { callerNumber } from '../../sip/shared/caller-number.ts';
import type { ServerLinks } from '../../sip/drachtio/links.ts';
import type { SrfMessage, SrfResponseOut } from '../../sip/drachtio/srf.ts';
import type { DrachtioTrunks } from '../../sip/drachtio/trunks.ts';
import { loopbackTrunk } from '../support/engine.ts';

class StandInEndpoint extends EventEmitter {
  readonly local = { sdp: '' };
  constructor(readonly uuid: string, readonly log: string[]) { super(); }
  async api(command: string, args?: string | string[]): Promise<unknown> {
    this.log.push(`${this.uuid} api ${command} ${Array.isArray(args) ? args.join(' ') : args ?? ''}`);
    return { body: '+OK' };
  }
  async set(v: Record<string, string>): Promise<unknown> { this.log.push(`${this.uuid} set ${JSON.stringify(v)}`); return {}; }
  async bridge(other: FsEndpoint): Promise<unknown> { this.log.push(`${this.uuid} bridge ${other.uuid}`); return {}; }
  async unbridge(): Promise<unknown> { this.log.push(`${this.uuid} unbridge`); return {}; }
}

class StandInCall extends EventEmitter<CallEvents> implements EndpointCall {
  state: 'answered' | 'ringing' | 'ended' = 'answered';
  readonly done: Promise<CallEnded>;
  end!: () => void;
  constructor(readonly endpoint: FsEndpoint | null) {
    super();
    this.done = new Promise((resolve) => {
      this.end = () => { this.state = 'ended'; resolve({ outcome: 'human', sipCode: 200, q850: 16, endedBy: 'remote', durations: { setupMs: 0, ringMs: 0, talkMs: 0, totalMs: 0 } }); };
    });
  }
}

function pair(): { a: StandInCall; b: StandInCall; log: string[] } {
  const log: string[] = [];
  const a = new StandInCall(new StandInEndpoint('A', log) as unknown as FsEndpoint);
  const b = new StandInCall(new StandInEndpoint('B', log) as unknown as FsEndpoint);
  // The bridge checks the other call is of this engine by its endpoint.
  return { a, b, log };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

test('bridge: prompts broken, both channels park after the bridge, then uuid_bridge; a leg ending ends the bridge only', async (t) => {
  const { a, b, log } = pair();
  const bridge = bridgeEndpoints(a, b as never, silentLogger());
  await settle();
  t.deepEqual(log, [
    'A api uuid_break A all', 'B api uuid_break B all',
    'A set {"park_after_bridge":"true","hangup_after_bridge":"false"}', 'B set {"park_after_bridge":"true","hangup_after_bridge":"false"}',
    'A bridge B',
  ]);
  b.end();
  t.deepEqual(await bridge.done, { endedBy: 'other' });
  t.is(a.state, 'answered', 'the other leg is not hung up by the engine');
});

test('bridge: keys that came as SIP INFO are re-sent to the other leg (RFC 4733 ones FreeSWITCH passes itself); unbridge parks both', async (t) => {
  const { a, b, log } = pair();
  const bridge = bridgeEndpoints(a, b as never, silentLogger());
  await settle();
  log.length = 0;
  a.emit('dtmf', { digit: '7', source: 'info' });
  a.emit('dtmf', { digit: '8', source: 'rfc4733' });
  b.emit('dtmf', { digit: '#', source: 'info' });
  await settle();
  t.deepEqual(log, ['B api uuid_send_dtmf B 7', 'A api uuid_send_dtmf A #']);
  bridge.unbridge();
  t.deepEqual(await bridge.done, { endedBy: 'unbridged' });
  await settle();
  t.true(log.includes('A unbridge'));
  a.emit('dtmf', { digit: '1', source: 'info' });
  await settle();
  t.false(log.some((l) => l.includes('uuid_send_dtmf B 1')), 'nothing passed once unbridged');
});

test('bridge: refused unless both calls are answered and of this engine', (t) => {
  const { a, b } = pair();
  b.state = 'ringing';
  t.throws(() => bridgeEndpoints(a, b as never, silentLogger()), { message: /must be answered/ });
  const foreign = Object.assign(new EventEmitter(), { state: 'answered', done: new Promise(() => {}) });
  t.throws(() => bridgeEndpoints(a, foreign as never, silentLogger()), { message: /same engine/ });
});

// ---- calls coming in ----

function incoming(o: { body?: string; answerTimeoutMs?: number; freeswitch?: boolean } = {}) {
  const sent: number[] = [];
  const cancel = new EventEmitter();
  const req = {
    method: 'INVITE', body: o.body ?? 'v=0\r\nm=audio 4000 RTP/AVP 0\r\n', source_address: '127.0.0.1',
    get: () => undefined, has: () => false, on: (ev: 'cancel', fn: () => void) => cancel.on(ev, fn),
  } as unknown as SrfMessage;
  const res: SrfResponseOut = { send: (status: number) => { sent.push(status); } };
  const links = { downReason: () => (o.freeswitch ? null : 'FreeSWITCH not connected'), mediaServer: null, srf: {}, state: {} } as unknown as ServerLinks;
  const deps: DrachtioCallDeps = { links, trunks: {} as DrachtioTrunks, defaultTrunk: null, logger: silentLogger(), tapDir: '/nonexistent', promptDir: '/nonexistent' };
  const call = new DrachtioIncomingCall(deps, { req, res, trunk: loopbackTrunk(5999), from: '+15550004444', to: '+15550001111', answerTimeoutMs: o.answerTimeoutMs });
  return { call, sent, cancel };
}

test('a call coming in: reject(486) answers 486 and ends declined; the caller\'s CANCEL ends it as no-answer', async (t) => {
  const { call, sent } = incoming();
  t.like(call, { state: 'ringing', from: '+15550004444', to: '+15550001111', trunk: 'sipp' });
  await call.reject(486);
  t.deepEqual(sent, [486]);
  t.like(await call.done, { outcome: 'declined', sipCode: 486, endedBy: 'local' });
  const second = incoming();
  second.cancel.emit('cancel');
  t.like(await second.call.done, { outcome: 'no-answer', sipCode: 487, endedBy: 'remote' });
});

test('a call coming in: neither answered nor refused in time gets 480; answered while FreeSWITCH is away gets 503', async (t) => {
  // The answer timer does not hold the process open (a box's sockets do): alone in its process (the suite's
  // real-time pass runs serially) nothing else would, and the test would end before the timer fires.
  const alive = setInterval(() => {}, 1000);
  t.teardown(() => clearInterval(alive));
  const slow = incoming({ answerTimeoutMs: 50 });
  t.like(await slow.call.done, { sipCode: 480, outcome: 'no-answer' });
  t.deepEqual(slow.sent, [480]);
  const away = incoming();
  await away.call.answer();
  t.deepEqual(away.sent, [503]);
  t.like(await away.call.done, { outcome: 'trunk-failure', endedBy: 'error' });
  const noOffer = incoming({ body: '', freeswitch: true });
  await noOffer.call.answer();
  t.deepEqual(noOffer.sent, [488], 'an INVITE without an audio offer');
});

test('the caller\'s number as a trunk gives it: 00-international made E.164, separators dropped, none is anonymous', (t) => {
  t.is(callerNumber('0033612345678'), '+33612345678');
  t.is(callerNumber('+1 (555) 000-4444'), '+15550004444');
  t.is(callerNumber(null), 'anonymous');
});
