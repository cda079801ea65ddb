import { describe, expect, it } from 'vitest';
import { decideUpdate, type UpdateState } from '../../../src/main/update-policy.js';

const downloaded = { phase: 'downloaded', version: '1.4.0' } as const;
const base: UpdateState = { updater: downloaded, eventLive: false, skippedVersions: [], quitting: false };

describe('what happens to a downloaded update', () => {
  it.each<[string, Partial<UpdateState>, ReturnType<typeof decideUpdate>]>([
    [
      'during an event, asks with "when the event ends", "on next quit" and "skip this version" (no install now)',
      { eventLive: true },
      { action: 'ask', version: '1.4.0', offers: ['when-event-ends', 'on-next-quit', 'skip-version'] },
    ],
    [
      'between events, also offers to install now',
      {},
      { action: 'ask', version: '1.4.0', offers: ['install-now', 'on-next-quit', 'skip-version'] },
    ],
    [
      '"when the event ends" waits while the event is live',
      { eventLive: true, choice: { version: '1.4.0', choice: 'when-event-ends' } },
      { action: 'wait', version: '1.4.0', until: 'event-ends' },
    ],
    [
      '"when the event ends" installs once it has ended',
      { choice: { version: '1.4.0', choice: 'when-event-ends' } },
      { action: 'install-and-restart', version: '1.4.0' },
    ],
    [
      '"install now" chosen before an event started still waits for the event to end',
      { eventLive: true, choice: { version: '1.4.0', choice: 'install-now' } },
      { action: 'wait', version: '1.4.0', until: 'event-ends' },
    ],
    [
      '"on next quit" waits for the quit, event or not',
      { choice: { version: '1.4.0', choice: 'on-next-quit' } },
      { action: 'wait', version: '1.4.0', until: 'quit' },
    ],
    [
      'installs while the app quits, even during an event (the photographer closed it)',
      { eventLive: true, quitting: true, choice: { version: '1.4.0', choice: 'on-next-quit' } },
      { action: 'install-on-quit', version: '1.4.0' },
    ],
    ['a skipped version is never offered again', { skippedVersions: ['1.4.0'] }, { action: 'nothing' }],
    [
      '"skip this version" for 1.4.0 does not hold for a newer 1.5.0',
      { updater: { phase: 'downloaded', version: '1.5.0' }, choice: { version: '1.4.0', choice: 'skip-version' } },
      { action: 'ask', version: '1.5.0', offers: ['install-now', 'on-next-quit', 'skip-version'] },
    ],
    [
      'a download in progress shows its progress and nothing else',
      { eventLive: true, updater: { phase: 'downloading', version: '1.4.0', percent: 42 } },
      { action: 'show-progress', version: '1.4.0', percent: 42 },
    ],
    ['no update: nothing to do', { updater: { phase: 'idle' } }, { action: 'nothing' }],
    [
      'a failed check is reported, never retried as an install',
      { updater: { phase: 'error', message: 'feed unreachable' } },
      { action: 'report-error', message: 'feed unreachable' },
    ],
  ])('%s', (_what, change, expected) => {
    expect(decideUpdate({ ...base, ...change })).toEqual(expected);
  });

  it('never installs or restarts while an event is live, whatever the choice', () => {
    for (const choice of ['when-event-ends', 'on-next-quit', 'skip-version', 'install-now'] as const) {
      const action = decideUpdate({ ...base, eventLive: true, choice: { version: '1.4.0', choice } }).action;
      expect(action).not.toBe('install-and-restart');
    }
  });
});
