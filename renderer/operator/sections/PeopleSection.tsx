// People: the faces found, grouped into persons; name them, merge duplicates, split mistakes.
import { useMemo, useState } from 'react';
import type {
  MarkDoNotPublishRequest,
  MergePeopleRequest,
  OptOutList,
  OptOutView,
  PeopleList,
  PersonView,
  RevokeOptOutRequest,
} from '@api';
import { errorMessage } from '../../shared/api.js';
import { plural } from '../../shared/format.js';
import { EmptyState, ErrorState, LoadingState } from '../../shared/StateViews.js';
import { useResource } from '../../shared/useResource.js';
import { operatorApi } from '../api.js';
import { Icon } from '../../shared/Icon.js';
import { SectionHeader } from '../SectionHeader.js';
import { useConsole } from '../store.js';
import { useRevision } from '../useRevision.js';
import { DoNotPublishList } from './DoNotPublishList.js';
import { PersonCard } from './PersonCard.js';
import { PersonFacesDialog } from './PersonFacesDialog.js';

/** Merging keeps the person with the most faces, so the best-established cluster's id survives. */
function mergeTarget(people: readonly PersonView[]): PersonView | undefined {
  return [...people].sort((a, b) => b.faces - a.faces || a.id - b.id)[0];
}

export function PeopleSection() {
  const notify = useConsole((s) => s.notify);
  // Grouped again from scratch (by hand or while the cameras paused), or new faces landed: the list reloads itself.
  const revision = useRevision('people');
  const { resource, reload, set } = useResource(() => operatorApi.get<PeopleList>('/api/people'), [revision]);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [open, setOpen] = useState<PersonView | null>(null);
  const [filter, setFilter] = useState('');
  const [merging, setMerging] = useState(false);

  const optOuts = useResource(() => operatorApi.get<OptOutList>('/api/do-not-publish'));
  /** Persons with an opt-out in force, and since when (the earliest). */
  const optedOut = useMemo(() => {
    const byPerson = new Map<number, { since: string; source: OptOutView['source'] }>();
    for (const r of optOuts.resource.data?.records ?? []) {
      if (r.revokedAt === null && r.personId !== null && !byPerson.has(r.personId))
        byPerson.set(r.personId, { since: r.createdAt, source: r.source });
    }
    return byPerson;
  }, [optOuts.resource.data]);

  const setDoNotPublish = async (person: PersonView, doNotPublish: boolean) => {
    const label = person.name ?? `Person ${person.id}`;
    if (
      doNotPublish &&
      !window.confirm(`Don't publish ${label}? Their face will be blurred in galleries, on kiosks and in exports, in later photos too.`)
    )
      return;
    try {
      if (doNotPublish) {
        const body: MarkDoNotPublishRequest = { note: null };
        await operatorApi.post<OptOutView>(`/api/people/${person.id}/do-not-publish`, body);
      } else {
        const body: RevokeOptOutRequest = { reason: null };
        await operatorApi.post(`/api/people/${person.id}/publish`, body);
      }
      optOuts.reload();
      notify(doNotPublish ? `${label} will not be published: their face is blurred` : `${label} is published again`, 'success');
    } catch (error) {
      notify(errorMessage(error), 'error');
    }
  };

  const revoke = async (record: OptOutView) => {
    try {
      const body: RevokeOptOutRequest = { reason: null };
      await operatorApi.post(`/api/do-not-publish/${record.id}/revoke`, body);
      optOuts.reload();
      notify('Published again', 'success');
    } catch (error) {
      notify(errorMessage(error), 'error');
    }
  };

  const people = useMemo(() => {
    const all = resource.data?.people ?? [];
    const q = filter.trim().toLowerCase();
    return q ? all.filter((p) => (p.name ?? `person ${p.id}`).toLowerCase().includes(q)) : all;
  }, [resource.data, filter]);

  const toggle = (id: number) =>
    setSelected((old) => {
      const next = new Set(old);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const replacePerson = (person: PersonView) => set((list) => ({ people: list.people.map((p) => (p.id === person.id ? person : p)) }));

  const merge = async () => {
    const chosen = (resource.data?.people ?? []).filter((p) => selected.has(p.id));
    const into = mergeTarget(chosen);
    if (!into || chosen.length < 2) return;
    setMerging(true);
    try {
      const body: MergePeopleRequest = { into: into.id, from: chosen.filter((p) => p.id !== into.id).map((p) => p.id) };
      const merged = await operatorApi.post<PersonView>('/api/people/merge', body);
      set((list) => ({
        people: list.people.filter((p) => !body.from.includes(p.id)).map((p) => (p.id === merged.id ? merged : p)),
      }));
      setSelected(new Set());
      notify(`${plural(chosen.length, 'person', 'people')} merged into ${merged.name ?? `Person ${merged.id}`}`, 'success');
    } catch (error) {
      notify(errorMessage(error), 'error');
    } finally {
      setMerging(false);
    }
  };

  return (
    <div className="c-section" data-testid="people-section">
      <SectionHeader
        title="People"
        subtitle="Faces grouped by likeness. Click a name to rename; select two or more to merge; open one to split off faces."
        actions={
          <>
            <input
              className="c-search-input"
              type="search"
              placeholder="Filter by name"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              data-testid="people-filter"
            />
            <button
              type="button"
              className="c-button"
              onClick={() => {
                reload();
                optOuts.reload();
              }}
              data-testid="people-refresh"
            >
              <Icon name="retry" /> Refresh
            </button>
          </>
        }
      />
      {selected.size > 0 && (
        <div className="c-selection-bar" data-testid="people-selection">
          <span>{plural(selected.size, 'person', 'people')} selected</span>
          <button type="button" className="c-button c-button--ghost" onClick={() => setSelected(new Set())}>
            Clear
          </button>
          <button
            type="button"
            className="c-button c-button--primary"
            onClick={merge}
            disabled={selected.size < 2 || merging}
            data-testid="merge-people"
          >
            Merge {selected.size > 1 ? selected.size : ''} people
          </button>
        </div>
      )}
      {resource.state === 'loading' && <LoadingState label="Loading people…" />}
      {resource.state === 'error' && <ErrorState message={resource.error} onRetry={reload} />}
      {resource.data &&
        (people.length === 0 ? (
          <EmptyState title={filter ? 'Nobody by that name' : 'No people yet'} icon={<Icon name="face" size={40} />} testId="people-empty">
            {filter ? 'Try another name.' : 'People appear once photos with faces have been processed.'}
          </EmptyState>
        ) : (
          <div className="c-people-grid" data-testid="people-grid">
            {people.map((p) => (
              <PersonCard
                key={p.id}
                person={p}
                selected={selected.has(p.id)}
                onToggle={toggle}
                onOpen={setOpen}
                onRenamed={replacePerson}
                optedOut={optedOut.get(p.id)}
                onDoNotPublish={(person, on) => void setDoNotPublish(person, on)}
              />
            ))}
          </div>
        ))}
      {optOuts.resource.data && <DoNotPublishList records={optOuts.resource.data.records} onRevoke={(r) => void revoke(r)} />}
      {open && <PersonFacesDialog person={open} onClose={() => setOpen(null)} onSplit={reload} />}
    </div>
  );
}
