// The state differ: what the event holds now (a canonical payload per entity) against what was
// last put in the operation log (a digest per entity) → the operations that bring the endpoint
// up to date. Pure: the repository reads the payloads and the digests and appends the result in
// one transaction.
import { createHash } from 'node:crypto';
import type { SyncOperation } from '../api/index.js';
import type { SyncEntityKind } from '../store/index.js';

type WithoutStamp<T> = T extends unknown ? Omit<T, 'seq' | 'hlc'> : never;
/** An operation before it gets its sequence number and clock stamp. */
export type OpBody = WithoutStamp<SyncOperation>;
export type PutBody = Extract<OpBody, { kind: `${string}.put` }>;

/** One entity the event holds now, as the operation that describes it. */
export interface EntityPayload {
  entityKind: SyncEntityKind;
  entityKey: string;
  op: PutBody;
}

export interface EntityChange {
  entityKind: SyncEntityKind;
  entityKey: string;
  /** null: nothing to send (a link or delivery that left the payloads), only the digest to forget. */
  op: OpBody | null;
  /** The digest to record; null when the entity is gone (its digest is forgotten). */
  digest: string | null;
}

/**
 * Operations go in this order, so the endpoint always knows what an operation refers to: persons
 * before the faces that name them, photos before their faces, links and deliveries after their
 * photos; removals of faces before their photos and persons.
 */
const PUT_ORDER: Record<SyncEntityKind, number> = { person: 0, photo: 1, face: 2, gallery: 3, delivery: 4 };
const REMOVE_ORDER: Record<SyncEntityKind, number> = { face: 0, photo: 1, person: 2, gallery: 3, delivery: 4 };

/** JSON with object keys sorted, so equal payloads always give equal digests. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function payloadDigest(op: PutBody): string {
  return createHash('sha256').update(canonicalJson(op)).digest('hex').slice(0, 32);
}

export const sentKey = (entityKind: SyncEntityKind, entityKey: string): string => `${entityKind}:${entityKey}`;

/** The tombstone of an entity that is gone; null for kinds the protocol never removes (links, deliveries). */
function removalOf(entityKind: SyncEntityKind, entityKey: string): OpBody | null {
  switch (entityKind) {
    case 'photo':
      return { kind: 'photo.remove', sha256: entityKey };
    case 'person':
      return { kind: 'person.remove', personId: Number(entityKey) };
    case 'face':
      return { kind: 'face.remove', faceId: Number(entityKey) };
    // A link is never taken back on the laptop; a delivery leaves the payloads once it is sent
    // (or failed): nothing to tell the endpoint, which sends it itself.
    case 'gallery':
    case 'delivery':
      return null;
  }
}

/**
 * The operations that turn what was sent (`sent`, by sentKey) into what the event holds (`current`).
 * `digests` are the payloads' own (payloadDigest), in their order, when already computed.
 */
export function diffState(
  current: readonly EntityPayload[],
  sent: ReadonlyMap<string, string>,
  digests: readonly string[] = current.map((p) => payloadDigest(p.op)),
): EntityChange[] {
  const differ = stateDiffer(sent);
  for (const [i, p] of current.entries()) differ.see(p, digests[i]!);
  return differ.changes();
}

/**
 * diffState a payload at a time, so a large event's run can give the event loop back between
 * slices (comparing 125,000 entities at once held it 0.2-0.3 s): `see` each payload the event
 * holds with its digest, then `changes()`.
 */
export function stateDiffer(sent: ReadonlyMap<string, string>): {
  see(payload: EntityPayload, digest: string): void;
  changes(): EntityChange[];
} {
  const puts: EntityChange[] = [];
  const seen = new Set<string>();
  return {
    see(p, digest) {
      const key = sentKey(p.entityKind, p.entityKey);
      seen.add(key);
      if (sent.get(key) !== digest) puts.push({ entityKind: p.entityKind, entityKey: p.entityKey, op: p.op, digest });
    },
    changes() {
      const removes: EntityChange[] = [];
      for (const key of sent.keys()) {
        if (seen.has(key)) continue;
        const colon = key.indexOf(':');
        const entityKind = key.slice(0, colon) as SyncEntityKind;
        const entityKey = key.slice(colon + 1);
        removes.push({ entityKind, entityKey, op: removalOf(entityKind, entityKey), digest: null });
      }
      const ordered = [...puts].sort((a, b) => PUT_ORDER[a.entityKind] - PUT_ORDER[b.entityKind]);
      removes.sort((a, b) => REMOVE_ORDER[a.entityKind] - REMOVE_ORDER[b.entityKind]);
      return [...removes.filter((r) => r.entityKind === 'face'), ...ordered, ...removes.filter((r) => r.entityKind !== 'face')];
    },
  };
}
