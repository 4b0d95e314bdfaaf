// The wizard's schedule section: optional first and last day, and daily calling windows (callee's
// local time) with their weekdays.
import { Button, Field } from '../../components/index.ts';
import { t } from './messages.ts';
import type { WizardForm } from './wizard-form.ts';
import type { DailyWindow } from './types.ts';

const DAYS = [1, 2, 3, 4, 5, 6, 7] as const;
const DAY_KEYS = { 1: 'day1', 2: 'day2', 3: 'day3', 4: 'day4', 5: 'day5', 6: 'day6', 7: 'day7' } as const;

export function ScheduleFields({ form, set, err, fid }: {
  form: WizardForm;
  set: <K extends keyof WizardForm>(k: K, v: WizardForm[K]) => void;
  err: (k: string) => string | undefined;
  /** The DOM id of a field, by the box's key (the error summary links to it). */
  fid: (k: string) => string;
}) {
  const setWindow = (i: number, patch: Partial<DailyWindow>): void => set('windows', form.windows.map((w, j) => (j === i ? { ...w, ...patch } : w)));
  return (
    <fieldset>
      <legend>{t('stepSchedule')}</legend>
      <div class="form-row">
        <Field label={t('startDate')} id={fid('schedule.startDate')} error={err('schedule.startDate')}>
          <input type="date" value={form.startDate} onInput={(e) => set('startDate', e.currentTarget.value)} />
        </Field>
        <Field label={t('endDate')} id={fid('schedule.endDate')} error={err('schedule.endDate')}>
          <input type="date" value={form.endDate} onInput={(e) => set('endDate', e.currentTarget.value)} />
        </Field>
      </div>
      <p class="field__hint">{t('windowsHint')}</p>
      {form.windows.map((w, i) => (
        <div class="window" key={i} role="group" aria-label={t('windowN', { n: i + 1 })}>
          <p class="label">{t('windowN', { n: i + 1 })}</p>
          <div class="days">
            {DAYS.map((d) => (
              <label key={d} class="check">
                <input type="checkbox" checked={w.days.includes(d)} id={d === 1 ? fid(`schedule.windows.${i}.days`) : undefined}
                  aria-invalid={err(`schedule.windows.${i}.days`) ? 'true' : undefined}
                  onChange={(e) => setWindow(i, { days: e.currentTarget.checked ? [...w.days, d].sort() : w.days.filter((x) => x !== d) })} />
                {' '}{t(DAY_KEYS[d])}
              </label>
            ))}
          </div>
          {err(`schedule.windows.${i}.days`) && <p class="field__error" data-testid={`window-${i + 1}-days-error`}>{err(`schedule.windows.${i}.days`)}</p>}
          <div class="form-row">
            <Field label={t('from')} id={fid(`schedule.windows.${i}.from`)} error={err(`schedule.windows.${i}.from`)}>
              <input type="time" value={w.from} onInput={(e) => setWindow(i, { from: e.currentTarget.value })} />
            </Field>
            <Field label={t('to')} id={fid(`schedule.windows.${i}.to`)} error={err(`schedule.windows.${i}.to`)}>
              <input type="text" inputMode="numeric" pattern="[0-2][0-9]:[0-5][0-9]" placeholder="HH:MM" value={w.to} onInput={(e) => setWindow(i, { to: e.currentTarget.value })} />
            </Field>
            {form.windows.length > 1 && <Button variant="link" onClick={() => set('windows', form.windows.filter((_, j) => j !== i))}>{t('removeWindow', { n: i + 1 })}</Button>}
          </div>
        </div>
      ))}
      {err('schedule.windows') && <p class="field__error">{err('schedule.windows')}</p>}
      <Button id={fid('schedule.windows')} onClick={() => set('windows', [...form.windows, { days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' }])}>{t('addWindow')}</Button>
    </fieldset>
  );
}
