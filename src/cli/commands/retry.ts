// `shutterfind retry --event NAME`: try failed photos again (after fixing permissions, freeing disk...).
import { openEngine } from '../../core/index.js';
import type { CommandContext } from '../context.js';

export interface RetrySummary {
  event: string;
  requeued: number;
  reexamined: number;
  ready: number;
  stillFailed: number;
}

export async function runRetry(ctx: CommandContext, eventName: string): Promise<RetrySummary> {
  const engine = await openEngine({ dataDir: ctx.dataDir, log: ctx.log, mode: 'one-shot' });
  try {
    const session = await engine.openEvent(eventName);
    const before = engine.catalogue.photoCounts(session.event.id);
    const { requeued, reexamined } = engine.retryFailed(eventName);
    await session.intake.settled();
    await engine.whenIdle(session.event.id);
    const after = engine.catalogue.photoCounts(session.event.id);
    return { event: eventName, requeued, reexamined, ready: after.ready - before.ready, stillFailed: after.failed };
  } finally {
    await engine.stop();
  }
}

export function formatRetry(s: RetrySummary): string {
  return `Retried ${s.requeued + s.reexamined} photo(s): ${s.ready} now ready, ${s.stillFailed} still failed`;
}
