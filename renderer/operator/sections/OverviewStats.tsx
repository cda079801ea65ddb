// The numbers an operator glances at (photos by state, queue, faces, people), and the machine's side
// (face engine, free disk) as one line under the chart.
import type { Overview } from '@api';
import { formatBytes, formatCount } from '../../shared/format.js';

interface StatProps {
  label: string;
  value: string;
  tone?: 'default' | 'good' | 'warn' | 'danger';
  hint?: string | undefined;
  testId: string;
}

function Stat({ label, value, tone = 'default', hint, testId }: StatProps) {
  return (
    <div className={`c-stat c-stat--${tone}`} data-testid={testId}>
      <span className="c-stat__label">{label}</span>
      <span className="c-stat__value">{value}</span>
      {hint && <span className="c-stat__hint">{hint}</span>}
    </div>
  );
}

/** A queue longer than this means the laptop is falling behind the cameras. */
const QUEUE_BEHIND = 50;

export function OverviewStats({ overview }: { overview: Overview }) {
  const { photos, faces, queue, throughput } = overview;
  const inFlight = photos.pending + photos.processing;
  return (
    <div className="c-stats" data-testid="overview-stats">
      <Stat
        testId="stat-total"
        label="Photos"
        value={formatCount(photos.total)}
        hint={inFlight ? `${formatCount(inFlight)} in progress` : 'all processed'}
      />
      <Stat
        testId="stat-ready"
        label="Ready"
        value={formatCount(photos.ready)}
        tone="good"
        hint={`${formatCount(throughput.readyLastMinute)} in the last minute`}
      />
      <Stat
        testId="stat-failed"
        label="Failed"
        value={formatCount(photos.failed)}
        tone={photos.failed ? 'danger' : 'default'}
        hint={photos.failed ? 'see Errors' : undefined}
      />
      <Stat testId="stat-duplicates" label="Duplicates" value={formatCount(photos.duplicates)} hint="same file twice" />
      <Stat
        testId="stat-queue"
        label="Queue"
        value={formatCount(queue.depth)}
        tone={queue.depth > QUEUE_BEHIND ? 'warn' : 'default'}
        hint={`${throughput.photosPerSecond.toFixed(1)} photos/s`}
      />
      <Stat testId="stat-faces" label="Faces" value={formatCount(faces.found)} />
      <Stat testId="stat-people" label="People" value={formatCount(faces.persons)} />
    </div>
  );
}

export function SystemLine({ overview }: { overview: Overview }) {
  const { faces, storage, scene } = overview;
  return (
    <div className="c-system" data-testid="system-line">
      <span data-testid="stat-provider" title={faces.providerNote ?? undefined}>
        Face engine <strong>{faces.provider ?? 'starting…'}</strong>
        {faces.detector && ` · ${faces.detector} detector`}
        {faces.providerNote && <span className="c-system__note">{faces.providerNote}</span>}
      </span>
      {storage && (
        <span data-testid="stat-storage" className={storage.low ? 'c-danger-text' : undefined}>
          <strong>{formatBytes(storage.freeBytes)}</strong> free on disk{storage.low ? ': running low, free some space' : ''}
        </span>
      )}
      {scene.model && (
        <span>
          Scene search <strong>{formatCount(scene.embedded)}</strong> of {formatCount(scene.ofPhotos)} photos
        </span>
      )}
    </div>
  );
}
