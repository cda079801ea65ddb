// Deliveries: photos attendees asked to be sent (email, SMS), waiting for the next sync. Live-updated.
import { Icon } from '../../shared/Icon.js';
import { useEffect, useState } from 'react';
import type { DeliveryList, DeliveryView } from '@api';
import { errorMessage } from '../../shared/api.js';
import { timeAgo } from '../../shared/format.js';
import { EmptyState, ErrorState, LoadingState } from '../../shared/StateViews.js';
import { operatorApi } from '../api.js';
import { SectionHeader } from '../SectionHeader.js';
import { useConsole } from '../store.js';

type Filter = 'waiting' | 'all';

const CHANNEL_LABEL: Record<DeliveryView['channel'], string> = { email: 'Email', sms: 'SMS', link: 'Link' };
const STATE_LABEL: Record<DeliveryView['state'], string> = { waiting: 'Waiting', sent: 'Sent', failed: 'Failed' };

export function DeliveriesSection() {
  const deliveries = useConsole((s) => s.deliveries);
  const receiveDeliveries = useConsole((s) => s.receiveDeliveries);
  const [filter, setFilter] = useState<Filter>('waiting');
  const [error, setError] = useState<string | null>(null);

  const load = () => {
    setError(null);
    operatorApi
      .get<DeliveryList>('/api/deliveries')
      .then((list) => receiveDeliveries(list.deliveries))
      .catch((err: unknown) => setError(errorMessage(err)));
  };
  // Fetched on opening; from then on `delivery` events keep the list current.
  useEffect(load, [receiveDeliveries]);

  const shown = (deliveries ?? []).filter((d) => filter === 'all' || d.state === 'waiting');
  const waiting = (deliveries ?? []).filter((d) => d.state === 'waiting').length;

  return (
    <div className="c-section" data-testid="deliveries-section">
      <SectionHeader
        title="Deliveries"
        subtitle="Attendees who left an email address or phone number at a kiosk. They are sent when the laptop syncs."
        actions={
          <div className="c-segmented" role="tablist">
            <button
              type="button"
              role="tab"
              aria-selected={filter === 'waiting'}
              className={filter === 'waiting' ? 'is-active' : ''}
              onClick={() => setFilter('waiting')}
              data-testid="deliveries-waiting"
            >
              Waiting ({waiting})
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={filter === 'all'}
              className={filter === 'all' ? 'is-active' : ''}
              onClick={() => setFilter('all')}
              data-testid="deliveries-all"
            >
              All ({deliveries?.length ?? 0})
            </button>
          </div>
        }
      />
      {error && !deliveries && <ErrorState message={error} onRetry={load} />}
      {!error && !deliveries && <LoadingState label="Loading deliveries…" />}
      {deliveries && (
        <div className="c-panel c-panel--flush">
          {shown.length === 0 ? (
            <EmptyState
              title={filter === 'waiting' ? 'Nothing waiting' : 'No deliveries yet'}
              icon={<Icon name="deliveries" size={40} />}
              testId="deliveries-empty"
            >
              When an attendee asks for their photos by email or text message at a kiosk, it appears here.
            </EmptyState>
          ) : (
            <table className="c-table" data-testid="delivery-list">
              <thead>
                <tr>
                  <th>To</th>
                  <th>By</th>
                  <th className="c-align-end">Photos</th>
                  <th>State</th>
                  <th>Asked</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((d) => (
                  <tr key={d.id} data-testid="delivery-row" data-delivery-id={d.id} data-state={d.state}>
                    <td>
                      <strong className="c-break">{d.address}</strong>
                      {d.followsNewPhotos && <div className="c-small c-accent-text">Also gets new photos as they are taken</div>}
                    </td>
                    <td>{CHANNEL_LABEL[d.channel]}</td>
                    <td className="c-align-end c-tabular">{d.photos}</td>
                    <td>
                      <span className={`c-pill c-pill--${d.state}`}>{STATE_LABEL[d.state]}</span>
                      {d.error && <div className="c-small c-danger-text">{d.error}</div>}
                    </td>
                    <td className="c-muted c-nowrap">{timeAgo(d.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </div>
  );
}
