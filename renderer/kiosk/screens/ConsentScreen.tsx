// Before any camera use: what the selfie is for, how long it is kept, and a free choice.
import { Icon } from '../../shared/Icon.js';
import { KioskScreen } from '../KioskScreen.js';
import { useKiosk } from '../store.js';

export function ConsentScreen() {
  const identity = useKiosk((s) => s.identity);
  const agree = useKiosk((s) => s.agree);
  const startOver = useKiosk((s) => s.startOver);
  const busy = useKiosk((s) => s.busy);
  const error = useKiosk((s) => s.error);

  return (
    <KioskScreen name="consent">
      <div className="k-card k-consent">
        <h1>Before we start</h1>
        <ul className="k-consent__points">
          <li>
            <Icon name="camera" className="k-consent__icon" />
            <span>
              We take <strong>one selfie</strong> and use it <strong>only to find your photos</strong> from this event.
            </span>
          </li>
          <li>
            <Icon name="trash" className="k-consent__icon" />
            <span>
              Your selfie is <strong>deleted when you finish</strong>.{' '}
              {identity?.retention.selfie && (
                <span className="k-muted" data-testid="retention-selfie">
                  {identity.retention.selfie}
                </span>
              )}
            </span>
          </li>
          <li>
            <Icon name="bell" className="k-consent__icon" />
            <span>
              Only if you ask us to <strong>send you new photos</strong> of you, we keep it a while to find them.{' '}
              {identity?.retention.optIn && (
                <span className="k-muted" data-testid="retention-optin">
                  {identity.retention.optIn}
                </span>
              )}
            </span>
          </li>
          <li>
            <Icon name="deliveries" className="k-consent__icon" />
            <span>
              An email address you leave is used <strong>only to send your photos</strong>, and <strong>deleted once they are sent</strong>.
            </span>
          </li>
          <li>
            <Icon name="lock" className="k-consent__icon" />
            <span>Nobody else at this kiosk can see your photos, and nothing is shared without your say.</span>
          </li>
        </ul>
        {error && (
          <p className="k-error" role="alert">
            {error}
          </p>
        )}
        <div className="k-actions">
          <button type="button" className="k-button k-button--secondary" onClick={startOver} data-testid="consent-decline">
            No thanks
          </button>
          <button
            type="button"
            className="k-button k-button--primary"
            onClick={() => void agree()}
            disabled={busy}
            data-testid="consent-accept"
          >
            {busy ? 'One moment…' : 'I agree'}
          </button>
        </div>
      </div>
    </KioskScreen>
  );
}
