// Face rectangles over a photo shown with object-fit: contain inside a frame of any shape.
import type { RelativeBox } from '@api';
import { boxInContainFrame, boxStyle } from './faceBoxes.js';

interface FaceBoxesProps {
  boxes: readonly { key: string | number; box: RelativeBox; label?: string | undefined }[];
  /** Width / height of the photo as decoded (known once the image has loaded). */
  imageAspect: number;
  /** Width / height of the frame the photo is letterboxed into. */
  frameAspect: number;
  className?: string;
}

export function FaceBoxes({ boxes, imageAspect, frameAspect, className = 'sf-face-box' }: FaceBoxesProps) {
  return (
    <>
      {boxes.map(({ key, box, label }) => (
        <span
          key={key}
          className={className}
          data-testid="face-box"
          title={label}
          style={boxStyle(boxInContainFrame(box, imageAspect, frameAspect))}
        />
      ))}
    </>
  );
}
