// Every face of one person, to pick the ones that are someone else and split them off.
import { useState } from 'react';
import type { PersonFaces, PersonView, SplitPersonRequest } from '@api';
import { errorMessage } from '../../shared/api.js';
import { plural } from '../../shared/format.js';
import { EmptyState, ErrorState, LoadingState } from '../../shared/StateViews.js';
import { useResource } from '../../shared/useResource.js';
import { operatorApi } from '../api.js';
import { Dialog } from '../Dialog.js';
import { useConsole } from '../store.js';

interface PersonFacesDialogProps {
  person: PersonView;
  onClose: () => void;
  onSplit: () => void;
}

export function PersonFacesDialog({ person, onClose, onSplit }: PersonFacesDialogProps) {
  const notify = useConsole((s) => s.notify);
  const { resource, reload } = useResource(() => operatorApi.get<PersonFaces>(`/api/people/${person.id}/faces`), [person.id]);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [busy, setBusy] = useState(false);

  const toggle = (faceId: number) =>
    setSelected((old) => {
      const next = new Set(old);
      if (next.has(faceId)) next.delete(faceId);
      else next.add(faceId);
      return next;
    });

  const split = async () => {
    setBusy(true);
    try {
      const body: SplitPersonRequest = { faceIds: [...selected] };
      const created = await operatorApi.post<PersonView>(`/api/people/${person.id}/split`, body);
      notify(`${plural(selected.size, 'face')} moved to a new person (Person ${created.id})`, 'success');
      onSplit();
      onClose();
    } catch (error) {
      notify(errorMessage(error), 'error');
    } finally {
      setBusy(false);
    }
  };

  const faces = resource.data?.faces ?? [];
  const canSplit = selected.size > 0 && selected.size < faces.length;

  return (
    <Dialog title={person.name ?? `Person ${person.id}`} onClose={onClose} wide testId="person-faces">
      <p className="c-muted">Select the faces that are not this person and split them off into a new person.</p>
      {resource.state === 'loading' && <LoadingState label="Loading faces…" />}
      {resource.state === 'error' && <ErrorState message={resource.error} onRetry={reload} />}
      {resource.data &&
        (faces.length === 0 ? (
          <EmptyState title="No faces" />
        ) : (
          <div className="c-face-grid">
            {faces.map((f) => (
              <button
                key={f.faceId}
                type="button"
                className={`c-face${selected.has(f.faceId) ? ' is-selected' : ''}`}
                onClick={() => toggle(f.faceId)}
                aria-pressed={selected.has(f.faceId)}
                data-testid="person-face"
                data-face-id={f.faceId}
              >
                <img src={f.cropUrl} alt={`Face from photo ${f.photoId}`} loading="lazy" />
                <span className="c-face__check" aria-hidden="true">
                  ✓
                </span>
              </button>
            ))}
          </div>
        ))}
      <div className="c-dialog__actions">
        <span className="c-muted">{selected.size ? `${plural(selected.size, 'face')} selected` : ''}</span>
        <button type="button" className="c-button" onClick={onClose}>
          Close
        </button>
        <button
          type="button"
          className="c-button c-button--primary"
          disabled={!canSplit || busy}
          onClick={split}
          title={selected.size === faces.length && faces.length > 0 ? 'Leave at least one face with this person' : undefined}
          data-testid="split-faces"
        >
          Split off as new person
        </button>
      </div>
    </Dialog>
  );
}
