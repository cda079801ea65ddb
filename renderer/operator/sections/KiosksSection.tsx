// Kiosks: pair a tablet or second screen as a kiosk, see which are paired, unpair a lost one.
import { useState } from 'react';
import type { KioskList, KioskView, PairingCode } from '@api';
import { errorMessage } from '../../shared/api.js';
import { formatDateTime, timeAgo } from '../../shared/format.js';
import { EmptyState, ErrorState, LoadingState, Spinner } from '../../shared/StateViews.js';
import { useResource } from '../../shared/useResource.js';
import { operatorApi } from '../api.js';
import { Icon } from '../../shared/Icon.js';
import { SectionHeader } from '../SectionHeader.js';
import { useConsole } from '../store.js';
import { useRevision } from '../useRevision.js';
import { PairingCodeCard } from './PairingCodeCard.js';

export function KiosksSection() {
  const revision = useRevision('kiosks');
  const notify = useConsole((s) => s.notify);
  const { resource, reload, set } = useResource(() => operatorApi.get<KioskList>('/api/kiosks'), [revision]);
  const [pairing, setPairing] = useState<PairingCode | null>(null);
  const [requesting, setRequesting] = useState(false);

  const newCode = async () => {
    setRequesting(true);
    try {
      setPairing(await operatorApi.post<PairingCode>('/api/kiosks/pairing-codes'));
    } catch (error) {
      notify(errorMessage(error), 'error');
    } finally {
      setRequesting(false);
    }
  };

  const unpair = async (kiosk: KioskView) => {
    if (!window.confirm(`Unpair "${kiosk.name}"? It goes back to its pairing screen and needs a new code.`)) return;
    try {
      await operatorApi.delete(`/api/kiosks/${kiosk.id}`);
      set((list) => ({ kiosks: list.kiosks.filter((k) => k.id !== kiosk.id) }));
      notify(`${kiosk.name} unpaired`, 'success');
    } catch (error) {
      notify(errorMessage(error), 'error');
    }
  };

  const done = () => {
    setPairing(null);
    reload();
  };

  return (
    <div className="c-section" data-testid="kiosks-section">
      <SectionHeader
        title="Kiosks"
        subtitle="Screens where attendees take a selfie and find their photos. A kiosk only ever sees its own visitor's matches."
        actions={
          <button type="button" className="c-button c-button--primary" onClick={newCode} disabled={requesting} data-testid="pair-kiosk">
            {requesting ? <Spinner size="small" /> : <Icon name="plus" />} Pair a kiosk
          </button>
        }
      />
      {pairing && <PairingCodeCard pairing={pairing} onNewCode={newCode} onDone={done} />}
      {resource.state === 'loading' && <LoadingState label="Loading kiosks…" />}
      {resource.state === 'error' && <ErrorState message={resource.error} onRetry={reload} />}
      {resource.data && (
        <div className="c-panel c-panel--flush">
          <div className="c-panel__header">
            <h2>Paired kiosks</h2>
          </div>
          {resource.data.kiosks.length === 0 ? (
            <EmptyState title="No kiosks paired" icon={<Icon name="kiosks" size={40} />} testId="kiosks-empty">
              Press <strong>Pair a kiosk</strong>, open the kiosk address on the tablet and type the code.
            </EmptyState>
          ) : (
            <table className="c-table" data-testid="kiosk-list">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Paired</th>
                  <th>Last seen</th>
                  <th className="c-align-end">Visitors today</th>
                  <th aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {resource.data.kiosks.map((k) => (
                  <tr key={k.id} data-testid="kiosk-row" data-kiosk-id={k.id}>
                    <td>
                      <strong>{k.name}</strong>
                    </td>
                    <td className="c-muted">{formatDateTime(k.pairedAt)}</td>
                    <td className="c-muted">{k.lastSeenAt ? timeAgo(k.lastSeenAt) : 'never'}</td>
                    <td className="c-align-end c-tabular">{k.sessionsToday}</td>
                    <td className="c-align-end">
                      <button
                        type="button"
                        className="c-button c-button--small c-button--danger"
                        onClick={() => unpair(k)}
                        data-testid="kiosk-unpair"
                      >
                        Unpair
                      </button>
                    </td>
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
