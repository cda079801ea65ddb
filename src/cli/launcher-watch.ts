// When the CLI runs under bin/shutterfind.js's allocator-tuning launcher, the engine must not
// outlive it: a launcher killed with SIGKILL (kill -9, the OOM killer) means the app was killed.

/** How often the engine checks that its launcher still exists. */
const LAUNCHER_CHECK_MS = 200;

export function dieWithLauncher(env: NodeJS.ProcessEnv = process.env): void {
  const launcher = Number(env.SHUTTERFIND_LAUNCHER_PID);
  if (!Number.isInteger(launcher) || launcher <= 0) return;
  const timer = setInterval(() => {
    // Re-parented: the launcher is gone without telling us. Go the same way, with no clean-up,
    // exactly as if this process had been killed with it.
    if (process.ppid !== launcher) process.kill(process.pid, 'SIGKILL');
  }, LAUNCHER_CHECK_MS);
  timer.unref();
}
