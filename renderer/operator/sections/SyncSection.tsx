// Sync: this laptop's event in the cloud. Before enrolment a form that connects it with the
// organiser's join code; after, where the upload stands (kept current by the live 'sync' event),
// pause and resume, a bandwidth cap for a shared venue connection, and the address attendees use.
import { useCallback, useEffect, useState } from 'react';
import type { SyncView } from '@api';
import { errorMessage } from '../../shared/api.js';
import { ErrorState, LoadingState } from '../../shared/StateViews.js';
import { operatorApi } from '../api.js';
import { SectionHeader } from '../SectionHeader.js';
import { useConsole } from '../store.js';
import { SyncEnrolForm } from './SyncEnrolForm.js';
import { SyncStatusPanel } from './SyncStatusPanel.js';
import './sync.css';

export function SyncSection() {
  const sync = useConsole((s) => s.sync);
  const receiveSync = useConsole((s) => s.receiveSync);
  const [loadError, setLoadError] = useState<string | null>(null);

  const load = useCallback(() => {
    setLoadError(null);
    operatorApi.get<SyncView>('/api/sync').then(receiveSync, (error: unknown) => setLoadError(errorMessage(error)));
  }, [receiveSync]);
  useEffect(load, [load]);

  return (
    <div className="c-section" data-testid="sync-section">
      <SectionHeader
        title="Sync"
        subtitle="Send the event to the cloud so take-home links work from anywhere and opted-in attendees get their email. Selfies never leave this laptop."
      />
      {!sync && loadError && <ErrorState title="Could not read the sync state" message={loadError} onRetry={load} />}
      {!sync && !loadError && <LoadingState label="Reading the sync state…" />}
      {sync &&
        (sync.state === 'not-enrolled' ? (
          <SyncEnrolForm eventId={sync.eventId} onEnrolled={receiveSync} />
        ) : (
          <SyncStatusPanel sync={sync} onChange={receiveSync} />
        ))}
    </div>
  );
}
