// While the engine matches the selfie against every face of the event (about a second).
import { KioskScreen } from '../KioskScreen.js';

export function SearchingScreen() {
  return (
    <KioskScreen name="searching">
      <div className="k-center">
        <div className="k-searching" aria-hidden="true">
          <span className="k-searching__ring" />
          <span className="k-searching__ring k-searching__ring--2" />
          <span className="k-searching__dot" />
        </div>
        <h1 className="k-title" role="status">
          Finding your photos…
        </h1>
        <p className="k-lead">This only takes a moment.</p>
      </div>
    </KioskScreen>
  );
}
