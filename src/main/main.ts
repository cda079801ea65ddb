// The Electron main process: thin. It keeps one app instance, runs the engine in a utility
// process (engine-host.ts), opens the operator console signed in and the kiosk full-screen on
// its screen, and turns the engine's state into a tray line, notifications, keep-awake and
// update prompts. Every decision is a pure module beside this file; this one only wires Electron.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  powerMonitor,
  powerSaveBlocker,
  protocol,
  screen,
  session,
  shell,
  Tray,
  utilityProcess,
  type MenuItemConstructorOptions,
  type WebContents,
} from 'electron';
import electronUpdater from 'electron-updater';
import type { Overview, SourceView } from '../api/index.js';
import { dataDirLayout, resolveDataDir } from '../config/index.js';
import { readDesktopPreferences, type DesktopPreferences } from './desktop-preferences.js';
import { isEventLive, powerSaveNeed } from './event-live.js';
import { checkFirstRunSetup, type FirstRunSetup, type PathFacts } from './first-run-setup.js';
import { forkEngineChannel } from './fork-channel.js';
import { startEngineHost, type EngineHost, type EngineState } from './engine-host.js';
import type { EngineChannel, ShellMessage } from './engine-protocol.js';
import { acceptIpcCall, IPC, type IpcChannel, type IpcArgs } from './ipc-contract.js';
import { chooseKioskDisplay, type DisplayFacts } from './kiosk-display.js';
import { decideWindowOpen, mayNavigate, mayUseCamera } from './navigation-policy.js';
import { noticesFor } from './notification-rules.js';
import { SETUP_ORIGIN, setupPageHtml } from './setup-page.js';
import { trayCounts, trayTitle, type TrayCounts } from './tray-counts.js';
import { TRAY_ICON_SIZE, trayIconBitmap } from './tray-icon.js';
import { decideUpdate, type UpdateChoice, type UpdaterPhase } from './update-policy.js';

const { autoUpdater } = electronUpdater;
const here = dirname(fileURLToPath(import.meta.url));
const PRELOAD = join(here, 'preload.cjs');
const ENGINE_ENTRY = join(here, 'engine-process.js');
/** How often the tray and notifications look at the engine: often enough to notice a card pulled mid-shoot. */
const HEALTH_POLL_MS = 5_000;
/** Leaving kiosk mode: a chord no guest presses by accident (Ctrl/Cmd+Alt+Shift+K), then the operator confirms. */
const LEAVE_KIOSK_KEY = 'k';

// ---- preferences (userData/desktop.json) ----

const preferencesFile = (): string => join(app.getPath('userData'), 'desktop.json');
function loadPreferences(): DesktopPreferences {
  const file = preferencesFile();
  const { preferences, problem } = readDesktopPreferences(existsSync(file) ? readFileSync(file, 'utf8') : null);
  if (problem) console.warn(`Shutterfind: ${file} could not be read (${problem}); starting with the first-run setup`);
  return preferences;
}
function savePreferences(p: DesktopPreferences): void {
  mkdirSync(dirname(preferencesFile()), { recursive: true });
  writeFileSync(preferencesFile(), `${JSON.stringify(p, null, 2)}\n`);
}

function pathFacts(path: string): PathFacts {
  const writable = (p: string): boolean => {
    try {
      accessSync(p, constants.W_OK);
      return true;
    } catch {
      // Not writable (or gone): the setup says so next to the field.
      return false;
    }
  };
  if (!existsSync(path)) return { kind: 'missing', parentWritable: writable(dirname(path)) };
  return statSync(path).isDirectory() ? { kind: 'folder', writable: writable(path) } : { kind: 'file' };
}

// ---- the engine process ----

/**
 * The packaged app runs the engine in Electron's utilityProcess (native modules rebuilt for
 * Electron's ABI by electron-builder). From a checkout (`npm start`), it runs under the Node that
 * started npm, so better-sqlite3 and sharp stay built for Node and the `shutterfind` CLI keeps
 * working in the same checkout.
 */
function spawnEngine(): EngineChannel {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (app.isPackaged) {
    env.SHUTTERFIND_FACE_MODEL_DIR = join(process.resourcesPath, 'models', 'face');
    env.SHUTTERFIND_MATCH_CONFIG = join(process.resourcesPath, 'models', 'face', 'match-threshold.json');
  }
  const node = process.env.SHUTTERFIND_NODE;
  if (!app.isPackaged && node) return forkEngineChannel(ENGINE_ENTRY, { execPath: node, env, onStderr: (s) => process.stderr.write(s) });
  const child = utilityProcess.fork(ENGINE_ENTRY, [], { serviceName: 'Shutterfind engine', env, stdio: 'inherit' });
  return {
    get pid() {
      return child.pid;
    },
    send: (message: ShellMessage) => child.postMessage(message),
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void child.once('exit', (code) => listener(code)),
    kill: () => void child.kill(),
  };
}

// ---- the app ----

let preferences: DesktopPreferences;
let engine: EngineHost | null = null;
let engineOrigin: string | null = null;
let operatorWindow: BrowserWindow | null = null;
let setupWindow: BrowserWindow | null = null;
let kioskWindow: BrowserWindow | null = null;
let leavingKiosk = false;
let tray: Tray | null = null;
let counts: TrayCounts | null = null;
let announced: ReadonlySet<string> = new Set();
let activity = { lastPhotoAt: null as number | null, failuresInARow: 0, queueDepth: 0, watchedFolders: 0 };
let powerBlock: { id: number; type: string } | null = null;
let updater: UpdaterPhase = { phase: 'idle' };
let updateChoice: { version: string; choice: UpdateChoice } | undefined;
let quitting = false;

const secureWebPreferences = {
  preload: PRELOAD,
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  webSecurity: true,
  webviewTag: false,
} as const;

function eventLive(): boolean {
  return isEventLive({ kioskOpen: kioskWindow !== null, ...activity, now: Date.now() });
}

function engineStateChanged(state: EngineState): void {
  const connection =
    state.state === 'running' ? 'connected' : state.state === 'reconnecting' || state.state === 'starting' ? 'reconnecting' : 'stopped';
  tray?.setToolTip(trayTitle(counts, connection));
  for (const win of [operatorWindow, kioskWindow]) {
    if (!win) continue;
    if (state.state === 'reconnecting') win.setTitle('Shutterfind — reconnecting to the engine…');
    // Back on the same address: the pages reload and carry on (their data is all in the engine).
    if (state.state === 'running') {
      win.setTitle('Shutterfind');
      win.webContents.reload();
    }
  }
  if (state.state === 'failed') dialog.showErrorBox('Shutterfind could not start its engine', state.message);
}

async function startEngine(setup: FirstRunSetup): Promise<void> {
  engine = startEngineHost({
    spawn: spawnEngine,
    request: { dataDir: setup.dataDir, event: setup.eventName, watch: setup.folders, port: 0, lan: false },
    onState: engineStateChanged,
    onActivity: (a) => {
      activity = { ...activity, lastPhotoAt: a.lastPhotoAt, failuresInARow: a.failuresInARow };
    },
  });
  const ready = await engine.whenRunning();
  engineOrigin = new URL(ready.url).origin;
  openOperatorWindow();
  setInterval(() => void pollHealth(), HEALTH_POLL_MS).unref();
}

function openOperatorWindow(): void {
  const state = engine?.current();
  if (state?.state !== 'running') return;
  if (operatorWindow) return void operatorWindow.focus();
  operatorWindow = new BrowserWindow({ width: 1400, height: 900, title: 'Shutterfind', webPreferences: secureWebPreferences });
  operatorWindow.on('closed', () => (operatorWindow = null));
  // Signed in without copying a token: the console takes ?token= once and keeps a cookie.
  void operatorWindow.loadURL(`${state.ready.url}/console?token=${encodeURIComponent(state.ready.operatorToken)}`);
}

function displays(): DisplayFacts[] {
  return screen.getAllDisplays().map((d) => ({ id: d.id, internal: d.internal, label: d.label, bounds: d.bounds }));
}

function openKiosk(displayId: number | undefined): void {
  const state = engine?.current();
  if (state?.state !== 'running') throw new Error('The engine is not running yet: open the kiosk once the console shows the event');
  const choice = chooseKioskDisplay(displays(), screen.getPrimaryDisplay().id, displayId ?? preferences.kioskDisplayId);
  if (!choice.display) throw new Error('No display found for the kiosk: connect the screen and try again');
  if (displayId !== undefined) savePreferences((preferences = { ...preferences, kioskDisplayId: displayId }));
  kioskWindow?.destroy();
  const { x, y, width, height } = choice.display.bounds;
  const win = new BrowserWindow({ x, y, width, height, fullscreen: true, kiosk: true, frame: false, webPreferences: secureWebPreferences });
  kioskWindow = win;
  win.on('close', (e) => {
    // Alt+F4 or Cmd+W from a guest: only the operator's chord closes the kiosk.
    if (!leavingKiosk && !quitting) e.preventDefault();
  });
  win.on('closed', () => {
    kioskWindow = null;
    leavingKiosk = false;
    updateKeepAwake();
  });
  win.webContents.on('before-input-event', (event, input) => {
    const chord =
      input.type === 'keyDown' && input.key.toLowerCase() === LEAVE_KIOSK_KEY && input.alt && input.shift && (input.control || input.meta);
    if (!chord) return;
    event.preventDefault();
    void leaveKiosk();
  });
  void win.loadURL(`${state.ready.url}/kiosk`);
  updateKeepAwake();
}

/** From the tray: a kiosk that cannot open says why in a box instead of failing silently. */
function tryOpenKiosk(): void {
  try {
    openKiosk(undefined);
  } catch (err) {
    dialog.showErrorBox('The kiosk could not open', (err as Error).message);
  }
}

async function leaveKiosk(): Promise<void> {
  const win = kioskWindow;
  if (!win) return;
  win.setKiosk(false);
  const { response } = await dialog.showMessageBox(win, {
    type: 'question',
    buttons: ['Close the kiosk', 'Keep it open'],
    defaultId: 1,
    cancelId: 1,
    message: 'Close the kiosk screen?',
    detail: 'Guests will no longer be able to find their photos on this screen.',
  });
  if (response === 0) {
    leavingKiosk = true;
    win.close();
  } else {
    win.setKiosk(true);
  }
}

function updateKeepAwake(): void {
  const need = powerSaveNeed({ eventLive: eventLive(), kioskOpen: kioskWindow !== null });
  if (powerBlock?.type === need) return;
  if (powerBlock) powerSaveBlocker.stop(powerBlock.id);
  powerBlock = need === 'none' ? null : { id: powerSaveBlocker.start(need), type: need };
}

async function pollHealth(): Promise<void> {
  const state = engine?.current();
  if (state?.state !== 'running') return;
  const headers = { authorization: `Bearer ${state.ready.operatorToken}` };
  try {
    const overview = (await (await fetch(`${state.ready.url}/api/overview`, { headers })).json()) as Overview;
    const { sources } = (await (await fetch(`${state.ready.url}/api/sources`, { headers })).json()) as { sources: SourceView[] };
    counts = trayCounts(overview);
    activity = { ...activity, queueDepth: overview.queue.depth, watchedFolders: sources.filter((s) => s.state !== 'removed').length };
    tray?.setToolTip(trayTitle(counts, 'connected'));
    if (process.platform === 'darwin') tray?.setTitle(`${counts.ready}`);
    const result = noticesFor({ folders: sources, storage: overview.storage, failuresInARow: activity.failuresInARow }, announced);
    announced = result.announced;
    if (Notification.isSupported()) for (const n of result.notices) new Notification({ title: n.title, body: n.body }).show();
    updateKeepAwake();
    applyUpdatePolicy();
  } catch (err) {
    // The engine is restarting: its state change already says "reconnecting".
    console.warn(`Shutterfind: could not read the engine's overview (${(err as Error).message})`);
  }
}

// ---- updates ----

function applyUpdatePolicy(): void {
  const action = decideUpdate({
    updater,
    eventLive: eventLive(),
    skippedVersions: preferences.skippedVersions,
    quitting,
    ...(updateChoice ? { choice: updateChoice } : {}),
  });
  autoUpdater.autoInstallOnAppQuit =
    decideUpdate({ updater, eventLive: eventLive(), skippedVersions: preferences.skippedVersions, quitting: true }).action ===
    'install-on-quit';
  if (action.action === 'install-and-restart') autoUpdater.quitAndInstall(false, true);
  if (action.action === 'ask' && updateChoice?.version !== action.version) void askAboutUpdate(action.version, action.offers);
}

const OFFER_LABELS: Record<UpdateChoice, string> = {
  'install-now': 'Install and restart now',
  'when-event-ends': 'Install when the event ends',
  'on-next-quit': 'Install on next quit',
  'skip-version': 'Skip this version',
};

let asking = false;
async function askAboutUpdate(version: string, offers: UpdateChoice[]): Promise<void> {
  if (asking || !operatorWindow) return;
  asking = true;
  const { response } = await dialog.showMessageBox(operatorWindow, {
    type: 'info',
    buttons: offers.map((o) => OFFER_LABELS[o]),
    message: `Shutterfind ${version} is ready to install`,
    detail: eventLive() ? 'An event is live: Shutterfind will not restart until you say so.' : '',
  });
  asking = false;
  chooseUpdate(version, offers[response] ?? 'on-next-quit');
}

function chooseUpdate(version: string, choice: UpdateChoice): void {
  updateChoice = { version, choice };
  if (choice === 'skip-version')
    savePreferences((preferences = { ...preferences, skippedVersions: [...preferences.skippedVersions, version] }));
  applyUpdatePolicy();
}

function setUpUpdates(): void {
  const feed = process.env.SHUTTERFIND_UPDATE_URL ?? preferences.updateFeed;
  if (!app.isPackaged && !feed) return;
  if (feed) autoUpdater.setFeedURL({ provider: 'generic', url: feed });
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = false;
  autoUpdater.on('checking-for-update', () => (updater = { phase: 'checking' }));
  autoUpdater.on('update-not-available', () => (updater = { phase: 'idle' }));
  autoUpdater.on('download-progress', (p) => {
    updater = { phase: 'downloading', version: updater.phase === 'downloading' ? updater.version : '', percent: Math.round(p.percent) };
  });
  autoUpdater.on('update-available', (info) => (updater = { phase: 'downloading', version: info.version, percent: 0 }));
  autoUpdater.on('update-downloaded', (info) => {
    updater = { phase: 'downloaded', version: info.version };
    applyUpdatePolicy();
  });
  autoUpdater.on('error', (err) => (updater = { phase: 'error', message: err.message }));
  void autoUpdater.checkForUpdates();
}

// ---- IPC, navigation, permissions ----

function handle<C extends IpcChannel>(channel: C, body: (args: IpcArgs<C>) => unknown): void {
  ipcMain.handle(channel, (event, ...args: unknown[]) =>
    body(acceptIpcCall(channel, event.senderFrame?.url ?? '', { engine: engineOrigin, setup: SETUP_ORIGIN }, args)),
  );
}

function registerIpc(): void {
  handle(IPC.pickFolder, async ([options]) => {
    const parent = BrowserWindow.getFocusedWindow();
    const dialogOptions = {
      title: options?.title ?? 'Choose a folder',
      properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[],
    };
    const result = parent ? await dialog.showOpenDialog(parent, dialogOptions) : await dialog.showOpenDialog(dialogOptions);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  });
  handle(IPC.openKiosk, ([options]) => openKiosk(options.displayId));
  handle(IPC.listDisplays, () => displays().map(({ id, label, internal }) => ({ id, label, internal })));
  handle(IPC.appVersion, () => app.getVersion());
  handle(IPC.updateState, () => decideUpdate({ updater, eventLive: eventLive(), skippedVersions: preferences.skippedVersions, quitting }));
  handle(IPC.chooseUpdate, ([c]) => chooseUpdate(c.version, c.choice));
  handle(IPC.completeSetup, ([input]) => {
    const check = checkFirstRunSetup(input, pathFacts);
    if (check.ok) {
      savePreferences((preferences = { ...preferences, setup: check.setup }));
      setupWindow?.close();
      void startEngine(check.setup);
    }
    return check;
  });
}

function guardContents(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => decideWindowOpen(url, engineOrigin));
  const guard = (event: { preventDefault(): void; url: string }): void => {
    if (!mayNavigate(event.url, engineOrigin) && !event.url.startsWith(`${SETUP_ORIGIN}/`)) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

function guardPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((contents, permission, callback, details) =>
    callback(mayUseCamera(permission, details.requestingUrl || contents.getURL(), engineOrigin)),
  );
  session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    mayUseCamera(permission, details.requestingUrl ?? requestingOrigin, engineOrigin),
  );
}

// ---- menu and tray ----

function buildMenu(dataDir: string): void {
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [
      { label: 'Open data folder', click: () => void shell.openPath(dataDir) },
      { label: 'Open logs', click: () => void shell.openPath(dataDirLayout(dataDir).logs) },
    ],
  };
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' } as const] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    help,
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function buildTray(): void {
  tray = new Tray(nativeImage.createFromBitmap(trayIconBitmap(), { width: TRAY_ICON_SIZE, height: TRAY_ICON_SIZE }));
  tray.setToolTip(trayTitle(null, 'reconnecting'));
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Show the console', click: openOperatorWindow },
      { label: 'Open the kiosk', click: () => tryOpenKiosk() },
      { type: 'separator' },
      { label: 'Quit Shutterfind', role: 'quit' },
    ]),
  );
}

// ---- start ----

// A separate profile (the desktop suite gives each test its own): preferences, cookies, first run.
if (process.env.SHUTTERFIND_USER_DATA) app.setPath('userData', process.env.SHUTTERFIND_USER_DATA);

/**
 * What test/desktop drives that has no window of its own: an update arriving without a feed.
 * Only from a checkout with SHUTTERFIND_TEST_HOOKS=1, never in the packaged app.
 */
export interface DesktopTestHooks {
  updateDownloaded(version: string): void;
  installs: number;
}
if (!app.isPackaged && process.env.SHUTTERFIND_TEST_HOOKS === '1') {
  const hooks: DesktopTestHooks = {
    installs: 0,
    updateDownloaded: (version) => {
      updater = { phase: 'downloaded', version };
      applyUpdatePolicy();
    },
  };
  autoUpdater.quitAndInstall = () => void (hooks.installs += 1);
  (globalThis as { shutterfindTestHooks?: DesktopTestHooks }).shutterfindTestHooks = hooks;
}

protocol.registerSchemesAsPrivileged([{ scheme: 'shutterfind', privileges: { standard: true, secure: true } }]);

if (!app.requestSingleInstanceLock()) {
  // Another Shutterfind window is already open: it is brought to the front instead.
  app.quit();
} else {
  app.on('second-instance', () => {
    const win = operatorWindow ?? setupWindow;
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });
  app.on('web-contents-created', (_event, contents) => guardContents(contents));
  app.on('window-all-closed', () => {
    // Once the engine runs, the tray keeps it (and the kiosk's photos) going and quitting is
    // explicit; a first-run page closed before the setup was done simply ends the app.
    if (!engine) app.quit();
  });
  app.on('activate', openOperatorWindow);
  app.on('before-quit', (event) => {
    if (quitting || !engine) return;
    quitting = true;
    event.preventDefault();
    applyUpdatePolicy();
    void engine.stop().finally(() => app.quit());
  });

  void app.whenReady().then(() => {
    preferences = loadPreferences();
    const dataDir = preferences.setup?.dataDir ?? resolveDataDir(undefined);
    protocol.handle(
      'shutterfind',
      () => new Response(setupPageHtml({ dataDir }), { headers: { 'content-type': 'text/html; charset=utf-8' } }),
    );
    guardPermissions();
    registerIpc();
    buildMenu(dataDir);
    buildTray();
    setUpUpdates();
    // After a sleep the engine's watcher carries on by itself; the tray and notifications look again at once.
    powerMonitor.on('resume', () => void pollHealth());
    if (preferences.setup) {
      void startEngine(preferences.setup);
    } else {
      setupWindow = new BrowserWindow({ width: 640, height: 720, title: 'Set up Shutterfind', webPreferences: secureWebPreferences });
      setupWindow.on('closed', () => (setupWindow = null));
      void setupWindow.loadURL(`${SETUP_ORIGIN}/`);
    }
  });
}
