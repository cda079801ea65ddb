// Starts the real desktop app (the built dist/src/main/main.js on Electron's binary) with a
// profile, data dir and hot folder of its own, and stubs the OS dialogs Playwright cannot click.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication } from '@playwright/test';
import { desktopMainScript, findElectron } from '../../../src/cli/commands/start.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SAMPLE_PHOTO = join(REPO_ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo', 'sample1.jpg');

export interface DesktopApp {
  app: ElectronApplication;
  root: string;
  userData: string;
  dataDir: string;
  hotFolder: string;
  close(): Promise<void>;
}

export async function launchDesktopApp(): Promise<DesktopApp> {
  const electron = findElectron();
  if (!electron.available) throw new Error(`The desktop suite needs Electron's binary: ${electron.reason}`);
  const root = await mkdtemp(join(tmpdir(), 'shutterfind-desktop-'));
  const userData = join(root, 'profile');
  const dataDir = join(root, 'data');
  const hotFolder = join(root, 'tether');
  await mkdir(hotFolder);
  const app = await _electron.launch({
    executablePath: electron.binary,
    // Linux runners run as root in containers, where Chromium's sandbox cannot start.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), desktopMainScript(REPO_ROOT)],
    env: {
      ...process.env,
      SHUTTERFIND_USER_DATA: userData,
      SHUTTERFIND_NODE: process.execPath,
      SHUTTERFIND_TEST_HOOKS: '1',
    },
  });
  return {
    app,
    root,
    userData,
    dataDir,
    hotFolder,
    close: async () => {
      await app.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The next folder picker answers `folder` (a native dialog cannot be clicked from a test). */
export async function answerFolderPicker(app: ElectronApplication, folder: string): Promise<void> {
  await app.evaluate(({ dialog }, chosen) => {
    const answer = async () => ({ canceled: false, filePaths: [chosen] });
    dialog.showOpenDialog = answer as typeof dialog.showOpenDialog;
  }, folder);
}

/** Message boxes answer with the button whose label matches; every box's buttons are recorded. */
export async function answerMessageBoxes(app: ElectronApplication, pick: string): Promise<void> {
  await app.evaluate(({ dialog }, label) => {
    const asked: string[][] = [];
    (globalThis as { shutterfindAsked?: string[][] }).shutterfindAsked = asked;
    const answer = async (...args: unknown[]) => {
      const options = (args.length > 1 ? args[1] : args[0]) as { buttons?: string[] };
      const buttons = options.buttons ?? [];
      asked.push(buttons);
      const index = buttons.findIndex((b) => b.includes(label));
      return { response: index === -1 ? buttons.length - 1 : index, checkboxChecked: false };
    };
    dialog.showMessageBox = answer as typeof dialog.showMessageBox;
  }, pick);
}

export async function askedButtons(app: ElectronApplication): Promise<string[][]> {
  return app.evaluate(() => (globalThis as { shutterfindAsked?: string[][] }).shutterfindAsked ?? []);
}
