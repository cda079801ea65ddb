// A feed photo opened large: the preview with its faces, where it came from, and why it failed.
import { useState } from 'react';
import type { PhotoCard, RetryResult } from '@api';
import { errorMessage } from '../../shared/api.js';
import { formatDateTime, plural } from '../../shared/format.js';
import { operatorApi } from '../api.js';
import { Dialog } from '../Dialog.js';
import { PhotoFrame } from '../PhotoFrame.js';
import { useConsole } from '../store.js';

export function PhotoViewer({ photo, onClose }: { photo: PhotoCard; onClose: () => void }) {
  const notify = useConsole((s) => s.notify);
  const [busy, setBusy] = useState(false);
  const aspect = photo.width && photo.height ? photo.width / photo.height : 3 / 2;

  const retry = async () => {
    setBusy(true);
    try {
      await operatorApi.post<RetryResult>(`/api/photos/${photo.id}/retry`);
      notify(`${photo.fileName} queued again`, 'success');
      onClose();
    } catch (error) {
      notify(errorMessage(error), 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={photo.fileName} onClose={onClose} wide testId="photo-viewer">
      <PhotoFrame
        className="c-viewer__frame"
        src={photo.previewUrl ?? photo.thumbUrl}
        alt={photo.fileName}
        faces={photo.faces}
        frameAspect={Math.max(1, Math.min(aspect, 16 / 9))}
      />
      <dl className="c-facts">
        <dt>Status</dt>
        <dd>{photo.status}</dd>
        <dt>Faces</dt>
        <dd>{plural(photo.faces.length, 'face')}</dd>
        <dt>Camera</dt>
        <dd>{photo.camera ?? 'Unknown camera'}</dd>
        <dt>Taken</dt>
        <dd>{photo.capturedAt ? formatDateTime(photo.capturedAt) : '—'}</dd>
        <dt>Landed</dt>
        <dd>{formatDateTime(photo.landedAt)}</dd>
        <dt>{photo.otherFiles.length ? 'Files' : 'File'}</dt>
        <dd className="c-mono c-break">
          {photo.path}
          {photo.otherFiles.map((f) => (
            <span key={f.path} className="c-viewer__other-file">
              <br />
              {f.path} {f.kind === 'raw' ? '(RAW, kept for editing)' : '(camera JPEG)'}
            </span>
          ))}
        </dd>
        {photo.error && (
          <>
            <dt>Problem</dt>
            <dd className="c-danger-text">{photo.error}</dd>
          </>
        )}
      </dl>
      {photo.status === 'failed' && (
        <div className="c-dialog__actions">
          <button type="button" className="c-button c-button--primary" onClick={retry} disabled={busy}>
            Retry this photo
          </button>
        </div>
      )}
    </Dialog>
  );
}
