// One attendee seen on several laptops: persons joined by confirmed links show one name, the one
// written last (hybrid logical clock of the name's last change); unnamed persons do not erase a
// name. Do-not-publish is the other way round: asked on any laptop, it holds for the whole group.

export interface PersonFields {
  id: number;
  name: string | null;
  nameHlc: string;
  doNotPublish: boolean;
}

export interface MergedPerson {
  /** The group's id: the smallest person id in it. */
  groupId: number;
  name: string | null;
  doNotPublish: boolean;
}

export function mergePeople(
  persons: readonly PersonFields[],
  confirmedLinks: readonly (readonly [number, number])[],
): Map<number, MergedPerson> {
  const parent = new Map<number, number>(persons.map((p) => [p.id, p.id]));
  const find = (x: number): number => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  for (const [a, b] of confirmedLinks) {
    if (!parent.has(a) || !parent.has(b)) continue;
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(Math.max(ra, rb), Math.min(ra, rb));
  }
  const groups = new Map<number, PersonFields[]>();
  for (const p of persons) {
    const root = find(p.id);
    groups.set(root, [...(groups.get(root) ?? []), p]);
  }
  const merged = new Map<number, MergedPerson>();
  for (const members of groups.values()) {
    const named = members.filter((m) => m.name !== null).sort((x, y) => (x.nameHlc < y.nameHlc ? 1 : x.nameHlc > y.nameHlc ? -1 : 0));
    const group: MergedPerson = {
      groupId: Math.min(...members.map((m) => m.id)),
      name: named[0]?.name ?? null,
      doNotPublish: members.some((m) => m.doNotPublish),
    };
    for (const m of members) merged.set(m.id, group);
  }
  return merged;
}
