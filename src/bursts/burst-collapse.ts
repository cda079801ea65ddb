// One photo per burst in search results (the kiosk's view): each burst is shown by its best
// frame, at the rank of its best-ranked frame, carrying that frame's score or distance.
import type { Repositories } from '../store/index.js';

export function collapseBursts<T extends { photoId: number; path: string }>(repos: Repositories, matches: readonly T[]): T[] {
  const shown = repos.bursts.collapseToBestFrames(matches.map((m) => m.photoId));
  const byId = new Map(matches.map((m) => [m.photoId, m]));
  // collapseToBestFrames keeps input order, so the k-th shown photo stands for the k-th surviving rank.
  const firstOfBurst = new Map<number, T>();
  for (const m of matches) {
    const [best] = repos.bursts.collapseToBestFrames([m.photoId]);
    if (best !== undefined && !firstOfBurst.has(best)) firstOfBurst.set(best, m);
  }
  return shown.flatMap((id) => {
    const direct = byId.get(id);
    if (direct) return [direct];
    const stand = firstOfBurst.get(id);
    const photo = repos.photos.getPhoto(id);
    return stand && photo ? [{ ...stand, photoId: id, path: photo.path }] : [];
  });
}
