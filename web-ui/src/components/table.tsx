// A data table with a caption, header cells and an empty-state row; scrolls sideways on a phone.
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

export interface Column<R> {
  key: string;
  label: ComponentChildren;
  render?: (row: R) => ComponentChildren;
  align?: 'left' | 'right';
}

export interface TableProps<R> {
  caption?: ComponentChildren;
  columns: Column<R>[];
  rows: R[];
  rowKey: (row: R, index: number) => string | number;
  empty?: ComponentChildren;
  testId?: string;
  /** Names the scrolling region when there is no caption (e.g. the card's title). */
  label?: string;
}

export function Table<R>({ caption, columns, rows, rowKey, empty, testId, label }: TableProps<R>) {
  const captionId = `c${useId().replace(/[^a-zA-Z0-9_-]/g, '')}`;
  const named = Boolean(caption) || Boolean(label);
  // The wrapper scrolls sideways on a phone: it takes the focus so the keyboard can scroll it too, and is a
  // region named after the table so a screen reader says what that focus stop is.
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a named region that scrolls sideways takes the focus so the keyboard can scroll it (axe's scrollable-region-focusable)
    <div class="table-wrap" data-testid={testId} tabIndex={0} {...(named ? { role: 'region', ...(caption ? { 'aria-labelledby': captionId } : { 'aria-label': label }) } : {})}>
      <table>
        {caption && <caption id={captionId}>{caption}</caption>}
        <thead>
          <tr>{columns.map((c) => <th key={c.key} scope="col" class={c.align === 'right' ? 'num' : undefined}>{c.label}</th>)}</tr>
        </thead>
        <tbody>
          {rows.length === 0 && empty !== undefined ? (
            <tr><td colSpan={columns.length} class="empty">{empty}</td></tr>
          ) : (
            rows.map((r, i) => (
              <tr key={rowKey(r, i)}>
                {columns.map((c) => <td key={c.key} class={c.align === 'right' ? 'num' : undefined}>{c.render ? c.render(r) : String((r as Record<string, unknown>)[c.key] ?? '')}</td>)}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
