// "Maybe you?" taps come in quick succession (a visitor taps in four photos in two seconds), and
// each one asks the kiosk to search again with every photo tapped in so far. Only the last of
// those searches matters: this runs one at a time and, when asked meanwhile, once more after
// the one in flight, so four quick taps cost two searches and the last tap is always searched.

/**
 * Wraps `task` so that calls never overlap: a call while a run is in flight asks for one more
 * run after it (several such calls, still one), and every call resolves when the runs it waited
 * for are done. `task` should handle its own errors; one it throws ends the runs in flight and
 * reaches their callers, and the next call starts afresh.
 */
export function coalesced(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await task();
        } while (again);
      } finally {
        running = null;
        again = false;
      }
    })();
    return running;
  };
}
