// A sync stops between two requests when the operator pauses it or the engine closes; what was
// recorded stays, and the next sync goes on from there.

export class SyncStoppedError extends Error {
  override name = 'SyncStoppedError';
}

export function stopIfAsked(stopped: (() => boolean) | undefined): void {
  if (stopped?.()) throw new SyncStoppedError('Sync stopped (paused, or Shutterfind is closing); it goes on from here next time');
}
