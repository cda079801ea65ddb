// The three states every list or page passes through besides "has data": loading, empty, failed.
import type { ReactNode } from 'react';

export function Spinner({ label, size = 'medium' }: { label?: string; size?: 'small' | 'medium' | 'large' }) {
  return (
    <span className={`sf-spinner sf-spinner--${size}`} role="status" aria-label={label ?? 'Loading'}>
      <span className="sf-spinner__ring" />
    </span>
  );
}

export function LoadingState({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="sf-state sf-state--loading" data-testid="loading-state">
      <Spinner label={label} />
      <p>{label}</p>
    </div>
  );
}

interface EmptyStateProps {
  icon?: ReactNode;
  title: string;
  children?: ReactNode;
  testId?: string;
}

export function EmptyState({ icon, title, children, testId = 'empty-state' }: EmptyStateProps) {
  return (
    <div className="sf-state sf-state--empty" data-testid={testId}>
      {icon && <div className="sf-state__icon">{icon}</div>}
      <h3>{title}</h3>
      {children && <div className="sf-state__body">{children}</div>}
    </div>
  );
}

interface ErrorStateProps {
  title?: string;
  message: string;
  onRetry?: () => void;
}

export function ErrorState({ title = 'Something went wrong', message, onRetry }: ErrorStateProps) {
  return (
    <div className="sf-state sf-state--error" role="alert" data-testid="error-state">
      <h3>{title}</h3>
      <p>{message}</p>
      {onRetry && (
        <button type="button" className="sf-button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
