// The console's navigation, with counts that need attention and the live stream's state.
import type { Overview } from '@api';
import type { LiveConnection } from '../shared/live.js';
import { formatCount } from '../shared/format.js';
import { BrandMark } from './BrandMark.js';
import { Icon } from '../shared/Icon.js';
import { SECTIONS, type SectionId } from './sections.js';
import { useConsole } from './store.js';

const LIVE_LABEL: Record<LiveConnection, string> = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

function badgeFor(section: SectionId, overview: Overview | null, waitingDeliveries: number): number {
  if (section === 'errors') return overview?.photos.failed ?? 0;
  if (section === 'deliveries') return waitingDeliveries;
  return 0;
}

export function Sidebar() {
  const section = useConsole((s) => s.section);
  const showSection = useConsole((s) => s.showSection);
  const overview = useConsole((s) => s.overview);
  const live = useConsole((s) => s.live);
  const waiting = useConsole((s) => s.deliveries?.filter((d) => d.state === 'waiting').length ?? 0);

  return (
    <nav className="c-sidebar" aria-label="Console sections">
      <div className="c-sidebar__brand">
        <BrandMark />
      </div>
      {overview && (
        <div className="c-sidebar__event" data-testid="event-name" title="Event">
          <span className="c-eyebrow">Event</span>
          <strong>{overview.event}</strong>
        </div>
      )}
      <ul className="c-nav">
        {SECTIONS.map(({ id, label }) => {
          const badge = badgeFor(id, overview, waiting);
          return (
            <li key={id}>
              <button
                type="button"
                className={`c-nav__item${section === id ? ' is-active' : ''}`}
                aria-current={section === id ? 'page' : undefined}
                onClick={() => showSection(id)}
                data-testid={`nav-${id}`}
              >
                <Icon name={id} />
                <span>{label}</span>
                {badge > 0 && (
                  <span className={`c-badge${id === 'errors' ? ' c-badge--danger' : ''}`} data-testid={`nav-${id}-badge`}>
                    {formatCount(badge)}
                  </span>
                )}
              </button>
            </li>
          );
        })}
      </ul>
      <div className="c-sidebar__footer">
        <span className={`c-live c-live--${live}`} data-testid="live-status" data-state={live}>
          <span className="c-live__dot" />
          {LIVE_LABEL[live]}
        </span>
        {overview && <span className="c-muted c-small">v{overview.version}</span>}
      </div>
    </nav>
  );
}
