// Between visitors: the event's welcome and one big invitation. A tap anywhere starts.
import { KioskScreen } from '../KioskScreen.js';
import { useKiosk } from '../store.js';

export function AttractScreen() {
  const identity = useKiosk((s) => s.identity);
  const begin = useKiosk((s) => s.begin);
  return (
    <KioskScreen name="attract" onTap={begin}>
      <div className="k-attract">
        <div className="k-attract__art" aria-hidden="true">
          <span className="k-attract__photo k-attract__photo--1" />
          <span className="k-attract__photo k-attract__photo--2" />
          <span className="k-attract__photo k-attract__photo--3" />
          <span className="k-attract__lens">
            <svg viewBox="0 0 64 64" width="64" height="64">
              <path
                d="M12 22a4 4 0 0 1 4-4h6l4-6h12l4 6h6a4 4 0 0 1 4 4v24a4 4 0 0 1-4 4H16a4 4 0 0 1-4-4V22z"
                fill="none"
                stroke="currentColor"
                strokeWidth="3.5"
                strokeLinejoin="round"
              />
              <circle cx="32" cy="34" r="9" fill="none" stroke="currentColor" strokeWidth="3.5" />
            </svg>
          </span>
        </div>
        <h1 className="k-attract__title" data-testid="welcome-title">
          {identity?.settings.welcomeTitle || 'Find your photos'}
        </h1>
        <p className="k-attract__lead">Take a quick selfie and we'll show you every photo you're in.</p>
        <button
          type="button"
          className="k-button k-button--primary k-button--hero"
          onClick={(e) => {
            e.stopPropagation();
            begin();
          }}
          data-testid="start-button"
        >
          Find my photos
        </button>
        <p className="k-attract__hint">Tap anywhere to start</p>
      </div>
    </KioskScreen>
  );
}
