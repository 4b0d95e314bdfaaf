// A labelled progress bar (0..1); without a value it shows activity only.
export interface ProgressBarProps {
  label: string;
  value?: number | undefined;
  /** Text shown after the bar, e.g. "42 %" or "1 200 rows". */
  text?: string;
}

export function ProgressBar({ label, value, text }: ProgressBarProps) {
  const pct = value === undefined ? undefined : Math.round(Math.min(1, Math.max(0, value)) * 100);
  return (
    <div class="progress">
      <div class="progress__track" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <div class={`progress__fill${pct === undefined ? ' progress__fill--busy' : ''}`} style={{ width: `${pct ?? 30}%` }} />
      </div>
      <span class="progress__text">{text ?? (pct === undefined ? '' : `${pct} %`)}</span>
    </div>
  );
}
