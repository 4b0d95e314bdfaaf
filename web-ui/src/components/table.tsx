// A data table with a caption, header cells and an empty-state row; scrolls sideways on a phone.
import type { ComponentChildren } from 'preact';

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
}

export function Table<R>({ caption, columns, rows, rowKey, empty, testId }: TableProps<R>) {
  return (
    <div class="table-wrap" data-testid={testId}>
      <table>
        {caption && <caption>{caption}</caption>}
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
