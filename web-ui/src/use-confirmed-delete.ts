// Deleting one item after a confirm dialog: which item is asked about, busy while the request runs,
// the error the API answered; the dialog closes either way. `dialog` holds the ConfirmDialog's props
// but its title and body, which name the item.
import { useState } from 'preact/hooks';
import { api, asApiError } from './api.ts';
import { t } from './messages.ts';

export function useConfirmedDelete<T>(pathOf: (item: T) => string, onDeleted: (item: T) => void, onFailed?: () => void) {
  const [doomed, setDoomed] = useState<T | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function remove(): Promise<void> {
    if (!doomed) return;
    setBusy(true);
    try {
      await api('DELETE', pathOf(doomed));
      onDeleted(doomed);
      setError(null);
    } catch (e) {
      setError(asApiError(e).message);
      onFailed?.();
    } finally {
      setBusy(false);
      setDoomed(null);
    }
  }

  const dialog = {
    open: doomed !== null,
    busy,
    danger: true,
    confirmLabel: t('delete'),
    cancelLabel: t('cancel'),
    onConfirm: () => void remove(),
    onCancel: () => setDoomed(null),
  };
  return { doomed, setDoomed, error, setError, dialog };
}
