// An enrolled event's sync: where it stands (state, what is left, rate, last success, last error),
// pause/resume and "sync now", the bandwidth cap, and where attendees reach the event in the cloud.
import { useEffect, useState } from 'react';
import type { SyncSettingsRequest, SyncView } from '@api';
import { errorMessage } from '../../shared/api.js';
import { formatBytes, formatDateTime, timeAgo } from '../../shared/format.js';
import { Icon } from '../../shared/Icon.js';
import { Spinner } from '../../shared/StateViews.js';
import { operatorApi } from '../api.js';
import { useConsole } from '../store.js';
import { leftToSend, rateFigure, syncStateWords, timeLeftAt } from '../syncWords.js';
import { SyncCapForm } from './SyncCapForm.js';
import { SyncCloudPanel } from './SyncCloudPanel.js';
import { SyncEnrolForm } from './SyncEnrolForm.js';

/** "Last synced 2 min ago" is read again this often while nothing else changes on screen. */
const CLOCK_TICK_MS = 15_000;

function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}

function Figure({ label, value, hint, testId }: { label: string; value: string; hint?: string | null; testId: string }) {
  return (
    <div className="c-stat" data-testid={testId}>
      <span className="c-stat__label">{label}</span>
      <span className="c-stat__value">{value}</span>
      {hint && <span className="c-stat__hint">{hint}</span>}
    </div>
  );
}

export function SyncStatusPanel({ sync, onChange }: { sync: SyncView; onChange: (view: SyncView) => void }) {
  const notify = useConsole((s) => s.notify);
  const now = useNow(CLOCK_TICK_MS);
  const [busy, setBusy] = useState<'pause' | 'run' | null>(null);
  const [connectingAgain, setConnectingAgain] = useState(false);
  const words = syncStateWords(sync.state, sync);
  const paused = sync.state === 'paused';
  // Pausing during a run: the view says 'syncing' until the run lets go, so the button says so too.
  const [pausing, setPausing] = useState(false);
  useEffect(() => {
    if (sync.state !== 'syncing') setPausing(false);
  }, [sync.state]);
  const left = leftToSend(sync);
  const rate = rateFigure(sync);
  const total = sync.bytesSent + sync.bytesLeft;

  const togglePause = async () => {
    setBusy('pause');
    try {
      const request: SyncSettingsRequest = { eventId: sync.eventId, paused: !paused };
      const view = await operatorApi.put<SyncView>('/api/sync/settings', request);
      onChange(view);
      setPausing(request.paused === true && view.state === 'syncing');
    } catch (error) {
      notify(errorMessage(error), 'error');
    } finally {
      setBusy(null);
    }
  };

  const runNow = async () => {
    setBusy('run');
    try {
      await operatorApi.post('/api/sync/run');
      notify('Sync started', 'info');
    } catch (error) {
      notify(errorMessage(error), 'error');
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <section className="c-panel c-sync-status" data-testid="sync-status" data-state={sync.state}>
        <div className="c-sync-heading">
          <span className={`c-sync-state c-sync-state--${words.tone}`} data-testid="sync-state" data-state={sync.state}>
            {words.label}
          </span>
          <div className="c-sync-heading__actions">
            <button
              type="button"
              className="c-button"
              onClick={() => void runNow()}
              disabled={busy !== null || paused || sync.state === 'syncing'}
              data-testid="sync-run"
            >
              {busy === 'run' ? <Spinner size="small" /> : <Icon name="retry" />} Sync now
            </button>
            <button
              type="button"
              className={`c-button${paused ? ' c-button--primary' : ''}`}
              onClick={() => void togglePause()}
              disabled={busy !== null || pausing}
              data-testid="sync-pause"
            >
              {busy === 'pause' || pausing ? <Spinner size="small" /> : null} {paused ? 'Resume' : pausing ? 'Pausing…' : 'Pause'}
            </button>
          </div>
        </div>
        <p className="c-muted" data-testid="sync-hint">
          {words.hint}
        </p>
        {sync.state === 'syncing' && total > 0 && (
          <progress className="c-sync-progress" max={total} value={sync.bytesSent} aria-label="Sent so far" />
        )}
        <div className="c-stats">
          <Figure
            testId="sync-items-left"
            label="Left to send"
            value={left ? left.items : 'Nothing'}
            hint={left ? left.detail : 'everything is in the cloud'}
          />
          <Figure
            testId="sync-bytes-left"
            label="Data left"
            value={formatBytes(sync.bytesLeft)}
            hint={timeLeftAt(sync.bytesLeft, sync.rateBytesPerSecond) ?? `${formatBytes(sync.bytesSent)} sent`}
          />
          <Figure testId="sync-rate" label="Upload rate" value={rate.value} hint={rate.hint} />
          <Figure
            testId="sync-last-synced"
            label="Last synced"
            value={sync.lastSyncedAt ? timeAgo(sync.lastSyncedAt, now) : 'Not yet'}
            hint={sync.lastSyncedAt ? formatDateTime(sync.lastSyncedAt) : null}
          />
        </div>
        {sync.lastError && (
          <div
            className={`c-sync-error c-sync-error--${sync.state === 'error' ? 'danger' : 'warn'}`}
            role="alert"
            data-testid="sync-last-error"
          >
            <strong>Last error</strong>
            <span>{sync.lastError}</span>
          </div>
        )}
      </section>
      <div className="c-two-columns">
        {connectingAgain ? (
          <SyncEnrolForm
            eventId={sync.eventId}
            onEnrolled={(view) => {
              setConnectingAgain(false);
              onChange(view);
            }}
            again={{ endpoint: sync.endpoint, deviceName: sync.deviceName, onCancel: () => setConnectingAgain(false) }}
          />
        ) : (
          <SyncCloudPanel sync={sync} onConnectAgain={() => setConnectingAgain(true)} />
        )}
        <SyncCapForm sync={sync} onChange={onChange} />
      </div>
    </>
  );
}
