// Errors: photos that could not be processed, why, and retrying them once the cause is fixed.
import { useState } from 'react';
import type { ErrorList, RetryResult } from '@api';
import { errorMessage } from '../../shared/api.js';
import { countdown, plural, timeAgo } from '../../shared/format.js';
import { EmptyState, ErrorState, LoadingState } from '../../shared/StateViews.js';
import { useResource } from '../../shared/useResource.js';
import { operatorApi } from '../api.js';
import { Icon } from '../../shared/Icon.js';
import { SectionHeader } from '../SectionHeader.js';
import { useConsole } from '../store.js';
import { useRevision } from '../useRevision.js';

function describeRetry(result: RetryResult): string {
  const parts = [`${plural(result.requeued, 'photo')} queued again`];
  if (result.reexamined) parts.push(`${plural(result.reexamined, 'file')} looked at again`);
  return parts.join(', ');
}

export function ErrorsSection() {
  const revision = useRevision('errors');
  const notify = useConsole((s) => s.notify);
  const { resource, reload, set } = useResource(() => operatorApi.get<ErrorList>('/api/errors'), [revision]);
  const [busy, setBusy] = useState<number | 'all' | null>(null);

  const retry = async (photoId: number | 'all') => {
    setBusy(photoId);
    try {
      const result = await operatorApi.post<RetryResult>(photoId === 'all' ? '/api/photos/retry-failed' : `/api/photos/${photoId}/retry`);
      notify(describeRetry(result), 'success');
      if (photoId !== 'all') set((list) => ({ ...list, errors: list.errors.filter((e) => e.photoId !== photoId) }));
      reload();
    } catch (error) {
      notify(errorMessage(error), 'error');
    } finally {
      setBusy(null);
    }
  };

  const errors = resource.data?.errors ?? [];
  const retrying = resource.data?.retrying ?? [];

  return (
    <div className="c-section" data-testid="errors-section">
      <SectionHeader
        title="Errors"
        subtitle="Files that could not be processed. Fix the cause (a card still copying, a damaged file), then retry."
        actions={
          <button
            type="button"
            className="c-button c-button--primary"
            onClick={() => retry('all')}
            disabled={busy !== null || errors.length === 0}
            data-testid="retry-all"
          >
            <Icon name="retry" /> Retry all
          </button>
        }
      />
      {resource.state === 'loading' && <LoadingState label="Loading errors…" />}
      {resource.state === 'error' && <ErrorState message={resource.error} onRetry={reload} />}
      {resource.data && (
        <>
          <div className="c-panel c-panel--flush">
            {errors.length === 0 ? (
              <EmptyState title="No errors" icon={<Icon name="check" size={40} />} testId="errors-empty">
                Every photo that landed was processed. Problems show up here with the reason.
              </EmptyState>
            ) : (
              <table className="c-table c-table--errors" data-testid="error-list">
                <thead>
                  <tr>
                    <th>File</th>
                    <th>Reason</th>
                    <th>When</th>
                    <th aria-label="Actions" />
                  </tr>
                </thead>
                <tbody>
                  {errors.map((e) => (
                    <tr key={e.photoId} data-testid="error-row" data-photo-id={e.photoId}>
                      <td>
                        <strong className="c-break">{e.fileName}</strong>
                        <div className="c-mono c-muted c-small c-break" data-testid="error-path">
                          {e.path}
                        </div>
                      </td>
                      <td className="c-danger-text" data-testid="error-reason">
                        {e.error}
                      </td>
                      <td className="c-nowrap c-muted">{timeAgo(e.at)}</td>
                      <td className="c-align-end">
                        <button
                          type="button"
                          className="c-button c-button--small"
                          onClick={() => retry(e.photoId)}
                          disabled={busy !== null}
                          data-testid="error-retry"
                        >
                          Retry
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
          {retrying.length > 0 && (
            <div className="c-panel c-panel--flush" data-testid="retrying-list">
              <div className="c-panel__header">
                <h2>Retrying automatically</h2>
                <span className="c-muted">These are tried again on their own; no action needed.</span>
              </div>
              <table className="c-table c-table--errors">
                <thead>
                  <tr>
                    <th>File</th>
                    <th>Last problem</th>
                    <th>Attempts</th>
                    <th>Next try</th>
                  </tr>
                </thead>
                <tbody>
                  {retrying.map((r) => (
                    <tr key={r.photoId} data-testid="retrying-row" data-photo-id={r.photoId}>
                      <td>
                        <strong className="c-break">{r.fileName}</strong>
                        <div className="c-mono c-muted c-small c-break" data-testid="retrying-path">
                          {r.path}
                        </div>
                      </td>
                      <td>{r.error}</td>
                      <td>{r.attempts}</td>
                      <td className="c-nowrap">in {countdown(r.nextAttemptAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </div>
  );
}
