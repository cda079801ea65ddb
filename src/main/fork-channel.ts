// The engine process as a Node child (child_process.fork): what tests use, and what the shell
// would use outside Electron. Electron's utilityProcess adapter is in main.ts.
import { fork, type ChildProcess } from 'node:child_process';
import type { EngineChannel, ShellMessage } from './engine-protocol.js';

export interface ForkOptions {
  /** The Node binary; by default the one running now. */
  execPath?: string;
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  /** Where the child's stderr goes: its log lines are the first place to look after a crash. */
  onStderr?: (chunk: string) => void;
}

export function forkEngineChannel(entry: string, options: ForkOptions = {}): EngineChannel {
  const child: ChildProcess = fork(entry, [], {
    execArgv: options.execArgv ?? [],
    ...(options.execPath ? { execPath: options.execPath } : {}),
    env: options.env ?? process.env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  child.stderr?.on('data', (d: Buffer) => options.onStderr?.(d.toString()));
  return {
    pid: child.pid,
    send: (message: ShellMessage) => {
      // A message to a process that just died is lost on purpose: its exit starts the restart.
      if (child.connected) child.send(message);
    },
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void child.once('exit', (code) => listener(code)),
    kill: () => void child.kill('SIGKILL'),
  };
}
