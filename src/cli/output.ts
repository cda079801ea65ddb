// How commands talk to people (text, progress bars on a terminal) and to scripts (--json).
import cliProgress from 'cli-progress';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export interface Progress {
  setTotal(total: number): void;
  tick(): void;
  stop(): void;
}

/** A progress bar only where a person is watching: never in --json mode or when piped. */
export function createProgress(label: string, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return { setTotal() {}, tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} | {eta_formatted} left`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(0, 0);
  return {
    setTotal: (total) => bar.setTotal(total),
    tick: () => bar.increment(),
    stop: () => bar.stop(),
  };
}

/** A failure the user can act on: printed as one line (or JSON), exit code 1, no stack trace. */
export class UserFacingError extends Error {
  override name = 'UserFacingError';
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}
