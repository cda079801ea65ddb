// A person's name that turns into a text field on click; Enter or leaving the field saves it.
import { useState, type KeyboardEvent } from 'react';
import type { PersonView, RenamePersonRequest } from '@api';
import { errorMessage } from '../../shared/api.js';
import { operatorApi } from '../api.js';
import { useConsole } from '../store.js';

interface PersonNameProps {
  person: PersonView;
  onRenamed: (person: PersonView) => void;
}

export function PersonName({ person, onRenamed }: PersonNameProps) {
  const notify = useConsole((s) => s.notify);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(person.name ?? '');

  const save = async () => {
    setEditing(false);
    const name = draft.trim();
    if (name === (person.name ?? '')) return;
    try {
      const body: RenamePersonRequest = { name: name || null };
      onRenamed(await operatorApi.patch<PersonView>(`/api/people/${person.id}`, body));
    } catch (error) {
      setDraft(person.name ?? '');
      notify(errorMessage(error), 'error');
    }
  };

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') void save();
    if (e.key === 'Escape') {
      setDraft(person.name ?? '');
      setEditing(false);
    }
  };

  if (editing) {
    return (
      <input
        className="c-person__name-input"
        autoFocus
        value={draft}
        placeholder="Name"
        onChange={(e) => setDraft(e.target.value)}
        onBlur={() => void save()}
        onKeyDown={onKey}
        data-testid="person-name-input"
        aria-label="Person's name"
      />
    );
  }
  return (
    <button
      type="button"
      className={`c-person__name${person.name ? '' : ' is-unnamed'}`}
      onClick={() => {
        setDraft(person.name ?? '');
        setEditing(true);
      }}
      title="Rename"
      data-testid="person-name"
    >
      {person.name ?? `Person ${person.id}`}
      <span className="c-person__edit" aria-hidden="true">
        ✎
      </span>
    </button>
  );
}
