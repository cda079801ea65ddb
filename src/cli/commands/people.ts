// `shutterfind people`, `recluster` and `rename-person`: an event's persons, read from the data
// dir and edited through the engine that owns it (engine-access.ts).
import { openReader, type PersonSummary } from '../../core/index.js';
import type { CommandContext } from '../context.js';
import { NoSuchPersonError, withEngineEdits, type ReclusterResult } from '../engine-access.js';
import { human, UserFacingError } from '../output.js';

export interface PeopleReport {
  event: string;
  persons: { id: number; name: string | null; faceCount: number; photoCount: number; coverCrop: string | null }[];
}

export type ReclusterReport = { event: string } & ReclusterResult;

export interface RenameReport {
  event: string;
  person: { id: number; name: string | null };
}

const toListed = (p: PersonSummary): PeopleReport['persons'][number] => ({
  id: p.id,
  name: p.name,
  faceCount: p.faceCount,
  photoCount: p.photoCount,
  coverCrop: p.coverCrop,
});

export async function runPeople(ctx: CommandContext, eventName: string): Promise<PeopleReport> {
  const reader = await openReader(ctx.dataDir, ctx.log);
  try {
    const event = reader.catalogue.events.named(eventName);
    return { event: event.name, persons: reader.people.list(event.id).map(toListed) };
  } finally {
    await reader.close();
  }
}

export async function runRecluster(ctx: CommandContext, eventName: string): Promise<ReclusterReport> {
  return withEngineEdits(ctx, async (edits) => {
    const summary = await edits.recluster(eventName);
    ctx.log.info({ event: eventName, via: edits.via, ...summary }, 'event re-clustered');
    return { event: eventName, ...summary };
  });
}

/** An empty name clears it (the person shows as unnamed again). */
export async function runRenamePerson(ctx: CommandContext, eventName: string, personId: number, name: string): Promise<RenameReport> {
  const trimmed = name.trim();
  return withEngineEdits(ctx, async (edits) => {
    try {
      const person = await edits.renamePerson(eventName, personId, trimmed === '' ? null : trimmed);
      return { event: eventName, person };
    } catch (err) {
      if (err instanceof NoSuchPersonError) {
        throw new UserFacingError(
          `Event "${eventName}" has no person ${personId}; \`shutterfind people --event "${eventName}"\` lists them.`,
        );
      }
      throw err;
    }
  });
}

export function formatPeople(r: PeopleReport): string {
  if (r.persons.length === 0) return human`Event "${r.event}": no persons yet (faces are grouped as photos are processed).`;
  const lines = [human`Event "${r.event}": ${r.persons.length} person(s)`];
  for (const p of r.persons) {
    const label = p.name ?? '(unnamed)';
    lines.push(
      human`  #${p.id}  ${label}  ${p.faceCount} face(s) in ${p.photoCount} photo(s)${p.coverCrop ? human`  cover ${p.coverCrop}` : ''}`,
    );
  }
  return lines.join('\n');
}

export function formatRecluster(r: ReclusterReport): string {
  return (
    human`Event "${r.event}": ${r.faces} face(s) in ${r.persons} person(s); ` +
    human`${r.kept} kept their id, ${r.created} new, ${r.removed} removed`
  );
}
