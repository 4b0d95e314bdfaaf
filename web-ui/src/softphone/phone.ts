// The browser softphone (issue 16): a sip.js user agent registered to the box, and to nothing else, over SIP
// on a secure WebSocket (RFC 7118) at wss://<this page's host>/api/sip (ws:// only where the page itself is
// plain http on loopback, which browsers count as secure). The box accepts the socket only for
// the logged-in web session (its cookie goes with the upgrade), so no SIP password lives in the page.
// sip.js is loaded on first use (its own chunk): pages that never take calls do not pay for it.
//
// State is one small store: the panel subscribes and re-renders; tests read it through the panel's text.
import type { Invitation, Inviter, Registerer, Session, UserAgent } from 'sip.js';

export type PhoneStatus = 'off' | 'connecting' | 'available' | 'away' | 'refused' | 'lost';

/**
 * What the box tells the staff member about the person on the line: header X-Contact-Card, URI-encoded
 * JSON `{name, numberTail, source, answers}` (appliance/staff/whisper.ts: only the number's last digits).
 */
export interface ContactCard {
  name?: string;
  /** The number's last digits, as the box shows numbers to staff. */
  numberTail?: string;
  /** Where the call comes from: the campaign's name, or the inbound line. */
  source?: string;
  /** The callee's answers so far, by question. */
  answers?: Record<string, string>;
}

/** Read the box's contact card header; anything unreadable gives an empty card (the display name still shows). */
export function parseContactCard(header: string | undefined): ContactCard {
  if (!header) return {};
  try {
    const value: unknown = JSON.parse(decodeURIComponent(header));
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    const v = value as Record<string, unknown>;
    const card: ContactCard = {};
    if (typeof v.name === 'string' && v.name) card.name = v.name;
    if (typeof v.numberTail === 'string' && v.numberTail) card.numberTail = v.numberTail;
    if (typeof v.source === 'string' && v.source) card.source = v.source;
    if (v.answers && typeof v.answers === 'object' && !Array.isArray(v.answers)) {
      card.answers = Object.fromEntries(Object.entries(v.answers as Record<string, unknown>).filter(([, a]) => typeof a === 'string' || typeof a === 'number').map(([k, a]) => [k, String(a)]));
    }
    return card;
  } catch {
    return {};
  }
}

/**
 * Why there is a call: the box rings for a transfer of a contact, for "call my browser" (a campaign's
 * flow walked with the keypad), for a listen-in on a live call (the last two are calls this page asked
 * for and answers itself); 'out' is the staff member calling a number through the box.
 */
export type CallPurpose = 'transfer' | 'walk' | 'listen' | 'out';

export interface PhoneCall {
  purpose: CallPurpose;
  /** Who is calling, as the box presents them. */
  display: string;
  card: ContactCard;
  /** 'calling': a call out waiting for the far end (or for the box's refusal). */
  state: 'ringing' | 'calling' | 'connecting' | 'talking' | 'ended';
  muted: boolean;
  held: boolean;
  /** Keys sent so far during this call (shown under the keypad). */
  keys: string;
  /** Epoch ms of the answer, for the call timer. */
  answeredAt: number | null;
}

export interface PhoneState {
  status: PhoneStatus;
  call: PhoneCall | null;
  /** Why the last attempt to connect or answer failed, as a code the panel words. */
  problem: 'not-allowed' | 'no-microphone' | 'insecure' | 'connection' | null;
  /** Why the box refused or ended the last call out: the reason phrase of its answer (e.g. "Forbidden (staff calls out are off)"). */
  refusal: string | null;
}

type Listener = (s: PhoneState) => void;

class Phone {
  private state: PhoneState = { status: 'off', call: null, problem: null, refusal: null };
  private listeners = new Set<Listener>();
  private ua: UserAgent | null = null;
  private registerer: Registerer | null = null;
  private session: Session | null = null;
  private invitation: Invitation | null = null;
  private inviter: Inviter | null = null;
  private audio: HTMLAudioElement | null = null;
  private user = '';
  /** Tokens of calls this page asked the box for ("call my browser", listen-in): answered without a click. */
  private readonly expected = new Map<string, CallPurpose>();

  get(): PhoneState {
    return this.state;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(patch: Partial<PhoneState>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn(this.state);
  }

  private patchCall(patch: Partial<PhoneCall>): void {
    if (this.state.call) this.set({ call: { ...this.state.call, ...patch } });
  }

  /** Register to the box and take calls. */
  async goAvailable(username: string): Promise<void> {
    // Browsers give the microphone only to secure pages: https on the LAN (loopback counts as secure).
    if (!window.isSecureContext) {
      this.set({ status: 'refused', problem: 'insecure' });
      return;
    }
    this.user = username;
    this.set({ status: 'connecting', problem: null });
    try {
      const sip = await import('sip.js');
      if (!this.ua) {
        const uri = sip.UserAgent.makeURI(`sip:${encodeURIComponent(username)}@${location.hostname}`);
        if (!uri) throw new Error('uri');
        this.ua = new sip.UserAgent({
          uri,
          displayName: username,
          transportOptions: { server: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/sip`, connectionTimeout: 5 },
          // A LAN: host candidates are enough (the box is ICE-lite), and no request leaves for a STUN server.
          sessionDescriptionHandlerFactoryOptions: { iceGatheringTimeout: 500, peerConnectionConfiguration: { iceServers: [] } },
          logLevel: 'error',
          delegate: {
            onInvite: (invitation) => this.incoming(invitation),
            onDisconnect: () => {
              if (this.state.status !== 'off' && this.state.status !== 'away') this.set({ status: 'lost', problem: 'connection' });
            },
          },
        });
        await this.ua.start();
      }
      this.registerer ??= new sip.Registerer(this.ua, { expires: 300 });
      await new Promise<void>((resolve, reject) => {
        this.registerer!.register({
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: (res) => reject(new Error(res.message.statusCode === 403 ? 'forbidden' : 'rejected')),
          },
        }).catch(reject);
      });
      this.set({ status: 'available', problem: null });
    } catch (e) {
      // The box closes the socket at once for a session that may not take calls; a 403 says the same.
      const forbidden = (e as Error).message === 'forbidden' || (e as Error).message.includes('WebSocket');
      await this.stop();
      this.set({ status: 'refused', problem: forbidden ? 'not-allowed' : 'connection' });
    }
  }

  /** Stop taking calls: unregister (the box rings this browser no more), stay connected for a quick return. */
  async goAway(): Promise<void> {
    try {
      await this.registerer?.unregister();
    } catch {
      // Gone already.
    }
    this.set({ status: 'away' });
  }

  /** Drop the connection (log-out). */
  async stop(): Promise<void> {
    try {
      await this.ua?.stop();
    } catch {
      // Closing anyway.
    }
    this.ua = null;
    this.registerer = null;
    this.session = null;
    this.invitation = null;
    this.inviter = null;
    this.set({ status: 'off', call: null });
  }

  private incoming(invitation: Invitation): void {
    if (this.state.call && this.state.call.state !== 'ended') {
      void invitation.reject({ statusCode: 486 });
      return;
    }
    this.invitation = invitation;
    const display = invitation.remoteIdentity.displayName || invitation.remoteIdentity.uri.user || '';
    const card = parseContactCard(invitation.request.getHeader('X-Contact-Card'));
    // Only a token this page made for its own request answers by itself; any other call rings.
    const token = invitation.request.getHeader('X-Box-Request');
    const purpose = token ? this.expected.get(token) : undefined;
    if (token && purpose) this.expected.delete(token);
    this.set({ call: { purpose: purpose ?? 'transfer', display, card, state: 'ringing', muted: false, held: false, keys: '', answeredAt: null } });
    this.follow(invitation);
    if (purpose) void this.answer();
  }

  /**
   * Call a number through the box (only where its settings allow it; the box checks the number as it
   * would a campaign's). A refusal comes back as the answer's reason phrase, kept in `refusal`.
   */
  async callNumber(number: string): Promise<void> {
    const dialled = number.replace(/[\s().-]/g, '');
    if (!this.ua || this.state.status !== 'available' || !/^\+?[0-9]{2,20}$/.test(dialled)) return;
    if (this.state.call && this.state.call.state !== 'ended') return;
    const sip = await import('sip.js');
    const target = sip.UserAgent.makeURI(`sip:${encodeURIComponent(dialled)}@${location.hostname}`);
    if (!target) return;
    const inviter = new sip.Inviter(this.ua, target, { sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } });
    this.inviter = inviter;
    this.set({
      refusal: null, problem: null,
      call: { purpose: 'out', display: number.trim(), card: {}, state: 'calling', muted: false, held: false, keys: '', answeredAt: null },
    });
    this.follow(inviter);
    try {
      await inviter.invite({
        requestDelegate: {
          onReject: (res) => this.set({ refusal: res.message.reasonPhrase || String(res.message.statusCode) }),
        },
      });
    } catch (e) {
      const noMic = (e as Error).name === 'NotAllowedError' || (e as Error).name === 'NotFoundError';
      this.set({ problem: noMic ? 'no-microphone' : 'connection' });
      this.patchCall({ state: 'ended' });
    }
  }

  /** A token for a call this page is about to ask the box for; the call that carries it is answered at once. */
  expect(purpose: CallPurpose): string {
    const token = `${purpose}-${Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('')}`;
    this.expected.set(token, purpose);
    return token;
  }

  /** The request failed: its token will never ring. */
  forget(token: string): void {
    this.expected.delete(token);
  }

  private follow(session: Session): void {
    void import('sip.js').then(({ SessionState }) => {
      session.stateChange.addListener((s) => {
        if (s === SessionState.Established) {
          this.session = session;
          this.attachAudio(session);
          this.patchCall({ state: 'talking', answeredAt: Date.now() });
        } else if (s === SessionState.Terminated) {
          this.session = null;
          this.invitation = null;
          this.inviter = null;
          if (this.audio) this.audio.srcObject = null;
          this.patchCall({ state: 'ended' });
        }
      });
    });
  }

  private attachAudio(session: Session): void {
    const sdh = session.sessionDescriptionHandler as unknown as { remoteMediaStream: MediaStream } | undefined;
    if (!sdh) return;
    if (!this.audio) {
      this.audio = document.createElement('audio');
      this.audio.autoplay = true;
      this.audio.dataset.testid = 'softphone-remote-audio';
      this.audio.hidden = true;
      document.body.append(this.audio);
    }
    this.audio.srcObject = sdh.remoteMediaStream;
    void this.audio.play().catch(() => {});
  }

  async answer(): Promise<void> {
    const inv = this.invitation;
    if (!inv) return;
    this.patchCall({ state: 'connecting' });
    try {
      await inv.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } });
    } catch (e) {
      const noMic = (e as Error).name === 'NotAllowedError' || (e as Error).name === 'NotFoundError';
      this.set({ problem: noMic ? 'no-microphone' : 'connection' });
      this.patchCall({ state: 'ended' });
    }
  }

  async hangUp(): Promise<void> {
    const call = this.state.call;
    if (!call) return;
    try {
      if (call.state === 'ringing' && this.invitation) await this.invitation.reject({ statusCode: 603 });
      else if (call.state === 'calling' && this.inviter) await this.inviter.cancel();
      else if (this.session && 'bye' in this.session) await (this.session as unknown as { bye(): Promise<unknown> }).bye();
    } catch {
      // Already over.
    }
    this.patchCall({ state: 'ended' });
  }

  /** Close the ended call's card. */
  dismiss(): void {
    if (this.state.call?.state === 'ended') this.set({ call: null, refusal: null });
  }

  setMuted(muted: boolean): void {
    const sdh = this.session?.sessionDescriptionHandler as unknown as { enableSenderTracks(on: boolean): void } | undefined;
    sdh?.enableSenderTracks(!muted);
    this.patchCall({ muted });
  }

  /** Hold: a re-INVITE that makes the media send-only (RFC 3264); the box plays its wait music to the contact. */
  async setHeld(held: boolean): Promise<void> {
    const s = this.session as unknown as { invite(o: unknown): Promise<unknown> } | null;
    if (!s) return;
    try {
      await s.invite({ sessionDescriptionHandlerOptions: { hold: held } });
      this.patchCall({ held });
    } catch {
      this.set({ problem: 'connection' });
    }
  }

  /** A keypad press, sent as RFC 4733 telephone-events (the box passes them on to the contact's leg). */
  sendKey(key: string): void {
    if (!/^[0-9*#]$/.test(key)) return;
    const sdh = this.session?.sessionDescriptionHandler as unknown as { sendDtmf(t: string): boolean } | undefined;
    if (sdh?.sendDtmf(key)) this.patchCall({ keys: `${this.state.call?.keys ?? ''}${key}` });
  }

  /** The user this phone registered as (empty before). */
  get username(): string {
    return this.user;
  }
}

/** The page's one softphone. */
export const phone = new Phone();
