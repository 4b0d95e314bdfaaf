// The summary at the top of a form: every field at fault, in the page's words ("Window 1 · To"), each a
// link that takes the keyboard to the field. The same words show next to each field (Field's error).
import type { FieldProblem } from '../api.ts';
import { problemText, t } from '../field-problems.ts';
import { getLang } from '../i18n.ts';
import type { ComponentChildren } from 'preact';

export interface FormErrorsProps {
  /** What failed ("The box did not accept the campaign"). */
  title: string;
  problems: FieldProblem[];
  /** The field's name as the page shows it, e.g. "Window 1 · To". */
  label: (key: string) => string;
  /** The DOM id of the field's control, to move the focus there. */
  idFor: (key: string) => string;
  /** The words of a problem, when the page says some in its own way (default: problemText). */
  text?: (p: FieldProblem) => string;
  /** Said under the list when the error is not about fields (e.g. the box's own message). */
  children?: ComponentChildren;
  testId?: string;
}

export function FormErrors({ title, problems, label, idFor, text = problemText, children, testId }: FormErrorsProps) {
  const go = (key: string) => (e: Event): void => {
    e.preventDefault();
    const el = document.getElementById(idFor(key));
    // A field inside a folded section (the retry rules) unfolds first.
    const folded = el?.closest('details');
    if (folded) folded.open = true;
    el?.focus();
    el?.scrollIntoView({ block: 'center' });
  };
  return (
    <div class="notice notice--error form-errors" role="alert" data-testid={testId ?? 'form-errors'}>
      <strong class="notice__title">{title}</strong>
      {problems.length > 0 && (
        <>
          <p>{problems.length === 1 ? t('summaryOne') : t('summary', { n: problems.length })}</p>
          <ul>
            {problems.map((p, i) => (
              <li key={`${p.key}-${i}`}>
                <a href={`#${idFor(p.key)}`} onClick={go(p.key)}>{label(p.key)}</a>{getLang() === 'fr' ? ' : ' : ': '}{text(p)}
              </li>
            ))}
          </ul>
        </>
      )}
      {children}
    </div>
  );
}

