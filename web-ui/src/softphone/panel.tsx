// The softphone panel (issue 16): in the header, the staff member's availability; when the box hands a call,
// a card with who it is (the contact card the box sends), answer / decline, then mute, hold, keypad and hang
// up, with the call's duration. It rings with a tone made in the page (no audio file to load). While
// available and on no call, a field calls a number through the box (where its settings allow it); a
// refusal shows the box's reason.
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { formatDuration } from '../i18n.ts';
import { LiveCalls } from './live-calls.tsx';
import { phone, type PhoneCall, type PhoneState } from './phone.ts';
import { t } from './messages.ts';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

function usePhone(): PhoneState {
  const [s, setS] = useState(phone.get());
  useEffect(() => phone.subscribe(setS), []);
  return s;
}

/** A ring cadence (two 440+480 Hz bursts every 3 s, the North American ringback the staff know) while a call rings. */
function useRing(on: boolean): void {
  useEffect(() => {
    if (!on || typeof AudioContext === 'undefined') return;
    const ctx = new AudioContext();
    const gain = ctx.createGain();
    gain.gain.value = 0;
    gain.connect(ctx.destination);
    const oscs = [440, 480].map((hz) => {
      const o = ctx.createOscillator();
      o.frequency.value = hz;
      o.connect(gain);
      o.start();
      return o;
    });
    const ring = () => {
      const now = ctx.currentTime;
      gain.gain.setValueAtTime(0.08, now);
      gain.gain.setValueAtTime(0, now + 0.4);
      gain.gain.setValueAtTime(0.08, now + 0.6);
      gain.gain.setValueAtTime(0, now + 1.0);
    };
    ring();
    const timer = setInterval(ring, 3000);
    return () => {
      clearInterval(timer);
      for (const o of oscs) o.stop();
      void ctx.close();
    };
  }, [on]);
}

function Timer({ since }: { since: number }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const id = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(id);
  }, []);
  return <span data-testid="softphone-timer">{t('duration', { time: formatDuration((Date.now() - since) / 1000) })}</span>;
}

/** Call a number through the box. */
function DialForm() {
  const [number, setNumber] = useState('');
  return (
    <form class="softphone__dial" onSubmit={(e) => { e.preventDefault(); void phone.callNumber(number); }}>
      <label for="softphone-dial-number">{t('dialLabel')}</label>
      <input id="softphone-dial-number" type="tel" inputMode="tel" autoComplete="off" value={number} data-testid="softphone-dial-number"
        onInput={(e) => setNumber(e.currentTarget.value)} />
      <button type="submit" class="btn btn--secondary" disabled={number.trim() === ''} data-testid="softphone-dial">{t('dial')}</button>
    </form>
  );
}

/** The call card's title: why the box rings, and where the call is. */
function heading(call: PhoneCall): string {
  if (call.state === 'ended') return t('ended');
  if (call.purpose === 'out') return call.state === 'talking' ? t('talking') : t('callingOut');
  if (call.purpose === 'walk') return t('walkTitle');
  if (call.purpose === 'listen') return t('listenTitle');
  return call.state === 'ringing' ? t('incoming') : t('talking');
}

export function SoftphonePanel({ username, admin = false }: { username: string; admin?: boolean }) {
  const s = usePhone();
  const [keypad, setKeypad] = useState(false);
  const call = s.call;
  useRing(call?.state === 'ringing');
  useEffect(() => () => void phone.stop(), []);

  const available = s.status === 'available';
  return (
    <div class="softphone" data-testid="softphone">
      <span class={`softphone__status softphone__status--${s.status}`} role="status" data-testid="softphone-status">{t(`status.${s.status}`)}</span>
      {available
        ? <button type="button" class="btn btn--secondary" onClick={() => void phone.goAway()}>{t('goAway')}</button>
        : <button type="button" class="btn btn--secondary" disabled={s.status === 'connecting'} onClick={() => void phone.goAvailable(username)}>{t('goAvailable')}</button>}
      {available && (!call || call.state === 'ended') && <DialForm />}
      {admin && available && <LiveCalls />}
      {s.problem && <p class="notice notice--error softphone__problem" role="alert">{t(`problem.${s.problem}`)}</p>}
      {call && (
        <section class="softphone__call" aria-label={t('phone')} data-testid="softphone-call">
          <h2>{heading(call)}</h2>
          {call.purpose === 'walk' && call.state !== 'ended' && <p class="field__hint">{t('walkHint')}</p>}
          {call.purpose === 'listen' && call.state !== 'ended' && <p class="field__hint">{t('listenHint')}</p>}
          <dl class="softphone__card">
            <dt>{call.purpose === 'out' ? t('number') : t('contact')}</dt><dd data-testid="softphone-contact">{call.card.name ?? call.display}</dd>
            {call.card.numberTail && <><dt>{t('number')}</dt><dd>…{call.card.numberTail}</dd></>}
            {call.card.source && <><dt>{t('campaign')}</dt><dd>{call.card.source}</dd></>}
          </dl>
          {call.card.answers && Object.keys(call.card.answers).length > 0 && (
            <>
              <h3>{t('answers')}</h3>
              <dl class="softphone__answers">
                {Object.entries(call.card.answers).map(([q, a]) => <Fragment key={q}><dt>{q}</dt><dd>{a}</dd></Fragment>)}
              </dl>
            </>
          )}
          {call.purpose === 'out' && call.state === 'ended' && s.refusal && <p class="notice notice--error" role="alert" data-testid="softphone-refusal">{t('refused', { reason: s.refusal })}</p>}
          {call.state === 'talking' && call.answeredAt !== null && <Timer since={call.answeredAt} />}
          <div class="softphone__actions">
            {call.state === 'ringing' && <button type="button" class="btn" data-testid="softphone-answer" onClick={() => void phone.answer()}>{t('answer')}</button>}
            {call.state === 'talking' && call.purpose !== 'listen' && (
              <>
                <button type="button" class="btn btn--secondary" aria-pressed={call.muted} onClick={() => phone.setMuted(!call.muted)}>{call.muted ? t('unmute') : t('mute')}</button>
                <button type="button" class="btn btn--secondary" aria-pressed={call.held} onClick={() => void phone.setHeld(!call.held)}>{call.held ? t('resume') : t('hold')}</button>
                <button type="button" class="btn btn--secondary" aria-expanded={keypad} onClick={() => setKeypad(!keypad)}>{t('keypad')}</button>
              </>
            )}
            {call.state !== 'ended'
              ? <button type="button" class="btn btn--danger" data-testid="softphone-hangup" onClick={() => void phone.hangUp()}>{call.state === 'ringing' ? t('decline') : t('hangUp')}</button>
              : <button type="button" class="btn btn--secondary" onClick={() => phone.dismiss()}>{t('close')}</button>}
          </div>
          {(keypad || call.purpose === 'walk') && call.state === 'talking' && call.purpose !== 'listen' && (
            <div class="softphone__keypad" role="group" aria-label={t('keypad')}>
              {KEYS.map((k) => <button key={k} type="button" class="btn btn--secondary" data-testid={`softphone-key-${k}`} onClick={() => phone.sendKey(k)}>{k}</button>)}
              {call.keys && <p class="softphone__keys">{t('keysSent', { keys: call.keys })}</p>}
            </div>
          )}
        </section>
      )}
    </div>
  );
}
