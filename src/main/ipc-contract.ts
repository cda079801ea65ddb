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

export const IPC_ARGS = {
  [IPC.pickFolder]: pickFolderArgs,
  [IPC.openKiosk]: openKioskArgs,
  [IPC.listDisplays]: noArgs,
  [IPC.appVersion]: noArgs,
  [IPC.updateState]: noArgs,
  [IPC.chooseUpdate]: chooseUpdateArgs,
} as const satisfies Record<IpcChannel, z.ZodType>;

export type IpcArgs<C extends IpcChannel> = z.infer<(typeof IPC_ARGS)[C]>;

export class IpcRefusedError extends Error {
  override name = 'IpcRefusedError';
}

/** The arguments of a call, parsed; throws IpcRefusedError saying why for a wrong sender or wrong arguments. */
export function acceptIpcCall<C extends IpcChannel>(
  channel: C,
  senderUrl: string,
  engineOrigin: string | null,
  args: unknown[],
): IpcArgs<C> {
  if (engineOrigin === null || !sameOrigin(senderUrl, engineOrigin)) {
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
