// The campaign form's "what the call does": a template (plain message with a menu, appointment reminder,
// satisfaction survey, payment reminder, emergency alert, or one's own steps) and, for all but the plain
// message, its steps in the flow editor. The plain message keeps the keypad menu fields of the form.
import { useEffect, useState } from 'preact/hooks';
import { api, asApiError, type ApiError, type FieldProblem } from '../api.ts';
import { Field, Notice } from '../components/index.ts';
import type { ContactPage } from '../../../appliance/http/contract/lists.ts';
import type { RecordingSummary } from '../pages/campaigns/types.ts';
import { FlowEditor } from './flow-editor.tsx';
import { t } from './messages.ts';
import type { FlowTemplateName, WireFlow } from './types.ts';

export const TEMPLATE_CHOICES: Array<FlowTemplateName | 'custom'> = ['message-menu', 'appointment-reminder', 'satisfaction-survey', 'payment-reminder', 'emergency-alert', 'custom'];

const PERSONAL = ['name', 'first_name', 'last_name'];

/** The list's columns a text may use as {tokens}: those of its first contact, and the personal ones. */
function useTokens(listId: string): string[] {
  const [tokens, setTokens] = useState<string[]>(PERSONAL);
  useEffect(() => {
    if (!listId) return;
    let live = true;
    api<ContactPage>('GET', `/api/lists/${listId}/contacts?page=1&pageSize=1`).then((p) => {
      if (live) setTokens([...PERSONAL, ...Object.keys(p.items[0]?.fields ?? {}).filter((k) => !PERSONAL.includes(k))]);
    }, () => undefined);
    return () => { live = false; };
  }, [listId]);
  return tokens;
}

export interface FlowSectionProps {
  template: string;
  flow: WireFlow | null;
  optOutKey: string;
  listId: string;
  onChange: (template: string, flow: WireFlow | null) => void;
  fid: (key: string) => string;
  problems: FieldProblem[];
  recordings: RecordingSummary[];
  /** The language of the template's spoken texts (the message's voice when it is text-to-speech). */
  speech: 'en' | 'fr';
  disabled?: boolean;
}

export function FlowSection({ template, flow, optOutKey, listId, onChange, fid, problems, recordings, speech, disabled }: FlowSectionProps) {
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const tokens = useTokens(listId);

  const choose = async (name: string): Promise<void> => {
    setError(null);
    if (name === 'message-menu') return onChange(name, null);
    if (name === 'custom') {
      // One's own steps start from those shown (or the message alone); they are no longer the template's.
      const { template: _template, ...own } = flow ?? { version: 1, steps: [{ id: 'message', verb: 'play', prompt: { message: true } }] };
      return onChange(name, own);
    }
    setLoading(true);
    try {
      const q = `lang=${speech}${optOutKey ? `&optOut=${encodeURIComponent(optOutKey)}` : ''}`;
      onChange(name, await api<WireFlow>('GET', `/api/flows/templates/${name}?${q}`));
    } catch (x) {
      setError(asApiError(x));
    } finally {
      setLoading(false);
    }
  };

  return (
    <>
      <Field label={t('template')} id={fid('flow.template')} hint={t('templateHint')}>
        <select value={template} disabled={disabled || loading} onChange={(e) => void choose(e.currentTarget.value)}>
          {TEMPLATE_CHOICES.map((x) => <option key={x} value={x}>{t(`tpl.${x}`)}</option>)}
        </select>
      </Field>
      {loading && <p aria-live="polite">{t('templateLoading')}</p>}
      {error && <Notice kind="error" title={t('templateFailed')}>{error.message}</Notice>}
      <p class="field__hint">{optOutKey ? t('optOutEverywhere', { key: optOutKey }) : t('optOutNone')}</p>
      {flow && (
        <FlowEditor flow={flow} onChange={(f) => onChange(template === 'message-menu' ? 'custom' : template, f)} fid={fid}
          problems={problems.filter((p) => p.key.startsWith('flow'))} recordings={recordings} tokens={tokens} />
      )}
    </>
  );
}
