// Taking the photos home: a QR code to download them on the phone now, and/or an email address
// to get them later (and, if asked, new photos of the visitor as they are taken).
import { useEffect, useState, type FormEvent } from 'react';
import { SvgMarkup } from '../../shared/SvgMarkup.js';
import { ContactFields, useContactEntry } from '../ContactField.js';
import { Icon } from '../../shared/Icon.js';
import { KioskScreen } from '../KioskScreen.js';
import { useKiosk } from '../store.js';

const SHOWN_THUMBS = 6;

function SelectedStrip() {
  const matches = useKiosk((s) => s.matches);
  const selected = useKiosk((s) => s.selected);
  const chosen = matches.filter((m) => selected.has(m.photoId));
  if (chosen.length === 0) return null;
  return (
    <div className="k-strip" aria-label={`${chosen.length} photos chosen`}>
      {chosen.slice(0, SHOWN_THUMBS).map((m) => (
        <img key={m.photoId} src={m.thumbUrl} alt="" draggable={false} />
      ))}
      {chosen.length > SHOWN_THUMBS && <span className="k-strip__more">+{chosen.length - SHOWN_THUMBS}</span>}
    </div>
  );
}

function QrCard() {
  const takeHome = useKiosk((s) => s.takeHome);
  const ensureQr = useKiosk((s) => s.ensureQr);
  const busy = useKiosk((s) => s.busy);
  const error = useKiosk((s) => s.error);
  // The QR is what nearly everyone wants, so it is made at once rather than behind another tap.
  useEffect(ensureQr, [ensureQr]);

  return (
    <section className="k-card k-option" data-testid="take-home-qr">
      <h2>On your phone, now</h2>
      {takeHome ? (
        <div className="k-qr-block">
          {/* The QR takes whatever room the screen has left (a size container), so the page never scrolls. */}
          <div className="k-qr-fit">
            <SvgMarkup className="k-qr" svg={takeHome.qrSvg} label="QR code linking to your photos" testId="gallery-qr" />
          </div>
          <p className="k-qr-block__text">Scan with your phone to download now</p>
          <p className="k-muted">
            The link works until {new Date(takeHome.expiresAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}.
          </p>
        </div>
      ) : error ? (
        <div className="k-qr-block">
          <p className="k-error">{error}</p>
          <button
            type="button"
            className="k-button k-button--secondary k-button--wide"
            onClick={ensureQr}
            disabled={busy}
            data-testid="take-home-qr-retry"
          >
            Show QR code
          </button>
        </div>
      ) : (
        <div className="k-qr-block k-qr-block--loading">
          <span className="sf-spinner sf-spinner--large" role="status" aria-label="Making your QR code">
            <span className="sf-spinner__ring" />
          </span>
          <p className="k-muted">Making your QR code…</p>
        </div>
      )}
    </section>
  );
}

function LaterCard() {
  const identity = useKiosk((s) => s.identity);
  const requestTakeHome = useKiosk((s) => s.requestTakeHome);
  const busy = useKiosk((s) => s.busy);
  // The QR card shows its own failure until it has a code; after that a failure is this form's.
  const error = useKiosk((s) => (s.takeHome ? s.error : null));
  const entry = useContactEntry();
  const { contact } = entry;
  const [notifyOptIn, setNotifyOptIn] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!contact) return;
    if (await requestTakeHome({ contact, notifyOptIn })) setSentTo(contact.address);
  };

  if (sentTo) {
    return (
      <section className="k-card k-option k-option--done" data-testid="delivery-saved">
        <div className="k-done-mark" aria-hidden="true">
          <Icon name="check" size="60%" className="k-check-icon" />
        </div>
        <h2>We'll send them to {sentTo}</h2>
        <p className="k-muted">They go out as soon as the photographer's laptop is online.</p>
      </section>
    );
  }

  return (
    <form className="k-card k-option k-option--later" onSubmit={submit}>
      <h2>Or send them to me</h2>
      <ContactFields entry={entry} />
      <label className="k-check">
        <input type="checkbox" checked={notifyOptIn} onChange={(e) => setNotifyOptIn(e.target.checked)} data-testid="notify-opt-in" />
        <span>
          Send me new photos of me as they are taken
          {identity?.retention.optIn && <small className="k-muted">{identity.retention.optIn}</small>}
        </span>
      </label>
      {error && (
        <p className="k-error" role="alert" data-testid="take-home-error">
          {error}
        </p>
      )}
      <button type="submit" className="k-button k-button--primary k-button--wide" disabled={!contact || busy} data-testid="take-home-send">
        {busy ? 'Saving…' : 'Send to me'}
      </button>
    </form>
  );
}

export function TakeHomeScreen() {
  const selected = useKiosk((s) => s.selected);
  const finish = useKiosk((s) => s.finish);

  return (
    <KioskScreen name="take-home">
      <div className="k-take-home">
        <div className="k-take-home__header">
          <h1 className="k-title">Take your {selected.size === 1 ? 'photo' : `${selected.size} photos`} home</h1>
          <SelectedStrip />
        </div>
        <div className="k-options">
          <QrCard />
          <LaterCard />
        </div>
        <div className="k-actions k-actions--end">
          <button type="button" className="k-button k-button--primary" onClick={finish} data-testid="take-home-done">
            I'm done
          </button>
        </div>
      </div>
    </KioskScreen>
  );
}
