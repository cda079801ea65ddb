// `cloud serve`: the database migrated (once, whichever instance starts first), the app listening,
// and the email loop when SMTP is configured. Stateless: start as many as you like on one database.
import type { FastifyBaseLogger } from 'fastify';
import type { BlobStore } from './blobs/index.js';
import { buildCloudApp, type CloudAppDeps } from './cloud-app.js';
import { migrateCloudDatabase, openCloudDatabase, type CloudDatabase, type OpenCloudDatabaseOptions } from './database/index.js';
import { startDeliveryLoop, type DeliveryLoop, type Mailer } from './email/index.js';
import { startUploadSweeper, type UploadSweeper } from './abandoned-uploads.js';

export interface CloudServerOptions {
  databaseUrl: string;
  blobs: BlobStore;
  /** Where laptops and attendees reach this endpoint (behind a proxy: its public https address). */
  publicBaseUrl: string;
  host?: string;
  port?: number;
  /** Sends attendees' emails when given; without it deliveries wait in the database. */
  mailer?: Mailer;
  onError?: (err: Error, where: string) => void;
  /** Structured request log (see CloudAppDeps.logger). */
  logger?: FastifyBaseLogger;
  /** Behind one reverse proxy: client addresses from its X-Forwarded-For (see CloudAppDeps.trustProxy). */
  trustProxy?: boolean;
  /** Wrong guesses per address before a lock-out (see CloudAppDeps.guessLimits). */
  guessLimits?: CloudAppDeps['guessLimits'];
  /** Connections to the database (see OpenCloudDatabaseOptions; the defaults suit most). */
  database?: OpenCloudDatabaseOptions;
}

export interface CloudServer {
  /** The address it listens on (http://host:port). */
  url: string;
  db: CloudDatabase;
  close(): Promise<void>;
}

export async function startCloudServer(options: CloudServerOptions): Promise<CloudServer> {
  const db = openCloudDatabase(options.databaseUrl, options.database);
  let loop: DeliveryLoop | null = null;
  let sweeper: UploadSweeper | null = null;
  try {
    await migrateCloudDatabase(db);
    // Uploads laptops left half-done in a directory store: swept now and hourly (abandoned-uploads.ts).
    sweeper = startUploadSweeper(
      { db, blobs: options.blobs },
      {
        onError: (err) => options.onError?.(err, 'sweeping abandoned uploads'),
        onSweep: ({ removed }) => {
          if (removed.length > 0) options.logger?.info({ uploads: removed.length }, 'abandoned uploads swept');
        },
      },
    );
    if (options.mailer) {
      loop = startDeliveryLoop({
        pool: db.pool,
        mailer: options.mailer,
        publicBaseUrl: options.publicBaseUrl,
        onError: (err) => options.onError?.(err, 'sending emails'),
      });
    }
    const app = await buildCloudApp({
      db,
      blobs: options.blobs,
      publicBaseUrl: options.publicBaseUrl,
      ...(loop ? { onDeliveries: () => loop?.kick() } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.trustProxy ? { trustProxy: true } : {}),
      ...(options.guessLimits ? { guessLimits: options.guessLimits } : {}),
    });
    const address = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8787 });
    return {
      url: address,
      db,
      async close() {
        await app.close();
        await sweeper?.stop();
        await loop?.stop();
        options.mailer?.close();
        await db.close();
      },
    };
  } catch (err) {
    await sweeper?.stop();
    await loop?.stop();
    await db.close();
    throw err;
  }
}
