// `shutterfind export`: an event handed to its organiser as per-person folders, a ZIP or an offline
// HTML gallery, with a manifest and XMP; re-running it into the same folder completes it. Export
// only reads the data dir, so it runs beside a `serve` (on the read-only reader).
import {
  ExportRequestError,
  ExportWriteError,
  openReader,
  type ExportLayout,
  type ExportSummary,
  type ExportedFiles,
} from '../../core/index.js';
import type { CommandContext } from '../context.js';
import { createProgress, human, UserFacingError } from '../output.js';

export interface ExportCommandOptions {
  event: string;
  to: string;
  as: ExportLayout;
  files: ExportedFiles;
  people: string[];
  onlyPicks: boolean;
  unnamedPeople: boolean;
  xmp: boolean;
  /** `--accent`, `--background`, `--logo` for the HTML gallery. */
  branding?: { accent?: string; background?: string; logo?: string };
  /** `--watermark [text]`: true takes the event's own watermark text (console → Settings). */
  watermark?: string | true;
}

export async function runExport(ctx: CommandContext, o: ExportCommandOptions): Promise<ExportSummary> {
  const reader = await openReader(ctx.dataDir, ctx.log);
  const progress = createProgress('Exporting', !ctx.json);
  let total = -1;
  try {
    const { event, watermark, branding, ...rest } = o;
    const options = {
      ...rest,
      watermark: watermark === true ? eventWatermark(reader, event) : (watermark ?? null),
      // The look set in the console (Export → Gallery look) unless a flag says otherwise.
      ...(o.as === 'html' ? { branding: { ...storedBranding(reader, event), ...branding } } : branding ? { branding } : {}),
    };
    return await reader.exports.run(event, options, {
      onProgress: (p) => {
        if (p.total !== total) progress.setTotal((total = p.total));
        progress.tick();
      },
    });
  } catch (err) {
    if (err instanceof ExportRequestError || err instanceof ExportWriteError) throw new UserFacingError(err.message);
    throw err;
  } finally {
    progress.stop();
    await reader.close();
  }
}

/** The colours and logo the organiser chose in the console for this event's HTML gallery (none for an unknown event: the export says so). */
function storedBranding(reader: Awaited<ReturnType<typeof openReader>>, eventName: string): NonNullable<ExportCommandOptions['branding']> {
  const event = reader.catalogue.events.byName(eventName);
  return event ? reader.galleryBranding.exportBranding(event.id) : {};
}

/** The watermark the event's galleries use; `--watermark` alone asks for it. */
function eventWatermark(reader: Awaited<ReturnType<typeof openReader>>, eventName: string): string {
  const event = reader.catalogue.events.byName(eventName);
  const text = event ? reader.catalogue.settings(event.id).watermark.text.trim() : '';
  if (!text) {
    throw new UserFacingError(
      `The event "${eventName}" has no watermark text: set one in the console (Settings → Watermark), or give it: --watermark "© Studio Name".`,
      2,
    );
  }
  return text;
}

const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

export function formatExport(s: ExportSummary): string {
  const lines = [
    human`Exported "${s.event}" (${s.files} as ${s.as}): ${s.photos} photo(s), ${s.people} person folder(s), in ${(s.elapsedMs / 1000).toFixed(1)} s`,
    human`  ${s.written} file(s) written (${megabytes(s.bytes)}), ${s.alreadyThere} already there from an earlier run, ${s.hardLinks} hard link(s)`,
  ];
  if (s.blurredFaces) lines.push(human`  ${s.blurredFaces} face(s) of people who asked not to be published blurred`);
  if (s.previewsInsteadOfOriginals) {
    lines.push(human`  ${s.previewsInsteadOfOriginals} RAW file(s) with a face to blur went as their blurred JPEG preview`);
  }
  if (s.filesWithheld)
    lines.push(
      human`  ${s.filesWithheld} RAW file(s) of RAW+JPEG pairs left out: a face in them must be blurred (their JPEG is exported, blurred)`,
    );
  for (const r of s.renamedFolders) lines.push(human`  renamed since the last run: ${r.from} → ${r.to}`);
  lines.push(human`  Open: ${s.entry}`);
  return lines.join('\n');
}
