// A visitor who walks away: after kioskIdleSeconds without a touch the session ends and the kiosk
// goes back to its welcome. The last seconds show a warning, so someone reading is not cut off.
import { useEffect, useState } from 'react';

/** Seconds of warning before the reset. */
export const IDLE_WARNING_S = 10;

/** Returns the seconds left while the warning shows, else null. */
export function useIdleReset(active: boolean, idleSeconds: number, onIdle: () => void): number | null {
  const [warning, setWarning] = useState<number | null>(null);

  useEffect(() => {
    if (!active) {
      setWarning(null);
      return;
    }
    let lastTouch = Date.now();
    const touched = () => {
      lastTouch = Date.now();
      setWarning(null);
    };
    const events = ['pointerdown', 'keydown', 'touchstart'] as const;
    events.forEach((e) => window.addEventListener(e, touched, { passive: true }));
    const timer = window.setInterval(() => {
      const left = Math.ceil(idleSeconds - (Date.now() - lastTouch) / 1000);
      if (left <= 0) {
        setWarning(null);
        onIdle();
      } else if (left <= IDLE_WARNING_S) {
        setWarning(left);
      }
    }, 500);
    return () => {
      events.forEach((e) => window.removeEventListener(e, touched));
      window.clearInterval(timer);
    };
  }, [active, idleSeconds, onIdle]);

  return warning;
}
