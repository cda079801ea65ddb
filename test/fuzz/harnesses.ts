// What "did not break" means for the hand-written format code, shared by the fast-check suite
// (test/unit/fuzz/) and the coverage-guided fuzzer (npm run fuzz): each harness feeds bytes to
// the code and throws FuzzFinding when the code does anything but its documented outcomes.
import {
  checkCompleteness,
  detectFormat,
  type Completeness,
  type PhotoFormat,
  type RandomAccessFile,
} from '../../src/camera-files/index.js';
import { extractEmbeddedJpeg, RawPreviewError } from '../../src/camera-files/index.js';
import {
  decideReadiness,
  recordObservation,
  type FileObservation,
  type ReadinessDecision,
  type ReadinessPolicy,
} from '../../src/ingest/index.js';

/** An oracle violation: the code under test misbehaved on this input. */
export class FuzzFinding extends Error {
  override readonly name = 'FuzzFinding';
}

export const ALL_FORMATS: readonly PhotoFormat[] = ['jpeg', 'png', 'tiff', 'heic', 'avif', 'raw-tiff', 'cr3', 'raf'];

// The probe reads 64 bytes to detect the format (src/ingest/probe.ts).
const HEAD_BYTES = 64;
// The most reads a completeness check may make on one file. The largest legitimate walk is
// the ISO-BMFF one (10 000 top-level boxes at most); TIFF stops after 64 directories, JPEG
// after 1 MiB of padding in 4 KiB chunks. More than this is a walk that does not end.
export const MAX_READS_PER_CHECK = 20_000;
// One read of more than this would allocate a buffer no photo's structure needs: the TIFF
// walker's largest table is 2^20 LONG values (4 MiB).
export const MAX_BYTES_PER_READ = 16 * 1024 * 1024;

/**
 * An in-memory file that behaves as nodeRandomAccessFile does (short reads only at the end)
 * and turns reads no well-behaved walker makes into findings: a start past the end of the
 * file, a negative or fractional offset or length, a huge single read, an unbounded number of reads.
 */
export function boundedFile(bytes: Uint8Array): RandomAccessFile & { readonly reads: number } {
  let reads = 0;
  return {
    size: bytes.length,
    get reads() {
      return reads;
    },
    async read(offset: number, length: number): Promise<Uint8Array> {
      reads += 1;
      if (reads > MAX_READS_PER_CHECK) throw new FuzzFinding(`more than ${MAX_READS_PER_CHECK} reads on a ${bytes.length}-byte file`);
      if (!Number.isSafeInteger(offset) || offset < 0) throw new FuzzFinding(`read at invalid offset ${offset}`);
      if (!Number.isSafeInteger(length) || length < 0) throw new FuzzFinding(`read of invalid length ${length}`);
      if (offset > bytes.length) throw new FuzzFinding(`read at byte ${offset}, past the end of a ${bytes.length}-byte file`);
      if (length > MAX_BYTES_PER_READ) throw new FuzzFinding(`single read of ${length} bytes`);
      // A copy, as a real read is: the code must not see later mutations of the input.
      return new Uint8Array(bytes.subarray(offset, Math.min(bytes.length, offset + length)));
    },
  };
}

const COMPLETENESS_STATES: ReadonlySet<string> = new Set(['complete', 'incomplete', 'damaged', 'unknown']);

function checkReason(reason: unknown, context: string): void {
  if (typeof reason !== 'string' || reason.length === 0) throw new FuzzFinding(`${context}: no reason given`);
  if (/undefined|NaN|Infinity|\[object/.test(reason)) throw new FuzzFinding(`${context}: reason shows a broken value: ${reason}`);
}

/** Checks one Completeness value has a known state and, where it needs one, a readable reason. */
export function assertCompleteness(value: Completeness, context: string): void {
  if (typeof value !== 'object' || value === null || !COMPLETENESS_STATES.has(value.state)) {
    throw new FuzzFinding(`${context}: returned ${JSON.stringify(value)}`);
  }
  if (value.state === 'incomplete' || value.state === 'damaged') checkReason(value.reason, context);
}

/** Runs one completeness check and turns anything but a valid Completeness into a finding. */
export async function checkCompletenessSafely(bytes: Uint8Array, format: PhotoFormat): Promise<Completeness> {
  const file = boundedFile(bytes);
  let result: Completeness;
  try {
    result = await checkCompleteness(file, format);
  } catch (error) {
    if (error instanceof FuzzFinding) throw error;
    throw new FuzzFinding(`checkCompleteness(${format}) threw: ${describeError(error)}`);
  }
  assertCompleteness(result, `checkCompleteness(${format})`);
  return result;
}

export function detectFormatSafely(bytes: Uint8Array, fileName: string): PhotoFormat | null {
  let format: PhotoFormat | null;
  try {
    format = detectFormat(bytes.subarray(0, HEAD_BYTES), fileName);
  } catch (error) {
    throw new FuzzFinding(`detectFormat threw: ${describeError(error)}`);
  }
  if (format !== null && !ALL_FORMATS.includes(format)) throw new FuzzFinding(`detectFormat returned ${String(format)}`);
  return format;
}

// The shipped defaults (src/config/settings.ts) and a one-shot import's shorter wait.
const POLICIES: readonly ReadinessPolicy[] = [
  { stableForMs: 100, unmarkedStableForMs: 3_000, truncatedAfterMs: 60_000, probeIntervalMs: 120 },
  { stableForMs: 0, unmarkedStableForMs: 1_000, truncatedAfterMs: 1_000, probeIntervalMs: 20 },
];

export function assertDecision(decision: ReadinessDecision, context: string): void {
  switch (decision.action) {
    case 'take':
      return;
    case 'wait':
      if (!Number.isFinite(decision.recheckInMs) || decision.recheckInMs < 1) {
        throw new FuzzFinding(`${context}: waits ${decision.recheckInMs} ms`);
      }
      return;
    case 'fail':
      checkReason(decision.reason, context);
      return;
    default:
      throw new FuzzFinding(`${context}: returned ${JSON.stringify(decision)}`);
  }
}

/**
 * A file observed twice with the same size, at several times after: whatever its bytes say,
 * readiness ends in a decision with a reason, never a wait past the truncation deadline.
 */
export function decideForSettledFile(observation: Omit<FileObservation, 'at' | 'mtimeMs'>): ReadinessDecision[] {
  const decisions: ReadinessDecision[] = [];
  for (const policy of POLICIES) {
    const first: FileObservation = { ...observation, at: 0, mtimeMs: 0 };
    const history = recordObservation(recordObservation(undefined, first), { ...first, at: policy.probeIntervalMs });
    for (const now of [
      policy.probeIntervalMs,
      policy.stableForMs + policy.probeIntervalMs,
      policy.truncatedAfterMs + policy.probeIntervalMs,
    ]) {
      const decision = decideReadiness(history, now, policy);
      assertDecision(decision, `decideReadiness(${observation.completeness})`);
      decisions.push(decision);
    }
    const last = decisions[decisions.length - 1];
    if (observation.size > 0 && last?.action === 'wait') {
      throw new FuzzFinding(`decideReadiness still waits on a ${observation.completeness} file past the truncation deadline`);
    }
  }
  return decisions;
}

/**
 * The probe's path through formats.ts and readiness.ts: detect the format from the head,
 * check completeness for the detected format (and, to reach every walker whatever the magic
 * says, for each of `alsoAs`), then decide readiness for a file that has stopped growing.
 */
export async function probeBytes(bytes: Uint8Array, fileName: string, alsoAs: readonly PhotoFormat[] = []): Promise<void> {
  const format = detectFormatSafely(bytes, fileName);
  let completeness: Completeness = { state: 'unknown' };
  if (format !== null) completeness = await checkCompletenessSafely(bytes, format);
  for (const other of alsoAs) if (other !== format) await checkCompletenessSafely(bytes, other);
  decideForSettledFile({
    size: bytes.length,
    format,
    completeness: completeness.state,
    ...('reason' in completeness ? { reason: completeness.reason } : {}),
  });
}

/**
 * extractEmbeddedJpeg either returns a view of the input that is a whole JPEG (SOI at its
 * start, EOI at its end) or throws RawPreviewError naming the file; anything else is a finding.
 */
export function extractPreviewSafely(bytes: Uint8Array, fileName: string): Uint8Array | RawPreviewError {
  let preview: Uint8Array;
  try {
    preview = extractEmbeddedJpeg(bytes, fileName);
  } catch (error) {
    if (error instanceof RawPreviewError) {
      if (!error.message.includes(fileName)) throw new FuzzFinding(`RawPreviewError does not name the file: ${error.message}`);
      return error;
    }
    throw new FuzzFinding(`extractEmbeddedJpeg threw: ${describeError(error)}`);
  }
  if (preview.buffer !== bytes.buffer) throw new FuzzFinding('extractEmbeddedJpeg returned a copy, not a view of the file');
  const start = preview.byteOffset - bytes.byteOffset;
  const end = start + preview.byteLength;
  if (start < 0 || end > bytes.byteLength)
    throw new FuzzFinding(`preview [${start}, ${end}) lies outside the ${bytes.byteLength}-byte file`);
  const n = preview.length;
  if (n < 4 || preview[0] !== 0xff || preview[1] !== 0xd8 || preview[n - 2] !== 0xff || preview[n - 1] !== 0xd9) {
    throw new FuzzFinding(`preview [${start}, ${end}) does not run from SOI to EOI`);
  }
  return preview;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}\n${error.stack ?? ''}`;
  return String(error);
}
