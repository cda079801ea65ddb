// Connecting this laptop's event to a cloud event: the endpoint's address and the organiser's join
// code, traded for this laptop's own access (the code is not kept). Also how an enrolled laptop
// connects again: after the organiser revoked its access, or to move to another cloud event.
import { useState, type FormEvent } from 'react';
import type { SyncEnrolRequest, SyncView } from '@api';
import { errorMessage } from '../../shared/api.js';
import { Icon } from '../../shared/Icon.js';
import { Spinner } from '../../shared/StateViews.js';
import { operatorApi } from '../api.js';
import { useConsole } from '../store.js';
import { syncStateWords } from '../syncWords.js';

interface SyncEnrolFormProps {
  eventId: number;
  onEnrolled: (view: SyncView) => void;
  /** An enrolled laptop connecting again: the form starts from what it has, and can be closed. */
  again?: { endpoint: string | null; deviceName: string | null; onCancel: () => void };
}

export function SyncEnrolForm({ eventId, onEnrolled, again }: SyncEnrolFormProps) {
  const notify = useConsole((s) => s.notify);
  const [endpoint, setEndpoint] = useState(again?.endpoint ?? '');
  const [joinCode, setJoinCode] = useState('');
  const [deviceName, setDeviceName] = useState(again?.deviceName ?? '');
  const [error, setError] = useState<string | null>(null);
  const [enrolling, setEnrolling] = useState(false);
  const words = syncStateWords('not-enrolled');

  const enrol = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setEnrolling(true);
    const request: SyncEnrolRequest = { eventId, endpoint: endpoint.trim(), joinCode: joinCode.trim() };
    if (deviceName.trim()) request.deviceName = deviceName.trim();
    try {
      const view = await operatorApi.post<SyncView>('/api/sync/enrol', request);
      onEnrolled(view);
      notify('Connected to the cloud', 'success');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setEnrolling(false);
    }
  };

  const form = (
    <form className="c-panel c-form" onSubmit={enrol} data-testid="sync-enrol-form">
      {again ? (
        <>
          <h2>Connect again</h2>
          <p className="c-muted">
            A new join code from the organiser gives this laptop new access: after its access was revoked, or to send the event to another
            cloud event.
          </p>
        </>
      ) : (
        <>
          <div className="c-sync-heading">
            <span className="c-sync-state c-sync-state--muted" data-testid="sync-state" data-state="not-enrolled">
              {words.label}
            </span>
          </div>
          <p className="c-muted">{words.hint}</p>
        </>
      )}
      <label className="c-field">
        <span>Cloud endpoint address</span>
        <input
          type="url"
          value={endpoint}
          onChange={(e) => setEndpoint(e.target.value)}
          placeholder="https://photos.example.com"
          required
          data-testid="sync-endpoint"
        />
        <small className="c-muted">Where the organiser runs the Shutterfind cloud endpoint.</small>
      </label>
      <label className="c-field">
        <span>Join code</span>
        <input
          value={joinCode}
          onChange={(e) => setJoinCode(e.target.value)}
          placeholder="From the organiser"
          autoComplete="off"
          spellCheck={false}
          required
          data-testid="sync-join-code"
        />
        <small className="c-muted">One code works for every laptop of the event; this laptop keeps its own access, not the code.</small>
      </label>
      <label className="c-field">
        <span>Laptop name</span>
        <input
          value={deviceName}
          onChange={(e) => setDeviceName(e.target.value)}
          placeholder="Anna's MacBook (optional)"
          maxLength={100}
          data-testid="sync-device-name"
        />
        <small className="c-muted">How the organiser tells this laptop from the others shooting the event.</small>
      </label>
      {error && (
        <p className="c-form-error" role="alert" data-testid="sync-enrol-error">
          {error}
        </p>
      )}
      <div className="c-form__actions">
        {again && (
          <button type="button" className="c-button c-button--ghost" onClick={again.onCancel} data-testid="sync-enrol-cancel">
            Cancel
          </button>
        )}
        <button
          type="submit"
          className="c-button c-button--primary"
          disabled={enrolling || !endpoint.trim() || !joinCode.trim()}
          data-testid="sync-enrol"
        >
          {enrolling ? <Spinner size="small" /> : <Icon name="sync" />} Connect to the cloud
        </button>
      </div>
    </form>
  );
  if (again) return form;

  return (
    <div className="c-settings-layout">
      {form}
      <aside className="c-panel c-form">
        <h2>What is sent</h2>
        <ul className="c-sync-list">
          <li>The event's photos (thumbnails, then previews; originals only when the organiser asks for them), faces and people.</li>
          <li>Take-home links made at the kiosk, so they keep working from anywhere after the event.</li>
          <li>Deliveries attendees asked for: the cloud sends their email once, then deletes the address.</li>
          <li>Never the selfies taken at the kiosk.</li>
        </ul>
        <p className="c-muted c-small">Without a connection nothing is lost: sync waits and goes on by itself.</p>
      </aside>
    </div>
  );
}
