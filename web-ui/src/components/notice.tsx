// A message box: errors are announced at once (role=alert), the rest politely (role=status).
import type { ComponentChildren } from 'preact';

export interface NoticeProps {
  kind: 'error' | 'success' | 'info' | 'warning';
  children: ComponentChildren;
  title?: ComponentChildren;
  testId?: string;
}

export function Notice({ kind, children, title, testId }: NoticeProps) {
  return (
    <div class={`notice notice--${kind}`} role={kind === 'error' ? 'alert' : 'status'} data-testid={testId}>
      {title && <strong class="notice__title">{title}</strong>}
      <div>{children}</div>
    </div>
  );
}
