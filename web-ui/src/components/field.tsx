// A labelled form control: label, the control (the child), hint and error, wired with ids and
// aria-describedby so screen readers read the hint and the error with the field.
import { cloneElement, type ComponentChildren, type VNode } from 'preact';
import { useId } from 'preact/hooks';

export interface FieldProps {
  label: ComponentChildren;
  /** One <input>, <select> or <textarea>; it gets id, aria-describedby and aria-invalid. */
  children: VNode<Record<string, unknown>>;
  hint?: ComponentChildren;
  error?: string | undefined;
  id?: string;
  class?: string;
}

export function Field({ label, children, hint, error, id, class: cls }: FieldProps) {
  const auto = useId();
  const fieldId = id ?? `f${auto.replace(/[^a-zA-Z0-9_-]/g, '')}`;
  const hintId = hint ? `${fieldId}-hint` : undefined;
  const errorId = error ? `${fieldId}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  const control = cloneElement(children, { id: fieldId, 'aria-describedby': describedBy, 'aria-invalid': error ? 'true' : undefined });
  return (
    <div class={`field${error ? ' field--error' : ''}${cls ? ` ${cls}` : ''}`}>
      <label for={fieldId}>{label}</label>
      {control}
      {hint && <p class="field__hint" id={hintId}>{hint}</p>}
      {error && <p class="field__error" id={errorId}>{error}</p>}
    </div>
  );
}
