// The bandwidth cap: a venue's connection is shared with the organiser and the guests, so the
// photographer can keep sync to part of it (Mbit/s, as connections are sold; empty = no cap).
import { useEffect, useState, type FormEvent } from 'react';
import type { SyncSettingsRequest, SyncView } from '@api';
import { errorMessage } from '../../shared/api.js';
import { Spinner } from '../../shared/StateViews.js';
import { operatorApi } from '../api.js';
import { useConsole } from '../store.js';
import { capFieldOf, formatMbit, parseCapField } from '../syncWords.js';

export function SyncCapForm({ sync, onChange }: { sync: SyncView; onChange: (view: SyncView) => void }) {
  const notify = useConsole((s) => s.notify);
  const saved = capFieldOf(sync.bandwidthCapBytesPerSecond);
  const [text, setText] = useState(saved);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  // Another console (or `shutterfind sync`) may change the cap: follow it unless this one is being edited.
  const [editing, setEditing] = useState(false);
  useEffect(() => {
    if (!editing) setText(saved);
  }, [saved, editing]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseCapField(text);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    setError(null);
    setSaving(true);
    try {
      const request: SyncSettingsRequest = { eventId: sync.eventId, bandwidthCapBytesPerSecond: parsed.bytesPerSecond };
      const view = await operatorApi.put<SyncView>('/api/sync/settings', request);
      onChange(view);
      setEditing(false);
      notify(
        view.bandwidthCapBytesPerSecond === null
          ? 'Sync may use the whole connection'
          : `Sync capped at ${formatMbit(view.bandwidthCapBytesPerSecond)}`,
        'success',
      );
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="c-panel c-form" onSubmit={save} data-testid="sync-cap-form">
      <h2>Bandwidth</h2>
      <label className="c-field">
        <span>Upload at most</span>
        <div className="c-input-unit">
          <input
            inputMode="decimal"
            value={text}
            onChange={(e) => {
              setEditing(true);
              setText(e.target.value);
            }}
            placeholder="No cap"
            data-testid="sync-cap"
          />
          <span>Mbit/s</span>
        </div>
        <small className="c-muted">
          Leave empty to use the whole connection. On a shared venue Wi-Fi, half of its upload speed keeps it usable for everyone else.
        </small>
      </label>
      {error && (
        <p className="c-form-error" role="alert" data-testid="sync-cap-error">
          {error}
        </p>
      )}
      <div className="c-form__actions">
        <button type="submit" className="c-button c-button--primary" disabled={saving || text.trim() === saved} data-testid="sync-cap-save">
          {saving ? <Spinner size="small" /> : 'Save cap'}
        </button>
      </div>
    </form>
  );
}
