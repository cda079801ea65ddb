import { describe, expect, it } from 'vitest';
import { mergePeople, type PersonFields } from '../../../src/cloud/merge/index.js';

const p = (id: number, name: string | null, nameHlc: string, doNotPublish = false): PersonFields => ({ id, name, nameHlc, doNotPublish });

describe('mergePeople', () => {
  it.each([
    { case: 'an unlinked person keeps its own name', persons: [p(1, 'Ana', '001')], links: [], expected: { 1: ['Ana', false, 1] } },
    {
      case: 'linked persons show the name written last',
      persons: [p(1, 'Ana', '001'), p(2, 'Anna Lee', '002')],
      links: [[1, 2] as const],
      expected: { 1: ['Anna Lee', false, 1], 2: ['Anna Lee', false, 1] },
    },
    {
      case: 'an unnamed person does not erase a linked name, however late',
      persons: [p(1, 'Ana', '001'), p(2, null, '009')],
      links: [[2, 1] as const],
      expected: { 1: ['Ana', false, 1], 2: ['Ana', false, 1] },
    },
    {
      case: 'links chain: three laptops, one attendee',
      persons: [p(3, 'C', '003'), p(1, 'A', '001'), p(2, 'B', '005')],
      links: [[1, 2] as const, [2, 3] as const],
      expected: { 1: ['B', false, 1], 2: ['B', false, 1], 3: ['B', false, 1] },
    },
    {
      case: 'do-not-publish asked on any linked laptop holds for all',
      persons: [p(1, 'Ana', '001', true), p(2, 'Ana', '002')],
      links: [[1, 2] as const],
      expected: { 1: ['Ana', true, 1], 2: ['Ana', true, 1] },
    },
    {
      case: 'a link to a person not listed (removed) is ignored',
      persons: [p(1, 'Ana', '001')],
      links: [[1, 99] as const],
      expected: { 1: ['Ana', false, 1] },
    },
  ])('$case', ({ persons, links, expected }) => {
    const merged = mergePeople(persons, links);
    const got = Object.fromEntries([...merged].map(([id, m]) => [id, [m.name, m.doNotPublish, m.groupId]]));
    expect(got).toEqual(expected);
  });
});
