// Opening the data dir's database for one named event, with the errors a user should see when
// there is no data yet or no such event. The database is closed when the work is done.
import { existsSync } from 'node:fs';
import { dataDirLayout } from '../../config/index.js';
import { createRepositories, openDatabase, type Database, type Event, type Repositories } from '../../store/index.js';
import type { CommandContext } from '../context.js';
import { UserFacingError } from '../output.js';

function openEvent(ctx: CommandContext, eventName: string): { db: Database; repos: Repositories; event: Event } {
  const layout = dataDirLayout(ctx.dataDir);
  if (!existsSync(layout.database)) {
    throw new UserFacingError(`No Shutterfind data in ${ctx.dataDir}: run \`shutterfind serve\` or \`shutterfind ingest\` first.`);
  }
  const db = openDatabase(layout.database);
  const repos = createRepositories(db);
  const event = repos.events.findEventByName(eventName);
  if (!event) {
    const known = repos.events.listEvents().map((e) => e.name);
    db.close();
    throw new UserFacingError(
      `No event named "${eventName}" in ${ctx.dataDir}.` + (known.length ? ` Events: ${known.join(', ')}` : ' There are no events yet.'),
    );
  }
  return { db, repos, event };
}

export async function withEventRepos<T>(ctx: CommandContext, eventName: string, fn: (repos: Repositories, event: Event) => T | Promise<T>): Promise<T> {
  const { db, repos, event } = openEvent(ctx, eventName);
  try {
    return await fn(repos, event);
  } finally {
    db.close();
  }
}

export function withEventReposSync<T>(ctx: CommandContext, eventName: string, fn: (repos: Repositories, event: Event) => T): T {
  const { db, repos, event } = openEvent(ctx, eventName);
  try {
    return fn(repos, event);
  } finally {
    db.close();
  }
}
