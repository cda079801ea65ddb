// An attendee's photos (/g/<token>): the link from the kiosk's QR code, an email or a text message.
import { useEffect, type ReactNode } from 'react';
import type { GalleryPhoto, GalleryView } from '@api';
import { Icon, type IconName } from '../shared/Icon.js';
import { LoadingState } from '../shared/StateViews.js';
import { Lightbox } from './Lightbox.js';
import { useGallery } from './store.js';
import './gallery.css';

function DownloadIcon() {
  return <Icon name="download" size={20} />;
}

function Notice({ icon, title, children, testId }: { icon: IconName; title: string; children: ReactNode; testId: string }) {
  return (
    <main className="g-notice" data-testid={testId}>
      <div className="g-notice__icon">
        <Icon name={icon} size={38} />
      </div>
      <h1>{title}</h1>
      <p>{children}</p>
    </main>
  );
}

function PhotoTile({ photo, index, onOpen }: { photo: GalleryPhoto; index: number; onOpen: (i: number) => void }) {
  return (
    <figure className="g-tile" data-testid="gallery-photo" data-photo-id={photo.photoId}>
      <button type="button" className="g-tile__open" onClick={() => onOpen(index)} aria-label={`View photo ${index + 1}`}>
        <img src={photo.thumbUrl} alt={`Photo ${index + 1}`} decoding="async" />
      </button>
      <a
        className="g-tile__download"
        href={photo.downloadUrl}
        download
        aria-label={`Download photo ${index + 1}`}
        data-testid="photo-download"
      >
        <DownloadIcon />
      </a>
    </figure>
  );
}

function Gallery({ gallery }: { gallery: GalleryView }) {
  const open = useGallery((s) => s.open);
  const show = useGallery((s) => s.show);
  const count = gallery.photos.length;
  const expires = new Date(gallery.expiresAt).toLocaleDateString(undefined, { day: 'numeric', month: 'long', year: 'numeric' });

  return (
    <div className="g-page" data-testid="gallery">
      <header className="g-header">
        <p className="g-eyebrow">{gallery.event}</p>
        <h1>Your photos</h1>
        <p className="g-muted">
          {count === 1 ? '1 photo' : `${count} photos`} · available until {expires}
        </p>
        {count > 0 && (
          <a className="g-button g-button--primary" href={gallery.zipUrl} download data-testid="download-zip">
            <DownloadIcon /> Download all (ZIP)
          </a>
        )}
      </header>
      {count === 0 ? (
        <div className="g-notice g-notice--inline" data-testid="gallery-empty">
          <div className="g-notice__icon">
            <Icon name="hourglass" size={38} />
          </div>
          <h2>No photos here yet</h2>
          <p>New photos of you appear on this page as the photographers take them. Check back later.</p>
        </div>
      ) : (
        <div className="g-grid">
          {gallery.photos.map((p, i) => (
            <PhotoTile key={p.photoId} photo={p} index={i} onOpen={show} />
          ))}
        </div>
      )}
      <footer className="g-footer">Tap a photo to see it large. Saved photos are yours to keep.</footer>
      {open !== null && <Lightbox photos={gallery.photos} index={open} onShow={show} />}
    </div>
  );
}

export default function GalleryApp({ token }: { token: string }) {
  const gallery = useGallery((s) => s.gallery);
  const load = useGallery((s) => s.load);

  useEffect(() => {
    document.body.className = 'g-body';
    document.title = 'Your photos';
    void load(token);
  }, [load, token]);

  switch (gallery.state) {
    case 'loading':
      return <LoadingState label="Loading your photos…" />;
    case 'ready':
      return <Gallery gallery={gallery.gallery} />;
    case 'expired':
      return (
        <Notice icon="hourglass" title="This link has expired" testId="gallery-expired">
          Links to event photos only work for a limited time. If you still need your photos, ask the photographer for a new link.
        </Notice>
      );
    case 'not-found':
      return (
        <Notice icon="link" title="Link not found" testId="gallery-not-found">
          This link does not lead to any photos. Check that it was copied in full, or scan the QR code again.
        </Notice>
      );
    case 'failed':
      return (
        <Notice icon="errors" title="Your photos could not be loaded" testId="gallery-error">
          {gallery.message}{' '}
          <button type="button" className="g-link" onClick={() => void load(token)}>
            Try again
          </button>
        </Notice>
      );
  }
}
