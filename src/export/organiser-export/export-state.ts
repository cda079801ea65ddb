// The state file an export leaves in its destination: which event and choices it holds and which
// folder each person got. A re-run reads it to continue (and to move a renamed person's folder)
// instead of starting over beside what is there.
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ExportRequestError, type ExportPlan } from './export-plan.js';
import type { ExportLayout, ExportedFiles } from './export-model.js';

export const STATE_FILE = '.shutterfind-export.json';

const stateSchema = z.object({
  version: z.literal(1),
  eventId: z.number().int(),
  eventName: z.string(),
  as: z.enum(['folders', 'zip', 'html']),
  files: z.enum(['previews', 'originals']),
  /** Person id → their folder, relative to the export root. */
  folders: z.record(z.string(), z.string()),
  complete: z.boolean(),
});
export type ExportState = z.infer<typeof stateSchema>;

export async function readExportState(root: string): Promise<ExportState | null> {
  const path = join(root, STATE_FILE);
  if (!existsSync(path)) return null;
  const parsed = stateSchema.safeParse(JSON.parse(await readFile(path, 'utf8').catch(() => 'null')));
  // A state file from a newer version or half-written by a crash: the files on disk still say what is done.
  return parsed.success ? parsed.data : null;
}

/** Written only when it changes, so a re-run of a finished export touches nothing. */
export async function writeExportState(root: string, state: ExportState): Promise<void> {
  const path = join(root, STATE_FILE);
  if (existsSync(path) && (await readFile(path, 'utf8')) === JSON.stringify(state, null, 2)) return;
  await writeFile(`${path}.sf-part`, JSON.stringify(state, null, 2));
  await rename(`${path}.sf-part`, path);
}

/** A destination that holds another event's export (or another layout) is not continued: that would mix two exports. */
export function checkResumable(state: ExportState | null, plan: ExportPlan, as: ExportLayout, files: ExportedFiles, root: string): void {
  if (!state) return;
  if (state.eventId !== plan.event.id) {
    throw new ExportRequestError(
      `${root} already holds an export of event "${state.eventName}". Choose an empty folder for "${plan.event.name}" (or delete that export first).`,
    );
  }
  if (state.as !== as || state.files !== files) {
    throw new ExportRequestError(
      `${root} holds an export of "${state.eventName}" as ${state.as} with ${state.files}; this one is ${as} with ${files}. Use the same choices to continue it, or choose another folder.`,
    );
  }
}

/** People whose folder name changed since the last run (renamed mid-export): move old → new before continuing. */
export function renamedFolders(state: ExportState | null, plan: ExportPlan): { from: string; to: string }[] {
  if (!state) return [];
  const moves: { from: string; to: string }[] = [];
  for (const person of plan.people) {
    const before = state.folders[String(person.id)];
    if (before && person.folder && before !== person.folder) moves.push({ from: before, to: person.folder });
  }
  return moves;
}

export const stateOf = (plan: ExportPlan, as: ExportLayout, files: ExportedFiles, complete: boolean): ExportState => ({
  version: 1,
  eventId: plan.event.id,
  eventName: plan.event.name,
  as,
  files,
  folders: Object.fromEntries(plan.people.filter((p) => p.folder).map((p) => [String(p.id), p.folder!])),
  complete,
});
