// The first-run setup (event name, watched folders, where data lives), checked before the engine
// starts with it. Shape by zod; what the disk says about each path comes in as plain facts so the
// decision stays pure.
import { isAbsolute } from 'node:path';
import { z } from 'zod';

export const firstRunSetupSchema = z
  .object({
    eventName: z
      .string()
      .trim()
      .min(1, 'Give the event a name (e.g. "Smith wedding")')
      .max(120, 'An event name of 120 characters at most')
      .refine((s) => !/[\u0000-\u001f]/.test(s), 'An event name without control characters'),
    folders: z.array(z.string().min(1)).max(20, 'At most 20 watched folders'),
    dataDir: z.string().min(1, 'Choose where Shutterfind keeps its data'),
  })
  .strict();

export type FirstRunSetup = z.infer<typeof firstRunSetupSchema>;

/** What the disk says about a path (from fs.stat and an access check at the edge). */
export type PathFacts = { kind: 'folder'; writable: boolean } | { kind: 'file' } | { kind: 'missing'; parentWritable: boolean };

export type SetupCheck = { ok: true; setup: FirstRunSetup } | { ok: false; problems: { field: string; message: string }[] };

export function checkFirstRunSetup(input: unknown, facts: (path: string) => PathFacts): SetupCheck {
  const parsed = firstRunSetupSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'setup', message: i.message })) };
  }
  const setup = parsed.data;
  const problems: { field: string; message: string }[] = [];
  const seen = new Set<string>();
  setup.folders.forEach((folder, i) => {
    const field = `folders.${i}`;
    if (!isAbsolute(folder)) return problems.push({ field, message: `${folder} is not a full path: pick the folder with Choose…` });
    if (seen.has(folder)) return problems.push({ field, message: `${folder} is listed twice` });
    seen.add(folder);
    const f = facts(folder);
    if (f.kind !== 'folder')
      problems.push({
        field,
        message: `${folder} ${f.kind === 'file' ? 'is a file, not a folder' : 'does not exist'}: pick the folder your tether tool writes to`,
      });
    return undefined;
  });
  if (!isAbsolute(setup.dataDir)) {
    problems.push({ field: 'dataDir', message: `${setup.dataDir} is not a full path: pick the folder with Choose…` });
  } else {
    const d = facts(setup.dataDir);
    if (d.kind === 'file')
      problems.push({ field: 'dataDir', message: `${setup.dataDir} is a file: choose a folder for Shutterfind's data` });
    else if (d.kind === 'folder' && !d.writable)
      problems.push({ field: 'dataDir', message: `${setup.dataDir} cannot be written to: choose a folder you own` });
    else if (d.kind === 'missing' && !d.parentWritable)
      problems.push({ field: 'dataDir', message: `${setup.dataDir} cannot be created here: choose a folder you own` });
    if (setup.folders.some((f) => f === setup.dataDir || setup.dataDir.startsWith(`${f}/`) || f.startsWith(`${setup.dataDir}/`))) {
      problems.push({
        field: 'dataDir',
        message: 'Keep the data folder apart from the watched folders: previews written there would be ingested as photos',
      });
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, setup };
}
