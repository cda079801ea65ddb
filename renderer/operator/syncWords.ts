// How the console's Sync section says where the event's sync stands: the state in words with what
// to do about it, rates in the units a venue's connection is sold in, and the bandwidth cap field.
// No import of '@api' here: the unit tests compile this file without the renderer's path alias.
// The Sync section passes SyncView's state in, so a state added to the API and not worded here
// fails the renderer's typecheck.
import { formatBytes } from '../shared/format.js';

export type SyncStateName = 'not-enrolled' | 'idle' | 'syncing' | 'paused' | 'offline' | 'error';

export type SyncTone = 'good' | 'busy' | 'waiting' | 'warn' | 'danger' | 'muted';

export interface SyncStateWords {
  label: string;
  tone: SyncTone;
  /** What it means for the photographer, and what (if anything) to do. */
  hint: string;
}

const STATE_WORDS: Record<SyncStateName, SyncStateWords> = {
  'not-enrolled': {
    label: 'Not connected to the cloud',
    tone: 'muted',
    hint: 'Photos stay on this laptop. Connect it with the join code the organiser got when creating the cloud event.',
  },
  idle: { label: 'Up to date', tone: 'good', hint: 'Everything on this laptop is in the cloud; new photos follow within seconds.' },
  syncing: { label: 'Syncing', tone: 'busy', hint: 'Sending to the cloud in the background; ingest and the kiosks keep priority.' },
  paused: { label: 'Paused', tone: 'warn', hint: 'Nothing is sent until you resume. Photos and deliveries wait on this laptop.' },
  offline: {
    label: 'Offline',
    tone: 'warn',
    hint: 'The cloud cannot be reached from here. Nothing is lost: sync goes on by itself when the connection is back.',
  },
  error: {
    label: 'Stopped by an error',
    tone: 'danger',
    hint: 'The cloud refused what this laptop sent. Read the error below, fix it, then press Sync now; if its access was revoked, connect again with a new join code.',
  },
};

/** Idle with something still to send: between runs (the next starts within a minute), not up to date. */
const WAITING: SyncStateWords = {
  label: 'Waiting to send',
  tone: 'waiting',
  hint: 'Changes are waiting for the next sync, which starts by itself within a minute; press Sync now to send them at once.',
};

export function syncStateWords(
  state: SyncStateName,
  left: { opsLeft: number; blobsLeft: number } = { opsLeft: 0, blobsLeft: 0 },
): SyncStateWords {
  if (state === 'idle' && (left.opsLeft > 0 || left.blobsLeft > 0)) return WAITING;
  return STATE_WORDS[state];
}

/** Links are sold and capped in megabits per second, files are counted in bytes. */
const BITS_PER_BYTE = 8;
const BITS_PER_MEGABIT = 1_000_000;

export function mbitPerSecondOf(bytesPerSecond: number): number {
  return (bytesPerSecond * BITS_PER_BYTE) / BITS_PER_MEGABIT;
}

/** "12.5 Mbit/s" (one decimal under 100, as a venue's speed test shows it). */
export function formatMbit(bytesPerSecond: number): string {
  const mbit = mbitPerSecondOf(bytesPerSecond);
  if (mbit === 0) return '0 Mbit/s';
  if (mbit < 0.1) return `${Math.round(mbit * 1000)} kbit/s`;
  return `${mbit < 100 ? Number(mbit.toFixed(1)) : Math.round(mbit)} Mbit/s`;
}

/**
 * The upload-rate figure: megabits per second while a sync runs (the rate of the last seconds means
 * nothing once it has stopped), with bytes per second and the cap under it.
 */
export function rateFigure(view: { state: SyncStateName; rateBytesPerSecond: number; bandwidthCapBytesPerSecond: number | null }): {
  value: string;
  hint: string;
} {
  const moving = view.state === 'syncing' && view.rateBytesPerSecond > 0;
  const cap = view.bandwidthCapBytesPerSecond === null ? 'no cap' : `capped at ${formatMbit(view.bandwidthCapBytesPerSecond)}`;
  return {
    value: moving ? formatMbit(view.rateBytesPerSecond) : '—',
    hint: moving ? `${formatBytes(view.rateBytesPerSecond)}/s · ${cap}` : cap,
  };
}

/** The cap field's text for a stored cap: empty for no cap. */
export function capFieldOf(bytesPerSecond: number | null): string {
  if (bytesPerSecond === null) return '';
  return String(Number(mbitPerSecondOf(bytesPerSecond).toFixed(2)));
}

/** Below this a batch of thumbnails would take minutes: a typo (0.001 for 1), not a choice. */
const SMALLEST_CAP_MBIT = 0.1;
const LARGEST_CAP_MBIT = 10_000;

export type CapInput = { ok: true; bytesPerSecond: number | null } | { ok: false; error: string };

/** The cap field as typed (Mbit/s, empty = no cap) → bytes per second for the API, or why it is not a cap. */
export function parseCapField(text: string): CapInput {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '') return { ok: true, bytesPerSecond: null };
  const mbit = Number(trimmed);
  if (!Number.isFinite(mbit) || mbit < SMALLEST_CAP_MBIT || mbit > LARGEST_CAP_MBIT) {
    return {
      ok: false,
      error: `Type a speed between ${SMALLEST_CAP_MBIT} and ${LARGEST_CAP_MBIT.toLocaleString()} Mbit/s, or leave it empty for no cap.`,
    };
  }
  return { ok: true, bytesPerSecond: Math.round((mbit * BITS_PER_MEGABIT) / BITS_PER_BYTE) };
}

const counted = (n: number, one: string, many: string): string => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/**
 * What is still to send: `items` for the big figure ("26 items"), `detail` for under it
 * ("6 files · 20 changes"); null when everything is sent.
 */
export function leftToSend(view: { opsLeft: number; blobsLeft: number }): { items: string; detail: string } | null {
  if (view.opsLeft === 0 && view.blobsLeft === 0) return null;
  return {
    items: counted(view.opsLeft + view.blobsLeft, 'item', 'items'),
    detail: `${counted(view.blobsLeft, 'file', 'files')} · ${counted(view.opsLeft, 'change', 'changes')}`,
  };
}

/** At the current rate, how long the files still to send take; null when nothing moves or nothing is left. */
export function timeLeftAt(bytesLeft: number, bytesPerSecond: number): string | null {
  if (bytesLeft <= 0 || bytesPerSecond <= 0) return null;
  const s = Math.ceil(bytesLeft / bytesPerSecond);
  if (s < 60) return `about ${s} s left`;
  if (s < 3600) return `about ${Math.round(s / 60)} min left`;
  return `about ${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min left`;
}
