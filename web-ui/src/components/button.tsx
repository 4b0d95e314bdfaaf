// Buttons in three looks; `busy` disables the button and says so to screen readers.
import type { ButtonHTMLAttributes, ComponentChildren } from 'preact';

export interface ButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'class'> {
  variant?: 'primary' | 'secondary' | 'danger' | 'link';
  busy?: boolean;
  children: ComponentChildren;
  class?: string;
}

export function Button({ variant = 'secondary', busy = false, children, class: cls, type = 'button', disabled, ...rest }: ButtonProps) {
  return (
    <button {...rest} type={type} class={`btn btn--${variant}${cls ? ` ${cls}` : ''}`} disabled={Boolean(disabled) || busy} aria-busy={busy ? 'true' : undefined}>
      {children}
    </button>
  );
}
