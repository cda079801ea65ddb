// The attendee kiosk (/kiosk): one full-screen state machine, locked against leaving or zooming.
import { useEffect, type ReactNode } from 'react';
import { Icon } from '../shared/Icon.js';
import { KioskScreen } from './KioskScreen.js';
import { lockDownKiosk } from './kioskLockdown.js';
import { AttractScreen } from './screens/AttractScreen.js';
import { CameraScreen } from './screens/CameraScreen.js';
import { ConsentScreen } from './screens/ConsentScreen.js';
import { PairingScreen } from './screens/PairingScreen.js';
import { ResultsScreen } from './screens/ResultsScreen.js';
import { SearchingScreen } from './screens/SearchingScreen.js';
import { TakeHomeScreen } from './screens/TakeHomeScreen.js';
import { ThanksScreen } from './screens/ThanksScreen.js';
import { useKiosk, VISITOR_SCREENS, type KioskScreen as ScreenName } from './store.js';
import { useIdleReset } from './useIdleReset.js';
import './kiosk.css';

const DEFAULT_IDLE_SECONDS = 60;
/** While the engine is unreachable the kiosk asks again on its own: nobody is there to press a button. */
const OFFLINE_RETRY_MS = 5000;

function LoadingScreen() {
  return (
    <KioskScreen name="loading">
      <div className="k-center">
        <span className="sf-spinner sf-spinner--large">
          <span className="sf-spinner__ring" />
        </span>
      </div>
    </KioskScreen>
  );
}

function OfflineScreen() {
  const boot = useKiosk((s) => s.boot);
  useEffect(() => {
    const timer = window.setInterval(() => void boot(), OFFLINE_RETRY_MS);
    return () => window.clearInterval(timer);
  }, [boot]);
  return (
    <KioskScreen name="offline">
      <div className="k-center">
        <div className="k-card k-empty">
          <Icon name="signal" className="k-empty__art" />
          <h1>Back in a moment</h1>
          <p className="k-lead">This kiosk cannot reach the photographer's laptop. It reconnects by itself.</p>
        </div>
      </div>
    </KioskScreen>
  );
}

const SCREENS: Record<ScreenName, () => ReactNode> = {
  loading: () => <LoadingScreen />,
  offline: () => <OfflineScreen />,
  pairing: () => <PairingScreen />,
  attract: () => <AttractScreen />,
  consent: () => <ConsentScreen />,
  camera: () => <CameraScreen />,
  searching: () => <SearchingScreen />,
  results: () => <ResultsScreen />,
  'take-home': () => <TakeHomeScreen />,
  thanks: () => <ThanksScreen />,
};

export default function KioskApp() {
  const screen = useKiosk((s) => s.screen);
  const boot = useKiosk((s) => s.boot);
  const startOver = useKiosk((s) => s.startOver);
  const idleSeconds = useKiosk((s) => s.identity?.settings.kioskIdleSeconds ?? DEFAULT_IDLE_SECONDS);

  useEffect(() => {
    document.body.className = 'k-body';
    document.title = 'Find your photos';
    void boot();
    return lockDownKiosk();
  }, [boot]);

  // Searching is the engine's time, not the visitor's: it never counts as idle.
  const warning = useIdleReset(VISITOR_SCREENS.has(screen) && screen !== 'searching' && screen !== 'thanks', idleSeconds, startOver);

  return (
    <>
      {SCREENS[screen]()}
      {warning !== null && (
        <div className="k-idle" role="alertdialog" aria-live="assertive" data-testid="idle-warning">
          <div className="k-card k-idle__card">
            <h2>Are you still there?</h2>
            <p className="k-lead">Starting over in {warning} s. Tap anywhere to continue.</p>
          </div>
        </div>
      )}
    </>
  );
}
