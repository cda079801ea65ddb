// The preload bridge: the only way the console, kiosk and first-run pages reach the desktop
// shell. A sandboxed preload runs as a plain CommonJS script that can require nothing but
// electron, hence .cts and the channel names written out here (`invoke` takes only the channel
// names of ipc-contract.ts); the main process validates every argument and the sender's origin again.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload is a CommonJS script
import electron = require('electron');
import type { IpcChannel } from './ipc-contract.js';
import type { UpdateChoice, UpdateAction } from './update-policy.js';
import type { SetupCheck } from './first-run-setup.js';

const invoke = (c: IpcChannel, ...args: unknown[]): Promise<unknown> => electron.ipcRenderer.invoke(c, ...args);

const bridge = {
  /** The OS folder picker; the chosen folder's path, or null when cancelled. */
  pickFolder: (options?: { title: string }) => invoke('shutterfind:pick-folder', ...(options ? [options] : [])) as Promise<string | null>,
  /** The kiosk full-screen on a display (the operator's pick, else the external one). */
  openKiosk: (options: { displayId?: number } = {}) => invoke('shutterfind:open-kiosk', options) as Promise<void>,
  listDisplays: () => invoke('shutterfind:list-displays') as Promise<{ id: number; label: string; internal: boolean }[]>,
  appVersion: () => invoke('shutterfind:app-version') as Promise<string>,
  updateState: () => invoke('shutterfind:update-state') as Promise<UpdateAction>,
  chooseUpdate: (version: string, choice: UpdateChoice) => invoke('shutterfind:choose-update', { version, choice }) as Promise<void>,
  completeSetup: (setup: { eventName: string; folders: string[]; dataDir: string }) =>
    invoke('shutterfind:complete-setup', setup) as Promise<SetupCheck>,
};

export type ShutterfindBridge = typeof bridge;

electron.contextBridge.exposeInMainWorld('shutterfind', bridge);
