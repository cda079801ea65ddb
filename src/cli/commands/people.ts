// `shutterfind people`, `recluster` and `rename-person`: the organiser's view of who was
// photographed, a full re-cluster that keeps person ids and names, and naming a person.
import type { PersonSummary } from '../../store/index.js';
import { loadMatchThreshold } from '../../vision/index.js';
import { reclusterEvent, type ReclusterSummary } from '../../people/index.js';
import type { CommandContext } from '../context.js';
import { withEventRepos, withEventReposSync } from './event-database.js';
import { human, UserFacingError } from '../output.js';

export interface PeopleReport {
  event: string;
  persons: { id: number; name: string | null; faceCount: number; photoCount: number; coverCrop: string | null }[];
}

export type ReclusterReport = { event: string } & ReclusterSummary;

export interface RenameReport {
  event: string;
  person: { id: number; name: string | null };
}

const withEvent = withEventReposSync;

const toListed = (p: PersonSummary): PeopleReport['persons'][number] => ({
  id: p.id,
  name: p.name,
  faceCount: p.faceCount,
  photoCount: p.photoCount,
  coverCrop: p.coverCrop,
});

export function runPeople(ctx: CommandContext, eventName: string): PeopleReport {
  return withEvent(ctx, eventName, (repos, event) => ({
    event: event.name,
    persons: repos.persons.listPersons(event.id).map(toListed),
  }));
}

export async function runRecluster(ctx: CommandContext, eventName: string): Promise<ReclusterReport> {
  const { clusterThreshold } = loadMatchThreshold();
  return withEventRepos(ctx, eventName, async (repos, event) => {
    const summary = await reclusterEvent(repos.persons, event.id, clusterThreshold);
    ctx.log.info({ event: event.name, ...summary }, 'event re-clustered');
    return { event: event.name, ...summary };
  });
}

/** An empty name clears it (the person shows as unnamed again). */
export function runRenamePerson(ctx: CommandContext, eventName: string, personId: number, name: string): RenameReport {
  const trimmed = name.trim();
  return withEvent(ctx, eventName, (repos, event) => {
    const { persons } = repos;
    if (!persons.renamePerson(event.id, personId, trimmed === '' ? null : trimmed, Date.now())) {
      throw new UserFacingError(`Event "${event.name}" has no person ${personId}; \`shutterfind people --event "${event.name}"\` lists them.`);
    }
    return { event: event.name, person: { id: personId, name: trimmed === '' ? null : trimmed } };
  });
}

export function formatPeople(r: PeopleReport): string {
  if (r.persons.length === 0) return human`Event "${r.event}": no persons yet (faces are grouped as photos are processed).`;
  const lines = [human`Event "${r.event}": ${r.persons.length} person(s)`];
  for (const p of r.persons) {
    const label = p.name ?? '(unnamed)';
    lines.push(human`  #${p.id}  ${label}  ${p.faceCount} face(s) in ${p.photoCount} photo(s)${p.coverCrop ? human`  cover ${p.coverCrop}` : ''}`);
  }
  return lines.join('\n');
}

export function formatRecluster(r: ReclusterReport): string {
  return (
    human`Event "${r.event}": ${r.faces} face(s) in ${r.persons} person(s); ` +
    human`${r.kept} kept their id, ${r.created} new, ${r.removed} removed`
  );
}
