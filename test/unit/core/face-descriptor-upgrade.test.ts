import { describe, expect, it } from 'vitest';
import { descriptorAction } from '../../../src/core/face-descriptor-upgrade.js';

const SHIPPED = 'faceplugin-512+mobilefacenet-192-onet-pca128';
const JOINED_ON_LANDMARKS = 'faceplugin-512+mobilefacenet-192-pca128';
const FACEPLUGIN = 'faceplugin-fr-feature-512d-pca128';
const DLIB = 'face-api-resnet34-128d';

describe('what an event needs after the face network changed', () => {
  it.each([
    { recorded: SHIPPED, photos: 120, action: 'none', why: 'described by the shipped network' },
    { recorded: DLIB, photos: 120, action: 'describe-again', why: "an earlier network's descriptors cannot be compared with a selfie's" },
    { recorded: FACEPLUGIN, photos: 120, action: 'describe-again', why: 'one of the two networks alone is another descriptor space' },
    {
      recorded: JOINED_ON_LANDMARKS,
      photos: 120,
      action: 'describe-again',
      why: "the same networks on chips aligned on the 68 landmarks' points read other pixels",
    },
    { recorded: DLIB, photos: 0, action: 'record', why: 'nothing to describe: only the record moves' },
    { recorded: null, photos: 0, action: 'record', why: 'a new event' },
    { recorded: null, photos: 5, action: 'record', why: 'created since the record exists, so described by the running network' },
  ] as const)('$recorded with $photos photos: $action ($why)', ({ recorded, photos, action }) => {
    expect(descriptorAction(recorded, SHIPPED, photos)).toBe(action);
  });
});
