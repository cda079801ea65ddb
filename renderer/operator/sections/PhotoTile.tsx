// One photo in the live feed: thumbnail with face boxes, its processing state, name and time.
import type { PhotoCard } from '@api';
import { plural, timeAgo } from '../../shared/format.js';
import { PhotoFrame } from '../PhotoFrame.js';

const STATUS_LABEL: Record<PhotoCard['status'], string> = {
  pending: 'Waiting',
  processing: 'Processing',
  ready: 'Ready',
  failed: 'Failed',
};

interface PhotoTileProps {
  photo: PhotoCard;
  onOpen: (photo: PhotoCard) => void;
}

export function PhotoTile({ photo, onOpen }: PhotoTileProps) {
  return (
    <article className={`c-photo c-photo--${photo.status}`} data-testid="photo-card" data-photo-id={photo.id} data-status={photo.status}>
      <button type="button" className="c-photo__open" onClick={() => onOpen(photo)} aria-label={`Open ${photo.fileName}`}>
        <PhotoFrame
          src={photo.thumbUrl}
          alt={photo.fileName}
          faces={photo.faces}
          frameAspect={4 / 3}
          missing={photo.status === 'failed' ? 'none' : 'loading'}
        />
        {photo.status !== 'ready' && (
          <span className={`c-status c-status--${photo.status}`} data-testid="photo-status">
            {photo.status === 'processing' && <span className="c-status__pulse" />}
            {STATUS_LABEL[photo.status]}
          </span>
        )}
        {photo.status === 'ready' && photo.faces.length > 0 && (
          <span className="c-status c-status--faces">{plural(photo.faces.length, 'face')}</span>
        )}
      </button>
      <div className="c-photo__meta">
        <span className="c-photo__name" title={[photo.path, ...photo.otherFiles.map((f) => f.path)].join('\n')}>
          {photo.fileName}
        </span>
        {photo.otherFiles.some((f) => f.kind === 'raw') && (
          <span className="c-photo__pair" data-testid="photo-pair" title="Shot RAW+JPEG: one photo, the RAW kept beside it">
            +RAW
          </span>
        )}
        <span className="c-photo__time">{timeAgo(photo.readyAt ?? photo.landedAt)}</span>
      </div>
      {photo.status === 'failed' && photo.error && (
        <p className="c-photo__error" title={photo.error}>
          {photo.error}
        </p>
      )}
    </article>
  );
}
