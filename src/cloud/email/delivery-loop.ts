// Runs the email round in the background of `cloud serve`: every few seconds, and at once when
// kicked (a batch just brought deliveries). Rounds never overlap within one process.
import { sendWaitingDeliveries, type DeliveryRound, type SendWaitingDeliveriesOptions } from './send-waiting-deliveries.js';

/** Often enough that an attendee's email leaves within seconds of the laptop's sync. */
export const DELIVERY_LOOP_INTERVAL_MS = 5_000;

export interface DeliveryLoopOptions extends SendWaitingDeliveriesOptions {
  intervalMs?: number;
  /** A round that failed as a whole (database unreachable): logged, and tried again next time. */
  onError?: (err: Error) => void;
  onRound?: (round: DeliveryRound) => void;
}

export interface DeliveryLoop {
  /** Runs a round now (or right after the one running). */
  kick(): void;
  /** Stops the timer and waits for a round in progress to finish. */
  stop(): Promise<void>;
}

export function startDeliveryLoop(options: DeliveryLoopOptions): DeliveryLoop {
  const intervalMs = options.intervalMs ?? DELIVERY_LOOP_INTERVAL_MS;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const schedule = () => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, intervalMs);
  };

  function run(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    timer = null;
    running = (async () => {
      try {
        const round = await sendWaitingDeliveries(options);
        options.onRound?.(round);
      } catch (err) {
        options.onError?.(err instanceof Error ? err : new Error(String(err)));
      }
    })().finally(() => {
      running = null;
      if (again && !stopped) {
        again = false;
        run();
      } else {
        schedule();
      }
    });
  }

  run();
  return {
    kick: run,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
  };
}
