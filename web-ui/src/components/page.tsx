// A page's frame: its heading (focused on arrival, for screen readers) and optional actions beside it.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function Page({ title, actions, children }: { title: ComponentChildren; actions?: ComponentChildren; children: ComponentChildren }) {
  const h = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    h.current?.focus({ preventScroll: true });
  }, []);
  return (
    <section class="page">
      <div class="page__head">
        <h1 ref={h} tabIndex={-1}>{title}</h1>
        {actions && <div class="page__actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

export function Card({ title, children, testId, class: cls }: { title?: ComponentChildren; children: ComponentChildren; testId?: string; class?: string }) {
  return (
    <section class={`card${cls ? ` ${cls}` : ''}`} data-testid={testId}>
      {title && <h2>{title}</h2>}
      {children}
    </section>
  );
}
