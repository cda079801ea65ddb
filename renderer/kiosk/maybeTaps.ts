// What the results screen shows after the visitor taps "Maybe you?" photos in and the kiosk has
// searched again with their faces: a pure merge, so the grid never moves under a finger.
// Generic over the photo type (KioskMatch in the kiosk) so the unit test can load it without the renderer's aliases.

export interface ShownResults<M extends { photoId: number }> {
  matches: M[];
  maybe: M[];
  selected: ReadonlySet<number>;
  foundByTaps: number;
}

/**
 * New sure photos join the end of the visitor's photos, selected (as sure photos start); new
 * "maybe" photos join the end of that section. Nothing already shown moves, changes section or
 * changes selection: a photo the visitor left out stays out, a "maybe" photo that is now sure
 * stays where the visitor tapped it.
 */
export function mergeConfirmedResults<M extends { photoId: number }>(
  shown: ShownResults<M>,
  results: { matches: readonly M[]; maybe: readonly M[] },
): ShownResults<M> {
  const known = new Set([...shown.matches, ...shown.maybe].map((m) => m.photoId));
  const found = results.matches.filter((m) => !known.has(m.photoId));
  for (const m of found) known.add(m.photoId);
  const maybe = results.maybe.filter((m) => !known.has(m.photoId));
  return {
    matches: [...shown.matches, ...found],
    maybe: [...shown.maybe, ...maybe],
    selected: new Set([...shown.selected, ...found.map((m) => m.photoId)]),
    foundByTaps: shown.foundByTaps + found.length,
  };
}

/**
 * Whether a search made with these tapped-in photos still speaks for the visitor: not when she
 * has left one of them out again while it ran (a quick tap in and out of a stranger's photo), as
 * it would bring that stranger's photos in, selected.
 */
export function tapsStillHold(searchedWith: readonly number[], selected: ReadonlySet<number>): boolean {
  return searchedWith.every((photoId) => selected.has(photoId));
}
