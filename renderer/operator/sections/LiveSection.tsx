// Live: photos landing and being processed, throughput and the event's counts, all from the live stream.
import { Icon } from '../../shared/Icon.js';
import { useState } from 'react';
import type { PhotoCard } from '@api';
import { errorMessage } from '../../shared/api.js';
import { EmptyState, LoadingState, Spinner } from '../../shared/StateViews.js';
import { SectionHeader } from '../SectionHeader.js';
import { loadFeed } from '../session.js';
import { useConsole } from '../store.js';
import { OverviewStats, SystemLine } from './OverviewStats.js';
import { PhotoTile } from './PhotoTile.js';
import { PhotoViewer } from './PhotoViewer.js';
import { ThroughputChart } from './ThroughputChart.js';

export function LiveSection() {
  const overview = useConsole((s) => s.overview);
  const throughput = useConsole((s) => s.throughput);
  const feed = useConsole((s) => s.feed);
  const nextBefore = useConsole((s) => s.feedNextBefore);
  const notify = useConsole((s) => s.notify);
  const [open, setOpen] = useState<PhotoCard | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);

  const loadOlder = async () => {
    setLoadingOlder(true);
    try {
      await loadFeed(true);
    } catch (error) {
      notify(errorMessage(error), 'error');
    } finally {
      setLoadingOlder(false);
    }
  };

  // The viewer follows the live photo, so a photo opened while processing shows its faces when ready.
  const openPhoto = open ? (feed?.find((p) => p.id === open.id) ?? open) : null;

  return (
    <div className="c-section" data-testid="live-section">
      <SectionHeader title="Live" subtitle="Photos appear here as the cameras write them, with the faces found in each." />
      {overview && <OverviewStats overview={overview} />}
      <div className="c-panel">
        <div className="c-panel__header">
          <h2>Throughput</h2>
          {overview && (
            <span className="c-muted" data-testid="queue-depth">
              {overview.queue.depth === 0 ? 'Queue empty' : `${overview.queue.depth} waiting in the queue`}
            </span>
          )}
        </div>
        <ThroughputChart points={throughput} />
        {overview && <SystemLine overview={overview} />}
      </div>
      <div className="c-panel c-panel--flush">
        <div className="c-panel__header">
          <h2>Latest photos</h2>
          {feed && feed.length > 0 && <span className="c-muted">{feed.length} shown, newest first</span>}
        </div>
        <div data-testid="live-feed">
          {feed === null ? (
            <LoadingState label="Loading photos…" />
          ) : feed.length === 0 ? (
            <EmptyState title="No photos yet" icon={<Icon name="camera" size={40} />} testId="live-feed-empty">
              New photos show up here within a second or two of the camera writing them. Add a watched folder in <strong>Sources</strong> if
              none is set up.
            </EmptyState>
          ) : (
            <div className="c-photo-grid">
              {feed.map((photo) => (
                <PhotoTile key={photo.id} photo={photo} onOpen={setOpen} />
              ))}
            </div>
          )}
        </div>
        {feed && nextBefore !== null && (
          <div className="c-panel__footer">
            <button type="button" className="c-button" onClick={loadOlder} disabled={loadingOlder} data-testid="load-older">
              {loadingOlder ? <Spinner size="small" /> : 'Show older photos'}
            </button>
          </div>
        )}
      </div>
      {openPhoto && <PhotoViewer photo={openPhoto} onClose={() => setOpen(null)} />}
    </div>
  );
}
