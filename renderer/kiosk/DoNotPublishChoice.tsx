// "Don't publish photos of me" on the results screen: one quiet button, then a plain-language
// confirmation that says what happens (faces blurred wherever photos are shared, later photos
// too) and what is kept for it (a description of the face, for this purpose only).
import { useState } from 'react';
import { useKiosk } from './store.js';

export function DoNotPublishChoice() {
  const optedOut = useKiosk((s) => s.optedOut);
  const optOut = useKiosk((s) => s.optOut);
  const busy = useKiosk((s) => s.busy);
  const error = useKiosk((s) => s.error);
  const [asking, setAsking] = useState(false);

  if (optedOut) {
    return (
      <p className="k-optout__done" role="status" data-testid="opt-out-done">
        Done: your face will be blurred in the photos the organisers share, and in photos taken later today.
      </p>
    );
  }
  if (!asking) {
    return (
      <button type="button" className="k-button k-button--quiet k-optout__open" onClick={() => setAsking(true)} data-testid="opt-out">
        Don't publish photos of me
      </button>
    );
  }
  return (
    <div className="k-optout" role="dialog" aria-modal="true" aria-labelledby="k-optout-title" data-testid="opt-out-confirm">
      <div className="k-card k-optout__card">
        <h2 id="k-optout-title">Don't publish photos of you?</h2>
        <ul className="k-optout__facts">
          <li>Your face will be blurred in every photo the organisers share: galleries, downloads and other visitors' screens.</li>
          <li>
            Photos taken later at this event are covered too. To find you in them we keep a description of your face (not your selfie), for
            this purpose only.
          </li>
          <li>Photos you take home from here will show your face blurred as well.</li>
        </ul>
        {error && (
          <p className="k-error" role="alert" data-testid="opt-out-error">
            {error}
          </p>
        )}
        <div className="k-actions">
          <button
            type="button"
            className="k-button k-button--secondary"
            onClick={() => setAsking(false)}
            disabled={busy}
            data-testid="opt-out-cancel"
          >
            Cancel
          </button>
          <button
            type="button"
            className="k-button k-button--primary"
            onClick={() => void optOut().then((done) => done && setAsking(false))}
            disabled={busy}
            data-testid="opt-out-yes"
          >
            {busy ? 'Saving…' : "Yes, don't publish me"}
          </button>
        </div>
      </div>
    </div>
  );
}
