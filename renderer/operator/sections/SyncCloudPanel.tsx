// Where the event lives in the cloud: the address attendees' take-home links and QR codes carry
// once the event is enrolled, and what this laptop sends there (the organiser's choices).
import type { SyncView } from '@api';
import { CopyButton } from '../CopyButton.js';

export function SyncCloudPanel({ sync, onConnectAgain }: { sync: SyncView; onConnectAgain: () => void }) {
  return (
    <aside className="c-panel c-form" data-testid="sync-cloud">
      <h2>In the cloud</h2>
      {sync.publicBaseUrl && (
        <div className="c-field">
          <span>Address attendees use</span>
          <div className="c-copy-row">
            <code className="c-break" data-testid="sync-public-url">
              {sync.publicBaseUrl}
            </code>
            <CopyButton value={sync.publicBaseUrl} />
          </div>
          <small className="c-muted">New take-home links and QR codes point here, so they keep working after the event.</small>
        </div>
      )}
      <dl className="c-sync-facts">
        <dt>Endpoint</dt>
        <dd className="c-break" data-testid="sync-endpoint-shown">
          {sync.endpoint}
        </dd>
        {sync.deviceName && (
          <>
            <dt>This laptop</dt>
            <dd data-testid="sync-device-shown">{sync.deviceName}</dd>
          </>
        )}
        <dt>Originals</dt>
        <dd>{sync.uploadOriginals ? 'Uploaded (the organiser asked for them)' : 'Stay on this laptop; previews are sent'}</dd>
        <dt>Face search in the cloud</dt>
        <dd>{sync.cloudFaceSearch ? 'On: face descriptors are sent' : 'Off: no face descriptors leave this laptop'}</dd>
      </dl>
      <div className="c-form__actions">
        <button type="button" className="c-button c-button--ghost" onClick={onConnectAgain} data-testid="sync-connect-again">
          Connect again with a new join code…
        </button>
      </div>
    </aside>
  );
}
