// The front camera as a live <video>; stopped when the camera screen goes away.
import { useEffect, useRef, useState, type RefObject } from 'react';

export type CameraState = { state: 'starting' } | { state: 'live' } | { state: 'failed'; message: string };

function describeCameraError(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'This screen is not allowed to use the camera. Please ask a member of staff.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return 'No camera was found on this screen. Please ask a member of staff.';
  if (name === 'NotReadableError') return 'The camera is busy in another app. Please ask a member of staff.';
  if (!navigator.mediaDevices?.getUserMedia) return 'The camera needs a secure (https or localhost) address. Please ask a member of staff.';
  return 'The camera could not be started. Please ask a member of staff.';
}

export function useCamera(): { videoRef: RefObject<HTMLVideoElement | null>; camera: CameraState } {
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const [camera, setCamera] = useState<CameraState>({ state: 'starting' });

  useEffect(() => {
    let stream: MediaStream | null = null;
    let cancelled = false;
    (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          audio: false,
          video: { facingMode: 'user', width: { ideal: 1280 }, height: { ideal: 960 } },
        });
        if (cancelled) return;
        const video = videoRef.current;
        if (video) {
          video.srcObject = stream;
          await video.play().catch(() => undefined); // autoplay of a muted inline video is allowed; a refusal shows a still frame
        }
        setCamera({ state: 'live' });
      } catch (error) {
        if (!cancelled) setCamera({ state: 'failed', message: describeCameraError(error) });
      }
    })();
    return () => {
      cancelled = true;
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, []);

  return { videoRef, camera };
}

/** The current video frame as a JPEG, at the camera's full resolution and not mirrored. */
export function captureFrame(video: HTMLVideoElement): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const context = canvas.getContext('2d');
  if (!context || !canvas.width) return Promise.reject(new Error('The camera has no picture yet'));
  context.drawImage(video, 0, 0);
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('Could not encode the photo'))), 'image/jpeg', 0.92);
  });
}
