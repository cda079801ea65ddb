// One person (a cluster of faces): their best face crops, name, counts, and a checkbox for merging.
import type { PersonView } from '@api';
import { plural } from '../../shared/format.js';
import { PersonName } from './PersonName.js';

interface PersonCardProps {
  person: PersonView;
  selected: boolean;
  onToggle: (id: number) => void;
  onOpen: (person: PersonView) => void;
  onRenamed: (person: PersonView) => void;
  /** The person is not published (an opt-out in force), and since when. */
  optedOut?: { since: string; source: 'kiosk' | 'organiser' } | undefined;
  onDoNotPublish: (person: PersonView, doNotPublish: boolean) => void;
}

export function PersonCard({ person, selected, onToggle, onOpen, onRenamed, optedOut, onDoNotPublish }: PersonCardProps) {
  const [cover, ...more] = person.faceSamples;
  return (
    <article
      className={`c-person${selected ? ' is-selected' : ''}${optedOut ? ' is-opted-out' : ''}`}
      data-testid="person-card"
      data-person-id={person.id}
      data-opted-out={Boolean(optedOut)}
    >
      <button
        type="button"
        className="c-person__faces"
        onClick={() => onOpen(person)}
        aria-label={`Open ${person.name ?? `person ${person.id}`}`}
        data-testid="person-open"
      >
        {cover ? (
          <img className="c-person__cover" src={cover.cropUrl} alt="" loading="lazy" />
        ) : (
          <span className="c-person__cover c-frame__placeholder" />
        )}
        {more.length > 0 && (
          <span className="c-person__strip">
            {more.slice(0, 3).map((f) => (
              <img key={f.faceId} src={f.cropUrl} alt="" loading="lazy" />
            ))}
          </span>
        )}
      </button>
      <label className="c-person__select" title="Select for merging">
        <input type="checkbox" checked={selected} onChange={() => onToggle(person.id)} data-testid="person-select" />
        <span className="c-visually-hidden">Select</span>
      </label>
      <div className="c-person__body">
        <PersonName person={person} onRenamed={onRenamed} />
        <span className="c-muted c-small">
          {plural(person.photos, 'photo')} · {plural(person.faces, 'face')}
        </span>
        {optedOut && (
          <span
            className="c-person__optout"
            data-testid="person-opted-out"
            title={`Asked ${optedOut.source === 'kiosk' ? 'at a kiosk' : 'by the organiser'}`}
          >
            Not published · face blurred
          </span>
        )}
        <button
          type="button"
          className="c-button c-button--small c-button--ghost c-person__publish"
          onClick={() => onDoNotPublish(person, !optedOut)}
          data-testid={optedOut ? 'person-publish' : 'person-do-not-publish'}
        >
          {optedOut ? 'Publish again' : "Don't publish"}
        </button>
      </div>
    </article>
  );
}
