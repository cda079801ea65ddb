// Facts the running engine publishes for other processes (`status` while `serve` runs), such
// as the ONNX Runtime provider the face stage uses.
import type { Database } from 'better-sqlite3';

export function createRuntimeInfoRepository(db: Database) {
  const upsert = db.prepare(
    'INSERT INTO runtime_info (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
  );
  const get = db.prepare<[string], { value: string; updated_at: number }>('SELECT value, updated_at FROM runtime_info WHERE key = ?');
  return {
    set(key: string, value: unknown, now: number): void {
      upsert.run(key, JSON.stringify(value), now);
    },
    get<T>(key: string): { value: T; updatedAt: number } | undefined {
      const row = get.get(key);
      return row ? { value: JSON.parse(row.value) as T, updatedAt: row.updated_at } : undefined;
    },
  };
}

export type RuntimeInfoRepository = ReturnType<typeof createRuntimeInfoRepository>;
