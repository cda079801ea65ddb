import type { Migration } from '../migrate.js';
import { migration0001Initial } from './0001-initial.js';
import { migration0002FaceEngine } from './0002-face-engine.js';
import { migration0003Bursts } from './0003-bursts.js';
import { migration0004KiosksAndGalleries } from './0004-kiosks-and-galleries.js';
import { migration0005OrganiserPeople } from './0005-organiser-people.js';
import { migration0006FacesByPerson } from './0006-faces-by-person.js';
import { migration0007JobPerStage } from './0007-job-per-stage.js';
import { migration0008PhotoFiles } from './0008-photo-files.js';
import { migration0009DoNotPublish } from './0009-do-not-publish.js';
import { migration0010OptOutsFollowFaces } from './0010-opt-outs-follow-faces.js';
import { migration0011Sync } from './0011-sync.js';
import { migration0012WaitedForBlobs } from './0012-waited-for-blobs.js';
import { migration0013CaptureOffset } from './0013-capture-offset.js';
import { migration0014DevicePerEvent } from './0014-device-per-event.js';
import { migration0015FaceDescriptorPerEvent } from './0015-face-descriptor-per-event.js';
import { migration0016FollowerAnchors } from './0016-follower-anchors.js';
import { migration0017ChosenMaybeFaces } from './0017-chosen-maybe-faces.js';
import { migration0018KioskShownFaces } from './0018-kiosk-shown-faces.js';

export const MIGRATIONS: readonly Migration[] = [
  migration0001Initial,
  migration0002FaceEngine,
  migration0003Bursts,
  migration0004KiosksAndGalleries,
  migration0005OrganiserPeople,
  migration0006FacesByPerson,
  migration0007JobPerStage,
  migration0008PhotoFiles,
  migration0009DoNotPublish,
  migration0010OptOutsFollowFaces,
  migration0011Sync,
  migration0012WaitedForBlobs,
  migration0013CaptureOffset,
  migration0014DevicePerEvent,
  migration0015FaceDescriptorPerEvent,
  migration0016FollowerAnchors,
  migration0017ChosenMaybeFaces,
  migration0018KioskShownFaces,
];
