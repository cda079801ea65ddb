// Once a command has finished (a serve stopped cleanly, an ingest printed its summary), the
// process must end. A read stuck in the kernel (a network share that stopped answering, a
// failing card) cannot be cancelled and keeps Node's event loop alive forever: the photographer
// saw "Stopped cleanly" and a terminal that never came back.

/**
 * Everything a command opened is closed before it returns; what is left after this long is a
 * stuck read. Long enough for stdout and the log file to flush into a pipe.
 */
export const EXIT_GRACE_MS = 3_000;

/** Ends the process EXIT_GRACE_MS from now if nothing else has ended it, saying what still held it. */
export function exitAfterGrace(graceMs = EXIT_GRACE_MS): void {
  const timer = setTimeout(() => {
    const held = process.getActiveResourcesInfo().filter((r) => r !== 'Timeout');
    process.stderr.write(
      `shutterfind: finished, but ${held.length ? held.join(', ') : 'something'} still pending after ${graceMs / 1000} s ` +
        '(a drive or network share that stopped answering?); exiting anyway.\n',
    );
    process.exit(process.exitCode ?? 0);
  }, graceMs);
  // Never the reason the process stays up.
  timer.unref();
}
