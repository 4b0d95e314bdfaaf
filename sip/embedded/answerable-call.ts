// What the embedded engine's calls that the domain answers or refuses have in common (issue 16): a
// trunk's INVITE (incoming-call.ts) and a browser softphone's call out (browser-call-out.ts). Each
// answers once, however often answer() is called; refuses with a final response whose phrase is one
// line; is refused with 480 when the domain neither answers nor refuses in time; and hangs up ringing
// as a 480, answered as a BYE. Each subclass says how it answers and how it sends the final response
// and the BYE on its own dialog.
import { outcomeForFailure, q850ForSip, type IncomingCall } from '../../core/call-port.ts';
import type { Logger } from '../../core/log.ts';
import { LegCall, type PromptSource } from './leg-call.ts';

const REASONS: Record<number, string> = {
  403: 'Forbidden', 404: 'Not Found', 480: 'Temporarily Unavailable', 486: 'Busy Here', 487: 'Request Terminated',
  488: 'Not Acceptable Here', 500: 'Server Internal Error', 503: 'Service Unavailable', 603: 'Decline',
};

export abstract class AnswerableCall extends LegCall implements IncomingCall {
  abstract readonly from: string;
  abstract readonly to: string;
  abstract readonly trunk: string;
  private answering: Promise<void> | null = null;
  private readonly answerTimer: NodeJS.Timeout;

  /** `what` names the call in the log line of the 480 sent when the domain took too long. */
  protected constructor(o: { logger: Logger; logFields: Record<string, unknown>; prompts: PromptSource; answerTimeoutMs: number; what: string }) {
    super({ logger: o.logger, logFields: o.logFields, prompts: o.prompts, state: 'ringing' });
    this.life.inviteSent();
    this.life.ringing();
    this.answerTimer = setTimeout(() => {
      if (this.st !== 'ringing' || this.answering) return;
      this.log.warn(`${o.what} neither answered nor refused in time: 480`);
      void this.reject(480);
    }, o.answerTimeoutMs);
    this.answerTimer.unref();
  }

  /** Make the media and send the 200 OK; ends the call itself where that fails. Runs once. */
  protected abstract doAnswer(): Promise<void>;

  /** The final response that refuses the INVITE. */
  protected abstract refuse(code: number, phrase: string): void;

  /** BYE on the answered dialog; resolves once the far end has answered it (or at once where nothing waits). */
  protected abstract bye(): Promise<void> | void;

  /** Whether answer() has been called (the call may still be ringing while its media is made). */
  protected get answerStarted(): boolean { return this.answering !== null; }

  answer(): Promise<void> {
    this.answering ??= this.doAnswer();
    return this.answering;
  }

  async reject(sipCode: number, reason?: string): Promise<void> {
    if (this.st !== 'ringing' || this.answering) return;
    const code = sipCode >= 300 && sipCode <= 699 ? sipCode : 480;
    // A reason phrase is one line of text (RFC 3261 25.1): no CR/LF.
    this.refuse(code, reason?.replace(/[\r\n]+/g, ' ').slice(0, 120) || (REASONS[code] ?? 'Declined'));
    this.end({ outcome: outcomeForFailure(code, true, null), sipCode: code, q850: q850ForSip(code), endedBy: 'local', reason: `refused ${code}` });
  }

  async hangup(reason = 'hangup'): Promise<void> {
    if (this.st === 'ended') return;
    if (this.st === 'ringing' && !this.answering) return this.reject(480);
    if (this.answering) await this.answering.catch(() => {});
    if (this.st !== 'answered') return;
    const bye = this.bye();
    this.end({ outcome: 'human', sipCode: 200, q850: 16, endedBy: 'local', reason });
    await bye;
  }

  /** The domain has answered: no 480 for being slow any more. */
  protected stopAnswerTimer(): void {
    clearTimeout(this.answerTimer);
  }
}
