// Applying a batch of a laptop's operations: once, in order, in one transaction, whichever
// endpoint instance receives it. The device's row lock serialises its batches; the idempotency
// key answers a replay with the response it had; the cursor skips what was applied and refuses a
// gap. Person links are suggested in the same transaction when faces or persons changed.
import type { BatchResponse, SyncOperation } from '../api/index.js';
import {
  advanceDevice,
  auditUpload,
  insertSuggestedLinks,
  linkedPairs,
  lockEventLinks,
  lockPhotos,
  lockDevice,
  personDescriptors,
  putDelivery,
  putFace,
  putFaces,
  putGalleryLink,
  putPerson,
  putPhotos,
  recordBatch,
  removeFace,
  removePerson,
  removePhotoSource,
  storedBatchResponse,
  type CloudDatabase,
  type OperationOrigin,
} from './database/index.js';
import type pg from 'pg';
import { CloudRequestError } from './cloud-errors.js';
import { decodeDescriptor, meanDescriptor, planBatch, suggestPersonLinks, type PersonMean } from './merge/index.js';
import type { AuthenticatedLaptop } from './laptops.js';

/**
 * Photos are locked in one order before a batch writes them (lockPhotos), so laptops do not
 * deadlock each other; should PostgreSQL still abort a batch as a deadlock or a serialisation
 * failure (a case not foreseen), the batch is simply run again.
 */
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 5;

export async function applyBatch(
  db: CloudDatabase,
  laptop: AuthenticatedLaptop,
  idempotencyKey: string,
  ops: readonly SyncOperation[],
): Promise<BatchResponse> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((client) => applyBatchOnce(client, laptop, idempotencyKey, ops));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt >= ATTEMPTS || !code || !RETRYABLE.has(code)) throw err;
    }
  }
}

async function applyBatchOnce(
  client: pg.PoolClient,
  laptop: AuthenticatedLaptop,
  idempotencyKey: string,
  ops: readonly SyncOperation[],
): Promise<BatchResponse> {
  const device = await lockDevice(client, laptop.device.pk);
  // Revoked (or re-enrolled away) between authentication and the lock: refuse as authentication would.
  if (!device || device.revokedAt)
    throw new CloudRequestError(
      403,
      'revoked',
      "The organiser revoked this laptop's access: ask them for a new join code and enrol again.",
    );
  const stored = await storedBatchResponse(client, device.pk, idempotencyKey);
  if (stored) return stored as BatchResponse;

  const plan = planBatch(device.nextSeq, ops);
  if (plan.kind === 'gap') {
    throw new CloudRequestError(
      409,
      'gap',
      `Operations are missing before seq ${ops[0]!.seq}: this endpoint expects seq ${plan.expectedSeq} next. Send from there.`,
      { expectedSeq: plan.expectedSeq },
    );
  }
  const from: OperationOrigin = { cloudEventId: device.cloudEventId, devicePk: device.pk };
  await lockPhotos(client, device.cloudEventId, photosTouched(plan.ops));
  const counts: Record<string, number> = {};
  // Consecutive puts of one kind (photos, faces) of distinct entities go as one statement each;
  // anything else flushes them first, so every operation still takes effect in its order.
  let photoRun = new Map<string, Extract<SyncOperation, { kind: 'photo.put' }>>();
  let faceRun = new Map<number, Extract<SyncOperation, { kind: 'face.put' }>>();
  const flushRuns = async () => {
    await putPhotos(client, from, [...photoRun.values()]);
    photoRun = new Map();
    await putFaces(client, from, [...faceRun.values()], laptop.event.cloudFaceSearch);
    faceRun = new Map();
  };
  for (const op of plan.ops) {
    counts[op.kind] = (counts[op.kind] ?? 0) + 1;
    if (op.kind === 'photo.put') {
      if (photoRun.has(op.sha256) || faceRun.size > 0) await flushRuns();
      photoRun.set(op.sha256, op);
      continue;
    }
    if (op.kind === 'face.put') {
      if (faceRun.has(op.faceId) || photoRun.size > 0) await flushRuns();
      faceRun.set(op.faceId, op);
      continue;
    }
    await flushRuns();
    await applyOperation(client, from, op, laptop.event.cloudFaceSearch);
  }
  await flushRuns();
  const response: BatchResponse = { applied: plan.ops.length, skipped: plan.skipped, nextSeq: plan.nextSeq };
  await advanceDevice(client, device.pk, plan.nextSeq);
  await recordBatch(client, device.pk, idempotencyKey, response);
  if (plan.ops.length > 0) {
    await auditUpload(client, from, 'ops', { idempotencyKey, firstSeq: plan.ops[0]!.seq, lastSeq: plan.nextSeq - 1, counts });
  }
  if (laptop.event.cloudFaceSearch && plan.ops.some((op) => op.kind.startsWith('face.') || op.kind.startsWith('person.'))) {
    await suggestLinks(client, device.cloudEventId);
  }
  return response;
}

function photosTouched(ops: readonly SyncOperation[]): string[] {
  const shas: string[] = [];
  for (const op of ops) {
    if (op.kind === 'photo.put' || op.kind === 'photo.remove') shas.push(op.sha256);
    else if (op.kind === 'face.put') shas.push(op.photoSha256);
  }
  return shas;
}

async function applyOperation(client: pg.PoolClient, from: OperationOrigin, op: SyncOperation, keepDescriptors: boolean): Promise<void> {
  switch (op.kind) {
    case 'photo.put':
      return putPhotos(client, from, [op]);
    case 'photo.remove':
      return removePhotoSource(client, from, op);
    case 'person.put':
      return putPerson(client, from, op);
    case 'person.remove':
      return removePerson(client, from, op);
    case 'face.put':
      return putFace(client, from, op, keepDescriptors);
    case 'face.remove':
      return removeFace(client, from, op);
    case 'gallery.put':
      return putGalleryLink(client, from, op);
    case 'delivery.put':
      return putDelivery(client, from, op);
  }
}

async function suggestLinks(client: pg.PoolClient, cloudEventId: string): Promise<void> {
  await lockEventLinks(client, cloudEventId);
  const persons: PersonMean[] = [];
  for (const p of await personDescriptors(client, cloudEventId)) {
    const mean = meanDescriptor(p.descriptors.map(decodeDescriptor));
    if (mean) persons.push({ personId: p.personId, devicePk: p.devicePk, mean });
  }
  await insertSuggestedLinks(client, cloudEventId, suggestPersonLinks(persons, await linkedPairs(client, cloudEventId)));
}
