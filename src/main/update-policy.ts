// What to do about an update: a pure function of the updater's state, the event and the
// photographer's choice. The rule that matters: never install or restart while an event is
// live — a restart mid-event drops the kiosk and the tether watch in front of guests.

export type UpdaterPhase =
  | { phase: 'idle' }
  | { phase: 'checking' }
  | { phase: 'downloading'; version: string; percent: number }
  | { phase: 'downloaded'; version: string }
  | { phase: 'error'; message: string };

/** What the photographer chose for a downloaded version. */
export type UpdateChoice = 'when-event-ends' | 'on-next-quit' | 'skip-version' | 'install-now';

export interface UpdateState {
  updater: UpdaterPhase;
  eventLive: boolean;
  /** The photographer's choice for the downloaded version, if they made one. */
  choice?: { version: string; choice: UpdateChoice };
  skippedVersions: readonly string[];
  quitting: boolean;
}

export type UpdateOffer = 'when-event-ends' | 'on-next-quit' | 'skip-version' | 'install-now';

export type UpdateAction =
  | { action: 'nothing' }
  | { action: 'show-progress'; version: string; percent: number }
  /** Ask the photographer; `offers` are the buttons, in order. */
  | { action: 'ask'; version: string; offers: UpdateOffer[] }
  /** Keep the download and wait: the install happens when the condition comes true. */
  | { action: 'wait'; version: string; until: 'event-ends' | 'quit' }
  | { action: 'install-and-restart'; version: string }
  /** Install silently while the app quits (electron-updater's autoInstallOnAppQuit). */
  | { action: 'install-on-quit'; version: string }
  | { action: 'report-error'; message: string };

export function decideUpdate(state: UpdateState): UpdateAction {
  const u = state.updater;
  if (u.phase === 'error') return { action: 'report-error', message: u.message };
  if (u.phase === 'downloading') return { action: 'show-progress', version: u.version, percent: u.percent };
  if (u.phase !== 'downloaded') return { action: 'nothing' };
  const version = u.version;
  if (state.skippedVersions.includes(version)) return { action: 'nothing' };
  const choice = state.choice?.version === version ? state.choice.choice : undefined;

  if (choice === 'skip-version') return { action: 'nothing' };
  if (state.quitting) return { action: 'install-on-quit', version };
  if (choice === 'on-next-quit') return { action: 'wait', version, until: 'quit' };
  if (choice === 'when-event-ends' || choice === 'install-now') {
    // "Install now" chosen before an event started still waits for the event to end.
    return state.eventLive ? { action: 'wait', version, until: 'event-ends' } : { action: 'install-and-restart', version };
  }
  return {
    action: 'ask',
    version,
    offers: state.eventLive ? ['when-event-ends', 'on-next-quit', 'skip-version'] : ['install-now', 'on-next-quit', 'skip-version'],
  };
}
