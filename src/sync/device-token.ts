// The device token an enrolment gave: a file readable by this user only, one per event, under
// <data dir>/sync/. Never in the database (a copied database hands out no cloud access) and
// never logged.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const tokenPath = (dataDir: string, eventId: number): string => join(dataDir, 'sync', `${eventId}.token`);

export function saveDeviceToken(dataDir: string, eventId: number, token: string): void {
  const path = tokenPath(dataDir, eventId);
  mkdirSync(join(dataDir, 'sync'), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.new`;
  // Created 0600 before a byte is written, then moved over the old one: never readable by others.
  writeFileSync(temp, token, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

export class NoDeviceTokenError extends Error {
  override name = 'NoDeviceTokenError';
}

export function readDeviceToken(dataDir: string, eventId: number): string {
  const path = tokenPath(dataDir, eventId);
  if (!existsSync(path)) {
    throw new NoDeviceTokenError(`This laptop's sync token for the event is missing (${path}): enrol again with a join code`);
  }
  return readFileSync(path, 'utf8').trim();
}

export function removeDeviceToken(dataDir: string, eventId: number): void {
  rmSync(tokenPath(dataDir, eventId), { force: true });
}
