// Sources: the hot folders cameras write into, their state, and how many photos each camera took.
import { useState, type FormEvent } from 'react';
import type { AddSourceRequest, SourceList, SourceView } from '@api';
import { errorMessage } from '../../shared/api.js';
import { formatCount } from '../../shared/format.js';
import { EmptyState, ErrorState, LoadingState, Spinner } from '../../shared/StateViews.js';
import { useResource } from '../../shared/useResource.js';
import { operatorApi } from '../api.js';
import { Icon } from '../../shared/Icon.js';
import { SectionHeader } from '../SectionHeader.js';
import { useConsole } from '../store.js';
import { useRevision } from '../useRevision.js';

const STATE_LABEL: Record<SourceView['state'], string> = {
  watching: 'Watching',
  offline: 'Offline',
  removed: 'Removed',
};

export function SourcesSection() {
  const revision = useRevision('sources');
  const notify = useConsole((s) => s.notify);
  const { resource, reload, set } = useResource(() => operatorApi.get<SourceList>('/api/sources'), [revision]);
  const [path, setPath] = useState('');
  const [adding, setAdding] = useState(false);
  const [addError, setAddError] = useState<string | null>(null);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (!path.trim()) return;
    setAdding(true);
    setAddError(null);
    try {
      const body: AddSourceRequest = { path: path.trim() };
      const source = await operatorApi.post<SourceView>('/api/sources', body);
      set((list) => ({ ...list, sources: [...list.sources.filter((s) => s.id !== source.id), source] }));
      notify(`Watching ${source.path}`, 'success');
      setPath('');
    } catch (error) {
      setAddError(errorMessage(error));
    } finally {
      setAdding(false);
    }
  };

  const remove = async (source: SourceView) => {
    if (!window.confirm(`Stop watching ${source.path}? Photos already taken from it stay in the event.`)) return;
    try {
      await operatorApi.delete(`/api/sources/${source.id}`);
      set((list) => ({ ...list, sources: list.sources.filter((s) => s.id !== source.id) }));
      notify(`Stopped watching ${source.path}`, 'success');
    } catch (error) {
      notify(errorMessage(error), 'error');
    }
  };

  const sources = resource.data?.sources.filter((s) => s.state !== 'removed') ?? [];
  const cameras = resource.data?.cameras ?? [];

  return (
    <div className="c-section" data-testid="sources-section">
      <SectionHeader
        title="Sources"
        subtitle="Folders the cameras' tether or FTP software writes into. New files are picked up as soon as they are complete."
      />
      <form className="c-panel c-add-source" onSubmit={add}>
        <label className="c-field c-field--grow">
          <span>Add a folder to watch</span>
          <input
            data-testid="source-path"
            className="c-mono"
            placeholder="/Users/me/Pictures/Tether or D:\Capture"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            spellCheck={false}
          />
        </label>
        <button type="submit" className="c-button c-button--primary" disabled={adding || !path.trim()} data-testid="source-add">
          {adding ? <Spinner size="small" /> : <Icon name="plus" />} Watch folder
        </button>
        {addError && (
          <p className="c-form-error c-add-source__error" role="alert" data-testid="source-add-error">
            {addError}
          </p>
        )}
      </form>
      {resource.state === 'loading' && <LoadingState label="Loading sources…" />}
      {resource.state === 'error' && <ErrorState message={resource.error} onRetry={reload} />}
      {resource.data && (
        <div className="c-two-columns">
          <div className="c-panel c-panel--flush">
            <div className="c-panel__header">
              <h2>Watched folders</h2>
            </div>
            {sources.length === 0 ? (
              <EmptyState title="No folders watched" icon={<Icon name="sources" size={40} />} testId="sources-empty">
                Type the folder your camera software saves into above.
              </EmptyState>
            ) : (
              <ul className="c-source-list" data-testid="source-list">
                {sources.map((s) => (
                  <li key={s.id} className="c-source" data-testid="source-row" data-source-id={s.id} data-state={s.state}>
                    <span className={`c-source__state c-source__state--${s.state}`} data-testid="source-state">
                      {STATE_LABEL[s.state]}
                    </span>
                    <div className="c-source__body">
                      <div className="c-mono c-break">{s.path}</div>
                      {s.error && <div className="c-danger-text c-small">{s.error}</div>}
                    </div>
                    <span className="c-source__count">{formatCount(s.photos)} photos</span>
                    <button
                      type="button"
                      className="c-icon-button"
                      onClick={() => remove(s)}
                      aria-label={`Stop watching ${s.path}`}
                      title="Stop watching"
                      data-testid="source-remove"
                    >
                      <Icon name="trash" />
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
          <div className="c-panel c-panel--flush">
            <div className="c-panel__header">
              <h2>Cameras</h2>
            </div>
            {cameras.length === 0 ? (
              <EmptyState title="No cameras yet" testId="cameras-empty">
                Each camera body is counted from its photos' EXIF.
              </EmptyState>
            ) : (
              <table className="c-table" data-testid="camera-table">
                <thead>
                  <tr>
                    <th>Camera</th>
                    <th className="c-align-end">Photos</th>
                  </tr>
                </thead>
                <tbody>
                  {cameras.map((c) => (
                    <tr key={c.camera} data-testid="camera-row">
                      <td>{c.camera}</td>
                      <td className="c-align-end c-tabular">{formatCount(c.photos)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
