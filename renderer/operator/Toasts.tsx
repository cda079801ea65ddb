// Short confirmations and failures of console actions ("3 photos queued again").
import { useConsole } from './store.js';

export function Toasts() {
  const toasts = useConsole((s) => s.toasts);
  const dismiss = useConsole((s) => s.dismiss);
  return (
    <div className="c-toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`c-toast c-toast--${t.tone}`} role={t.tone === 'error' ? 'alert' : 'status'} data-testid="toast">
          <span>{t.text}</span>
          <button type="button" className="c-toast__close" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
