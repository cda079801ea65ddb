// A centred modal over the console; Escape or a click on the backdrop closes it.
import { useEffect, type ReactNode } from 'react';
import { Icon } from '../shared/Icon.js';

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
  testId?: string;
}

export function Dialog({ title, onClose, children, wide = false, testId }: DialogProps) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <div className="c-dialog-backdrop" onClick={onClose}>
      <section
        className={`c-dialog${wide ? ' c-dialog--wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        data-testid={testId}
        onClick={(e) => e.stopPropagation()}
      >
        <header className="c-dialog__header">
          <h2>{title}</h2>
          <button type="button" className="c-icon-button" onClick={onClose} aria-label="Close" data-testid="dialog-close">
            <Icon name="close" />
          </button>
        </header>
        <div className="c-dialog__body">{children}</div>
      </section>
    </div>
  );
}
