// How commands talk to people (text, progress bars on a terminal) and to scripts (--json).
import cliProgress from 'cli-progress';

/**
 * C0 and C1 control characters, DEL, and the Unicode bidirectional overrides and isolates. A
 * file name is whatever a camera tool (or anyone with access to the hot folder) wrote: printed
 * raw, an ESC sequence clears the operator's screen or recolours it, a newline forges a line of
 * `status`, a right-to-left override makes `gpj.exe` read as `exe.jpg`.
 */
const UNSAFE_FOR_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

/**
 * A value as it may be shown on a terminal: every control character visible as an escape
 * (`\e[2J`, `\n`, `\x07`, `\u202e`) instead of acted on. Backslashes are left alone (Windows
 * paths), so escaping twice changes nothing.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(UNSAFE_FOR_TERMINAL, (c) => {
    const named = NAMED_ESCAPES[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Template tag for every line a person reads (the non --json output): what is interpolated is
 * escaped, the template's own text (its line breaks and indents) is kept.
 * `human\`  ✗ ${path}\n      ${error}\``
 */
export function human(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += escapeControlCharacters(String(v)) + strings[i + 1]!;
  });
  return out;
}

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
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
