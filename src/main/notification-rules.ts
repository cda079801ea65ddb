// OS notifications for what needs a person: a watched folder went offline, the disk is low,
// many photos failed in a row. Each condition is announced once when it starts and again only
// after it has cleared and come back — a notification every poll would be switched off by day two.

/** Failures in a row that say something is wrong (a card reader, a corrupt batch) rather than one bad file. */
export const FAILURES_IN_A_ROW_WORTH_A_NOTICE = 5;

export interface HealthSnapshot {
  folders: readonly { path: string; state: 'watching' | 'offline' | 'removed' }[];
  storage: { freeBytes: number; low: boolean } | null;
  /** Photos that failed one after another, with no photo ready in between. */
  failuresInARow: number;
}

export interface Notice {
  /** Stable per condition: what "no repeats" is keyed on. */
  key: string;
  title: string;
  body: string;
}

/** The conditions already announced and still true. */
export type NoticeMemory = ReadonlySet<string>;

export function noticesFor(snapshot: HealthSnapshot, announced: NoticeMemory): { notices: Notice[]; announced: Set<string> } {
  const current: Notice[] = [];
  for (const folder of snapshot.folders) {
    if (folder.state === 'offline') {
      current.push({
        key: `folder-offline:${folder.path}`,
        title: 'A watched folder went offline',
        body: `${folder.path} cannot be read (card or drive unplugged?). Photos there wait until it is back.`,
      });
    }
  }
  if (snapshot.storage?.low) {
    const gb = (snapshot.storage.freeBytes / 1e9).toFixed(1);
    current.push({
      key: 'disk-low',
      title: 'The disk is almost full',
      body: `${gb} GB left for photos: free space or move the data folder.`,
    });
  }
  if (snapshot.failuresInARow >= FAILURES_IN_A_ROW_WORTH_A_NOTICE) {
    current.push({
      key: 'failures-in-a-row',
      title: 'Photos are failing',
      body: `${snapshot.failuresInARow} photos in a row could not be processed: see Errors in the console.`,
    });
  }
  return { notices: current.filter((n) => !announced.has(n.key)), announced: new Set(current.map((n) => n.key)) };
}
