// The frame of every kiosk screen: its name for tests, the "Start over" button while a visitor is in it.
import type { ReactNode } from 'react';
import type { KioskScreen as ScreenName } from './store.js';
import { useKiosk, VISITOR_SCREENS } from './store.js';

interface KioskScreenProps {
  name: ScreenName;
  children: ReactNode;
  className?: string;
  /** Tapping anywhere on the screen (attract, thanks). */
  onTap?: () => void;
}

export function KioskScreen({ name, children, className = '', onTap }: KioskScreenProps) {
  const startOver = useKiosk((s) => s.startOver);
  const eventName = useKiosk((s) => s.identity?.event);
  return (
    <main className={`k-screen k-screen--${name} ${className}`} data-testid="kiosk-screen" data-screen={name} onClick={onTap}>
      {VISITOR_SCREENS.has(name) && (
        <header className="k-topbar">
          <span className="k-topbar__event">{eventName}</span>
          <button
            type="button"
            className="k-button k-button--quiet"
            onClick={(e) => {
              e.stopPropagation();
              startOver();
            }}
            data-testid="start-over"
          >
            ↺ Start over
          </button>
        </header>
      )}
      {children}
    </main>
  );
}
