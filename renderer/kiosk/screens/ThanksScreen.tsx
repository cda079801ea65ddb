// Goodbye: a few seconds (or a tap), then the session ends and the selfie is deleted.
import { useEffect, useState } from 'react';
import { Icon } from '../../shared/Icon.js';
import { KioskScreen } from '../KioskScreen.js';
import { useKiosk } from '../store.js';

/** Long enough to read the goodbye, short enough that the next visitor is not kept waiting. */
const THANKS_MS = 8000;

export function ThanksScreen() {
  const startOver = useKiosk((s) => s.startOver);
  const sentTo = useKiosk((s) => s.sentTo);
  const hadQr = useKiosk((s) => s.takeHome !== null);
  const optedIn = useKiosk((s) => s.optedIn);
  // Asked from the no-results screen: nothing to enjoy yet, only new photos to come.
  const waitingForPhotos = useKiosk((s) => s.matches.length === 0 && s.optedIn);
  const [left, setLeft] = useState(Math.round(THANKS_MS / 1000));

  useEffect(() => {
    const ends = Date.now() + THANKS_MS;
    const timer = window.setInterval(() => {
      const remaining = Math.ceil((ends - Date.now()) / 1000);
      setLeft(Math.max(0, remaining));
      if (remaining <= 0) startOver();
    }, 250);
    return () => window.clearInterval(timer);
  }, [startOver]);

  return (
    <KioskScreen name="thanks" onTap={startOver}>
      <div className="k-center">
        <div className="k-done-mark k-done-mark--big" aria-hidden="true">
          <Icon name="check" size="60%" className="k-check-icon" />
        </div>
        <h1 className="k-title k-title--big">{waitingForPhotos ? "You're on the list!" : 'Enjoy your photos!'}</h1>
        <p className="k-lead">
          {waitingForPhotos
            ? `We'll send new photos of you to ${sentTo ?? 'you'} as they are taken.`
            : sentTo
              ? `We'll send them to ${sentTo}.`
              : hadQr
                ? 'Your download link is on your phone.'
                : 'Thanks for stopping by.'}{' '}
          {optedIn ? 'Your selfie is kept only to find new photos of you.' : 'Your selfie is being deleted now.'}
        </p>
        <p className="k-muted" data-testid="thanks-countdown">
          Starting over in {left} s · tap anywhere
        </p>
      </div>
    </KioskScreen>
  );
}
