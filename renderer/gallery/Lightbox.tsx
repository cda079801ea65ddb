// One photo large, with its download; swipe or arrows for the next and previous.
import { useEffect, useRef } from 'react';
import type { GalleryPhoto } from '@api';

interface LightboxProps {
  photos: readonly GalleryPhoto[];
  index: number;
  onShow: (index: number | null) => void;
}

/** Horizontal travel that counts as a swipe rather than a shaky tap. */
const SWIPE_PX = 50;

export function Lightbox({ photos, index, onShow }: LightboxProps) {
  const photo = photos[index];
  const touchX = useRef<number | null>(null);
  const go = (delta: number) => onShow((index + delta + photos.length) % photos.length);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onShow(null);
      if (e.key === 'ArrowRight') onShow((index + 1) % photos.length);
      if (e.key === 'ArrowLeft') onShow((index - 1 + photos.length) % photos.length);
    };
    window.addEventListener('keydown', onKey);
    document.body.style.overflow = 'hidden';
    return () => {
      window.removeEventListener('keydown', onKey);
      document.body.style.overflow = '';
    };
  }, [index, photos.length, onShow]);

  if (!photo) return null;
  return (
    <div
      className="g-lightbox"
      role="dialog"
      aria-modal="true"
      aria-label={`Photo ${index + 1} of ${photos.length}`}
      data-testid="gallery-lightbox"
      onTouchStart={(e) => (touchX.current = e.touches[0]?.clientX ?? null)}
      onTouchEnd={(e) => {
        const start = touchX.current;
        const end = e.changedTouches[0]?.clientX;
        if (start !== null && end !== undefined && Math.abs(end - start) > SWIPE_PX) go(end < start ? 1 : -1);
        touchX.current = null;
      }}
    >
      <header className="g-lightbox__bar">
        <button type="button" className="g-icon-button" onClick={() => onShow(null)} aria-label="Close">
          ✕
        </button>
        <span>
          {index + 1} / {photos.length}
        </span>
        <a className="g-button g-button--light" href={photo.downloadUrl} download data-testid="lightbox-download">
          Download
        </a>
      </header>
      <div className="g-lightbox__stage" onClick={() => onShow(null)}>
        <img src={photo.previewUrl} alt={`Photo ${index + 1}`} onClick={(e) => e.stopPropagation()} />
      </div>
      {photos.length > 1 && (
        <>
          <button type="button" className="g-lightbox__nav g-lightbox__nav--prev" onClick={() => go(-1)} aria-label="Previous photo">
            ‹
          </button>
          <button type="button" className="g-lightbox__nav g-lightbox__nav--next" onClick={() => go(1)} aria-label="Next photo">
            ›
          </button>
        </>
      )}
    </div>
  );
}
