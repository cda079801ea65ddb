// The visitor's photos: all selected to begin with; a tap takes one out or puts it back.
import type { FormEvent } from 'react';
import type { KioskMatch } from '@api';
import { ContactFields, useContactEntry } from '../ContactField.js';
import { DoNotPublishChoice } from '../DoNotPublishChoice.js';
import { Icon } from '../../shared/Icon.js';
import { KioskScreen } from '../KioskScreen.js';
import { useKiosk } from '../store.js';

/** Thumbnails fetched at once; the rest load as the visitor scrolls, so the first screenful is not queued behind 200 others. */
const EAGER_THUMBNAILS = 24;

function ResultPhoto({
  match,
  selected,
  onToggle,
  eager,
  testId = 'result-photo',
}: {
  match: KioskMatch;
  selected: boolean;
  onToggle: () => void;
  eager: boolean;
  testId?: string;
}) {
  // A "Maybe you?" photo brings the face it matched, close up: in a group photo's thumbnail a face
  // is a few pixels, and she cannot tell whether it is hers.
  const face = match.faceUrl;
  const aspect = match.width && match.height ? match.width / match.height : 1;
  return (
    <button
      type="button"
      className={`k-result${selected ? ' is-selected' : ''}`}
      onClick={onToggle}
      aria-pressed={selected}
      data-testid={testId}
      data-photo-id={match.photoId}
      data-selected={selected}
      style={{ aspectRatio: String(Math.min(Math.max(aspect, 0.66), 1.5)) }}
    >
      <img src={match.thumbUrl} alt="" draggable={false} loading={eager ? 'eager' : 'lazy'} decoding="async" />
      {face && (
        <img
          className="k-result__face"
          src={face}
          alt="The face we matched in this photo"
          draggable={false}
          loading="lazy"
          decoding="async"
          // Refused since (an opt-out made meanwhile): the photo alone, not a broken image.
          onError={(e) => (e.currentTarget.hidden = true)}
          data-testid="maybe-face"
        />
      )}
      <span className="k-result__check" aria-hidden="true">
        <Icon name="check" size="70%" className="k-check-icon" />
      </span>
    </button>
  );
}

/** Nobody photographed this visitor yet: their contact, to get photos of them as they are taken. */
function NotifyMeForm() {
  const identity = useKiosk((s) => s.identity);
  const requestTakeHome = useKiosk((s) => s.requestTakeHome);
  const finish = useKiosk((s) => s.finish);
  const busy = useKiosk((s) => s.busy);
  const error = useKiosk((s) => s.error);
  const entry = useContactEntry();
  const { contact } = entry;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!contact) return;
    // No photos yet: the server keeps the selfie's description and sends new photos as they arrive.
    if (await requestTakeHome({ contact, notifyOptIn: true, photoIds: [] })) finish();
  };

  return (
    <form className="k-notify" onSubmit={submit} data-testid="notify-form">
      <h2>Send me photos of me as they are taken</h2>
      {identity?.retention.optIn && <p className="k-muted k-notify__note">{identity.retention.optIn}</p>}
      <ContactFields entry={entry} />
      {error && (
        <p className="k-error" role="alert" data-testid="notify-error">
          {error}
        </p>
      )}
      <button type="submit" className="k-button k-button--primary k-button--wide" disabled={!contact || busy} data-testid="notify-send">
        {busy ? 'Saving…' : 'Send me new photos'}
      </button>
    </form>
  );
}

function NoResults() {
  const retake = useKiosk((s) => s.retake);
  return (
    <div className="k-card k-empty k-empty--notify" data-testid="no-results">
      <div className="k-empty__intro">
        <Icon name="search" className="k-empty__art" />
        <h1>We couldn't find you yet</h1>
        <p className="k-lead">Maybe the photographers haven't taken your picture yet, or the newest photos are still on their way.</p>
        <div className="k-actions">
          <button type="button" className="k-button k-button--secondary" onClick={retake} data-testid="try-again">
            Try again
          </button>
        </div>
        <DoNotPublishChoice />
      </div>
      <NotifyMeForm />
    </div>
  );
}

/**
 * Photos just beyond the sure match: the attendee decides. Kept apart from the sure ones and
 * unselected, so nobody takes home a stranger's photo without choosing it.
 */
function MaybeSection({
  maybe,
  selected,
  onToggle,
  alone,
}: {
  maybe: KioskMatch[];
  selected: ReadonlySet<number>;
  onToggle: (id: number) => void;
  alone: boolean;
}) {
  const chosen = maybe.filter((m) => selected.has(m.photoId)).length;
  return (
    <section className={`k-maybe${alone ? ' k-maybe--alone' : ''}`} data-testid="maybe-section" aria-label="Maybe you?">
      {!alone && (
        <>
          <h2 className="k-maybe__title">Maybe you?</h2>
          <p className="k-muted k-maybe__lead">
            {chosen ? `${chosen} added. ` : ''}We're not sure these are you: tap the ones that are to add them.
          </p>
        </>
      )}
      <div className="k-results__grid k-results__grid--many" data-testid="maybe-grid">
        {maybe.map((m) => (
          <ResultPhoto
            key={m.photoId}
            match={m}
            selected={selected.has(m.photoId)}
            onToggle={() => onToggle(m.photoId)}
            eager={false}
            testId="maybe-photo"
          />
        ))}
      </div>
    </section>
  );
}

export function ResultsScreen() {
  const matches = useKiosk((s) => s.matches);
  const maybe = useKiosk((s) => s.maybe);
  const foundByTaps = useKiosk((s) => s.foundByTaps);
  const selected = useKiosk((s) => s.selected);
  const toggle = useKiosk((s) => s.toggle);
  const selectAll = useKiosk((s) => s.selectAll);
  const toTakeHome = useKiosk((s) => s.toTakeHome);
  const retake = useKiosk((s) => s.retake);

  if (matches.length === 0 && maybe.length === 0) {
    return (
      <KioskScreen name="results">
        <div className="k-center">
          <NoResults />
        </div>
      </KioskScreen>
    );
  }

  const allSelected = matches.every((m) => selected.has(m.photoId));
  // A handful of photos are shown big; a long list gets smaller tiles so more fit without scrolling.
  const size = matches.length <= 2 ? 'few' : matches.length <= 6 ? 'some' : 'many';
  return (
    <KioskScreen name="results">
      <div className="k-results">
        <div className="k-results__header">
          <div>
            <h1 className="k-title" data-testid="results-title">
              {matches.length === 0
                ? 'Are these you?'
                : matches.length === 1
                  ? 'We found a photo of you!'
                  : `We found ${matches.length} photos of you!`}
            </h1>
            {foundByTaps > 0 && (
              <p className="k-found-by-taps" role="status" data-testid="found-by-taps">
                {foundByTaps === 1 ? '1 more photo' : `${foundByTaps} more photos`} found from the ones you tapped.
              </p>
            )}
            <p className="k-lead">
              {matches.length
                ? 'Tap a photo to leave it out.'
                : "We're not sure these are you: tap the photos you are in to take them home."}
            </p>
            <DoNotPublishChoice />
          </div>
          {matches.length > 0 && (
            <button type="button" className="k-button k-button--secondary" onClick={() => selectAll(!allSelected)} data-testid="select-all">
              {allSelected ? 'Select none' : 'Select all'}
            </button>
          )}
        </div>
        <div className={`k-results__grid k-results__grid--${size}`} data-testid="results-grid">
          {matches.map((m, i) => (
            <ResultPhoto
              key={m.photoId}
              match={m}
              selected={selected.has(m.photoId)}
              onToggle={() => toggle(m.photoId)}
              eager={i < EAGER_THUMBNAILS}
            />
          ))}
        </div>
        {maybe.length > 0 && <MaybeSection maybe={maybe} selected={selected} onToggle={toggle} alone={matches.length === 0} />}
        <footer className="k-results__bar">
          <button type="button" className="k-button k-button--quiet" onClick={retake} data-testid="retake">
            Not me? Retake selfie
          </button>
          <button
            type="button"
            className="k-button k-button--primary"
            onClick={toTakeHome}
            disabled={selected.size === 0}
            data-testid="take-home-button"
          >
            {selected.size === 0 ? 'Tap the photos you want' : `Take ${selected.size === 1 ? 'it' : `these ${selected.size}`} home →`}
          </button>
        </footer>
      </div>
    </KioskScreen>
  );
}
