// The selfie: a mirrored live picture with an oval to put the face in. It takes itself once the
// picture has been good for a moment (with a visible countdown); the big button takes it at once.
import { useCallback, useEffect, useRef, useState } from 'react';
import { HOLD_MS } from '../autoCapture.js';
import { KioskScreen } from '../KioskScreen.js';
import { useKiosk } from '../store.js';
import { useAutoCapture } from '../useAutoCapture.js';
import { captureFrame, useCamera } from '../useCamera.js';

/** After a refused selfie the visitor needs a moment to read why and adjust before the next automatic try. */
const COOLDOWN_AFTER_GUIDANCE_MS = 3000;
const COOLDOWN_MS = 1200;

export function CameraScreen() {
  const guidance = useKiosk((s) => s.guidance);
  const searchSelfie = useKiosk((s) => s.searchSelfie);
  const { videoRef, camera } = useCamera();
  const guideRef = useRef<HTMLDivElement>(null);
  const [armed, setArmed] = useState(false);
  const [capturing, setCapturing] = useState(false);
  const [captureError, setCaptureError] = useState<string | null>(null);

  useEffect(() => {
    if (camera.state !== 'live') return;
    const timer = window.setTimeout(() => setArmed(true), guidance ? COOLDOWN_AFTER_GUIDANCE_MS : COOLDOWN_MS);
    return () => window.clearTimeout(timer);
  }, [camera.state, guidance]);

  const take = useCallback(async () => {
    const video = videoRef.current;
    if (!video || capturing) return;
    setCapturing(true);
    try {
      const selfie = await captureFrame(video);
      void searchSelfie(selfie);
    } catch (error) {
      setCapturing(false);
      setCaptureError(error instanceof Error ? error.message : String(error));
    }
  }, [videoRef, capturing, searchSelfie]);

  const auto = useAutoCapture(videoRef, guideRef, armed && !capturing && camera.state === 'live', () => void take());
  const secondsLeft = Math.ceil(((1 - auto.progress) * HOLD_MS) / 500); // 3-2-1 in half-second steps
  const holding = auto.progress > 0 && !capturing;

  return (
    <KioskScreen name="camera" className={capturing ? 'is-capturing' : ''}>
      <div className="k-camera">
        <video ref={videoRef} className="k-camera__video" muted playsInline autoPlay data-testid="camera-video" />
        <div ref={guideRef} className="k-camera__oval" aria-hidden="true">
          {/* The viewBox has the oval's own proportions (44 × 58 vmin in kiosk.css), so strokes scale evenly. */}
          <svg viewBox="0 0 44 58">
            <ellipse cx="22" cy="29" rx="21.6" ry="28.6" className="k-camera__oval-line" />
            {auto.progress > 0 && (
              // The same oval as a path starting at the top, so the ring fills clockwise from 12 o'clock.
              <path
                d="M22 0.4 A21.6 28.6 0 1 1 22 57.6 A21.6 28.6 0 1 1 22 0.4"
                className="k-camera__progress"
                pathLength={100}
                strokeDasharray={`${auto.progress * 100} 100`}
              />
            )}
          </svg>
        </div>
        {holding && (
          <div className="k-camera__countdown" data-testid="capture-countdown" aria-live="assertive">
            {Math.max(1, secondsLeft)}
          </div>
        )}
        <div className="k-camera__top">
          {guidance ? (
            <div className="k-guidance" role="alert" data-testid="capture-guidance">
              <strong>{guidance.title}</strong>
              <span>{guidance.detail}</span>
            </div>
          ) : (
            <div className="k-camera__intro">
              <strong>Put your face in the oval</strong>
              <span>The photo is taken by itself when you hold still.</span>
            </div>
          )}
        </div>
        <div className="k-camera__bottom">
          {camera.state === 'failed' ? (
            <div className="k-guidance k-guidance--error" role="alert" data-testid="camera-error">
              <strong>The camera is not available</strong>
              <span>{camera.message}</span>
            </div>
          ) : (
            <>
              <span className="k-camera__hint" data-testid="capture-hint">
                {camera.state === 'starting'
                  ? 'Starting the camera…'
                  : (captureError ?? (holding ? 'Hold still…' : (auto.hint ?? 'Look at the screen')))}
              </span>
              <button
                type="button"
                className="k-shutter"
                onClick={() => void take()}
                disabled={camera.state !== 'live' || capturing}
                data-testid="capture-button"
                aria-label="Take photo"
              >
                <span className="k-shutter__inner" />
                <span className="k-shutter__label">Take photo</span>
              </button>
            </>
          )}
        </div>
        <div className="k-camera__flash" aria-hidden="true" />
      </div>
    </KioskScreen>
  );
}
