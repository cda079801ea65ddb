// After an update that changed the face descriptor network, an event's stored descriptors come
// from the earlier network and cannot be compared with a selfie described by the new one. Each
// event records which network described it (migration 0015); when that is not the shipped one,
// its faces stage runs again for every photo (behind new photos, as `reprocess --stage faces`),
// and the record moves to the shipped network. The decision is pure; the engine does the I/O.

export type DescriptorAction = 'record' | 'describe-again' | 'none';

/**
 * What to do for one event: `recorded` is the network that described its faces (null: none
 * recorded, an event created since the record exists), `photos` how many it holds.
 */
export function descriptorAction(recorded: string | null, shipped: string, photos: number): DescriptorAction {
  if (recorded === shipped) return 'none';
  if (recorded === null || photos === 0) return 'record';
  return 'describe-again';
}
