// A photo letterboxed in a fixed-shape frame, with its face boxes once the image has loaded.
import { useState } from 'react';
import type { PhotoFace } from '@api';
import { FaceBoxes } from '../shared/FaceBoxes.js';
import { Icon } from '../shared/Icon.js';

interface PhotoFrameProps {
  src: string | null;
  alt: string;
  faces: readonly PhotoFace[];
  /** Width / height of the frame. */
  frameAspect: number;
  className?: string;
  /** What stands in for a missing image: a shimmer while it is being made, or "no preview" for good. */
  missing?: 'loading' | 'none';
}

export function PhotoFrame({ src, alt, faces, frameAspect, className = '', missing = 'loading' }: PhotoFrameProps) {
  const [imageAspect, setImageAspect] = useState<number | null>(null);
  const [failed, setFailed] = useState(false);
  return (
    <div className={`c-frame ${className}`} style={{ aspectRatio: String(frameAspect) }}>
      {src && !failed ? (
        <img
          src={src}
          alt={alt}
          loading="lazy"
          decoding="async"
          onLoad={(e) => setImageAspect(e.currentTarget.naturalWidth / e.currentTarget.naturalHeight)}
          onError={() => setFailed(true)}
        />
      ) : missing === 'loading' && !failed ? (
        <div className="c-frame__placeholder" aria-hidden="true" />
      ) : (
        <div className="c-frame__none">
          <Icon name="camera" size={28} />
          <span>No preview</span>
        </div>
      )}
      {imageAspect !== null && (
        <FaceBoxes
          className="c-face-box"
          boxes={faces.map((f) => ({ key: f.id, box: f.box, label: f.personId !== null ? `Person ${f.personId}` : undefined }))}
          imageAspect={imageAspect}
          frameAspect={frameAspect}
        />
      )}
    </div>
  );
}
