// The messages between the desktop shell and its engine process. The same messages travel over
// Electron's utilityProcess (in the app) and Node's child_process.fork (in tests and the
// headless fallback), so both sides validate what they receive with these schemas.
import { z } from 'zod';

export const startRequestSchema = z
  .object({
    type: z.literal('start'),
    dataDir: z.string().min(1),
    event: z.string().min(1),
    watch: z.array(z.string().min(1)),
    /** 0: any free port. A restart asks for the port the windows already use, so their origin stays the same. */
    port: z.number().int().min(0).max(65535),
    lan: z.boolean(),
  })
  .strict();

export const shellMessageSchema = z.discriminatedUnion('type', [startRequestSchema, z.object({ type: z.literal('stop') }).strict()]);

export const engineMessageSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('ready'),
      url: z.string().url(),
      kioskUrl: z.string().url(),
      publicUrl: z.string().url(),
      operatorToken: z.string().min(1),
      pid: z.number().int(),
    })
    .strict(),
  /** What the shell's notifications and keep-awake need and the HTTP API does not say. */
  z.object({ type: z.literal('activity'), lastPhotoAt: z.number().nullable(), failuresInARow: z.number().int().nonnegative() }).strict(),
  /** The engine could not start and starting it again will not help (data dir busy, port taken): the message says what to do. */
  z.object({ type: z.literal('failed'), message: z.string() }).strict(),
  z.object({ type: z.literal('stopped') }).strict(),
]);

export type StartRequest = z.infer<typeof startRequestSchema>;
export type ShellMessage = z.infer<typeof shellMessageSchema>;
export type EngineMessage = z.infer<typeof engineMessageSchema>;
export type EngineReady = Extract<EngineMessage, { type: 'ready' }>;

/**
 * One running engine process as the host sees it. Electron's UtilityProcess and a forked
 * ChildProcess both fit behind it with a few lines each.
 */
export interface EngineChannel {
  readonly pid: number | undefined;
  send(message: ShellMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Once, when the process has exited, with its exit code (null when killed by a signal). */
  onExit(listener: (code: number | null) => void): void;
  /** Ends the process at once (SIGKILL where there are signals). */
  kill(): void;
}
