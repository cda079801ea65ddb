// The numbers an operator glances at: photos by state, faces, people, and the face provider.
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

export function OverviewStats({ overview }: { overview: Overview }) {
  const { photos, faces, queue, throughput, storage } = overview;
  const inFlight = photos.pending + photos.processing;
  return (
    <div className="c-stats" data-testid="overview-stats">
      <Stat testId="stat-total" label="Photos" value={formatCount(photos.total)} hint={inFlight ? `${formatCount(inFlight)} in progress` : 'all processed'} />
      <Stat testId="stat-ready" label="Ready" value={formatCount(photos.ready)} tone="good" hint={`${formatCount(throughput.readyLastMinute)} in the last minute`} />
      <Stat testId="stat-failed" label="Failed" value={formatCount(photos.failed)} tone={photos.failed ? 'danger' : 'default'} />
      <Stat testId="stat-duplicates" label="Duplicates" value={formatCount(photos.duplicates)} hint="skipped, same content" />
      <Stat testId="stat-queue" label="Queue" value={formatCount(queue.depth)} tone={queue.depth > 50 ? 'warn' : 'default'} hint={`${throughput.photosPerSecond.toFixed(1)} photos/s`} />
      <Stat testId="stat-faces" label="Faces" value={formatCount(faces.found)} />
      <Stat testId="stat-people" label="People" value={formatCount(faces.persons)} />
      <Stat
        testId="stat-provider"
        label="Face engine"
        value={faces.provider ?? 'starting…'}
        hint={faces.providerNote ?? undefined}
      />
      {storage && (
        <Stat
          testId="stat-storage"
          label="Free disk"
          value={formatBytes(storage.freeBytes)}
          tone={storage.low ? 'danger' : 'default'}
          hint={storage.low ? 'running low: free some space' : undefined}
        />
      )}
    </div>
  );
}
