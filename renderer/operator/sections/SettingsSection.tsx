// Settings: the event's options (kiosk, galleries, watermark) and how other devices reach this laptop.
import { useEffect, useState, type FormEvent } from 'react';
import type { EventSettings } from '@api';
import { errorMessage } from '../../shared/api.js';
import { ErrorState, LoadingState, Spinner } from '../../shared/StateViews.js';
import { useResource } from '../../shared/useResource.js';
import { operatorApi } from '../api.js';
import { CopyButton } from '../CopyButton.js';
import { SectionHeader } from '../SectionHeader.js';
import { useConsole } from '../store.js';

function NumberField(props: {
  label: string;
  hint: string;
  value: number;
  min: number;
  max: number;
  unit: string;
  onChange: (v: number) => void;
  testId: string;
}) {
  return (
    <label className="c-field">
      <span>{props.label}</span>
      <div className="c-input-unit">
        <input
          type="number"
          min={props.min}
          max={props.max}
          value={Number.isFinite(props.value) ? props.value : ''}
          onChange={(e) => props.onChange(e.target.valueAsNumber)}
          data-testid={props.testId}
          required
        />
        <span>{props.unit}</span>
      </div>
      <small className="c-muted">{props.hint}</small>
    </label>
  );
}

export function SettingsSection() {
  const overview = useConsole((s) => s.overview);
  const notify = useConsole((s) => s.notify);
  const { resource, reload, set } = useResource(() => operatorApi.get<EventSettings>('/api/settings'));
  const [draft, setDraft] = useState<EventSettings | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);

  useEffect(() => {
    if (resource.data) setDraft(resource.data);
  }, [resource.data]);

  const dirty = draft !== null && JSON.stringify(draft) !== JSON.stringify(resource.data);
  const update = (patch: Partial<EventSettings>) => setDraft((d) => (d ? { ...d, ...patch } : d));

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    setSaving(true);
    setSaveError(null);
    try {
      // The gallery's look is edited in Export (GalleryLook): sending this page's copy of it would put
      // back colours changed there since this page loaded.
      const { gallery: _editedInExport, ...edited } = draft;
      const saved = await operatorApi.patch<EventSettings>('/api/settings', edited);
      set(() => saved);
      notify('Settings saved', 'success');
    } catch (error) {
      setSaveError(errorMessage(error));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="c-section" data-testid="settings-section">
      <SectionHeader title="Settings" subtitle={overview ? `Event “${overview.event}”` : undefined} />
      <div className="c-settings-layout">
        <div>
          {resource.state === 'loading' && <LoadingState label="Loading settings…" />}
          {resource.state === 'error' && <ErrorState message={resource.error} onRetry={reload} />}
          {draft && (
            <form className="c-panel c-form" onSubmit={save} data-testid="settings-form">
              <h2>Kiosk</h2>
              <label className="c-field">
                <span>Welcome title</span>
                <input
                  value={draft.welcomeTitle}
                  onChange={(e) => update({ welcomeTitle: e.target.value })}
                  data-testid="setting-welcome-title"
                  maxLength={80}
                />
                <small className="c-muted">Shown in large type on the kiosk's start screen.</small>
              </label>
              <NumberField
                label="Back to the start screen after"
                hint="Without a touch, the kiosk ends the visitor's session and deletes their selfie."
                value={draft.kioskIdleSeconds}
                min={15}
                max={600}
                unit="seconds"
                onChange={(v) => update({ kioskIdleSeconds: v })}
                testId="setting-kiosk-idle"
              />
              <h2>Attendees</h2>
              <NumberField
                label="Gallery links work for"
                hint="The QR code and the links sent by email or SMS stop working after this."
                value={draft.galleryLinkHours}
                min={1}
                max={24 * 365}
                unit="hours"
                onChange={(v) => update({ galleryLinkHours: v })}
                testId="setting-gallery-hours"
              />
              <NumberField
                label="Keep opted-in selfies for"
                hint="For attendees who asked to be sent new photos of themselves."
                value={draft.optInRetentionDays}
                min={1}
                max={365}
                unit="days"
                onChange={(v) => update({ optInRetentionDays: v })}
                testId="setting-optin-days"
              />
              <h2>Watermark</h2>
              <label className="c-check">
                <input
                  type="checkbox"
                  checked={draft.watermark.enabled}
                  onChange={(e) => update({ watermark: { ...draft.watermark, enabled: e.target.checked } })}
                  data-testid="setting-watermark-enabled"
                />
                <span>Put a watermark on photos attendees download</span>
              </label>
              <label className="c-field">
                <span>Watermark text</span>
                <input
                  value={draft.watermark.text}
                  disabled={!draft.watermark.enabled}
                  onChange={(e) => update({ watermark: { ...draft.watermark, text: e.target.value } })}
                  data-testid="setting-watermark-text"
                  placeholder="© Studio name"
                />
              </label>
              {saveError && (
                <p className="c-form-error" role="alert" data-testid="settings-error">
                  {saveError}
                </p>
              )}
              <div className="c-form__actions">
                <button
                  type="button"
                  className="c-button c-button--ghost"
                  disabled={!dirty || saving}
                  onClick={() => setDraft(resource.data)}
                >
                  Discard changes
                </button>
                <button type="submit" className="c-button c-button--primary" disabled={!dirty || saving} data-testid="settings-save">
                  {saving ? <Spinner size="small" /> : 'Save settings'}
                </button>
              </div>
            </form>
          )}
        </div>
        {overview && (
          <aside className="c-panel c-form" data-testid="connection-panel">
            <h2>Connecting other devices</h2>
            <div className="c-field">
              <span>Address for kiosks and phones</span>
              <div className="c-copy-row">
                <code className="c-break" data-testid="public-url">
                  {overview.publicUrl}
                </code>
                <CopyButton value={overview.publicUrl} />
              </div>
              <small className="c-muted">
                {overview.lan
                  ? 'LAN is on: devices on the venue network can reach this laptop.'
                  : 'LAN is off: only this laptop can open these pages. Start serve with LAN on for tablets and phones.'}
              </small>
            </div>
            <div className="c-field">
              <span>Operator token</span>
              <div className="c-copy-row">
                <code className="c-break c-secret" data-testid="operator-token">
                  {overview.operatorToken}
                </code>
                <CopyButton value={overview.operatorToken} testId="copy-operator-token" />
              </div>
              <small className="c-muted">Signs another browser or a script in as the operator. Keep it private.</small>
            </div>
          </aside>
        )}
      </div>
    </div>
  );
}
