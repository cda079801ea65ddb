// The preload bridge's calls: channel names, each argument's schema (zod), and the check that
// a call comes from the engine's own page. The main process validates every argument again:
// a compromised page could call ipcRenderer with anything.
import { z } from 'zod';
import { sameOrigin } from './navigation-policy.js';

export const IPC = {
  pickFolder: 'shutterfind:pick-folder',
  openKiosk: 'shutterfind:open-kiosk',
  listDisplays: 'shutterfind:list-displays',
  appVersion: 'shutterfind:app-version',
  updateState: 'shutterfind:update-state',
  chooseUpdate: 'shutterfind:choose-update',
  completeSetup: 'shutterfind:complete-setup',
} as const;

export type IpcChannel = (typeof IPC)[keyof typeof IPC];

export const pickFolderArgs = z.tuple([
  z
    .object({ title: z.string().min(1).max(200) })
    .strict()
    .optional(),
]);
export const openKioskArgs = z.tuple([z.object({ displayId: z.number().int().nonnegative().optional() }).strict()]);
export const noArgs = z.tuple([]);
export const chooseUpdateArgs = z.tuple([
  z
    .object({
      version: z.string().regex(/^\d+\.\d+\.\d+(?:-[\w.]+)?$/, 'a version such as 1.2.3'),
      choice: z.enum(['when-event-ends', 'on-next-quit', 'skip-version', 'install-now']),
    })
    .strict(),
]);

/** The setup's fields are checked by checkFirstRunSetup, which names each problem for the page. */
export const completeSetupArgs = z.tuple([z.record(z.string(), z.unknown())]);

export const IPC_ARGS = {
  [IPC.pickFolder]: pickFolderArgs,
  [IPC.openKiosk]: openKioskArgs,
  [IPC.listDisplays]: noArgs,
  [IPC.appVersion]: noArgs,
  [IPC.updateState]: noArgs,
  [IPC.chooseUpdate]: chooseUpdateArgs,
  [IPC.completeSetup]: completeSetupArgs,
} as const satisfies Record<IpcChannel, z.ZodType>;

/** Which of the shell's pages may make each call: the first-run page only picks folders and completes the setup. */
export type ShellPage = 'engine' | 'setup';
const PAGES_ALLOWED: Record<IpcChannel, readonly ShellPage[]> = {
  [IPC.pickFolder]: ['engine', 'setup'],
  [IPC.openKiosk]: ['engine'],
  [IPC.listDisplays]: ['engine'],
  [IPC.appVersion]: ['engine', 'setup'],
  [IPC.updateState]: ['engine'],
  [IPC.chooseUpdate]: ['engine'],
  [IPC.completeSetup]: ['setup'],
};

/** Where the shell's pages live now: the engine's origin (null while it starts or reconnects) and the setup page's. */
export interface ShellOrigins {
  engine: string | null;
  setup: string;
}

export type IpcArgs<C extends IpcChannel> = z.infer<(typeof IPC_ARGS)[C]>;

export class IpcRefusedError extends Error {
  override name = 'IpcRefusedError';
}

/** The arguments of a call, parsed; throws IpcRefusedError saying why for a wrong sender or wrong arguments. */
export function acceptIpcCall<C extends IpcChannel>(channel: C, senderUrl: string, origins: ShellOrigins, args: unknown[]): IpcArgs<C> {
  const trusted = PAGES_ALLOWED[channel].some((page) => {
    const origin = origins[page];
    return origin !== null && sameOrigin(senderUrl, origin);
  });
  if (!trusted) {
    throw new IpcRefusedError(`${channel} refused: called from ${senderUrl || 'an unknown page'}, not from Shutterfind's own pages`);
  }
  const parsed = IPC_ARGS[channel].safeParse(args);
  if (!parsed.success) {
    throw new IpcRefusedError(
      `${channel} refused: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data as IpcArgs<C>;
}
