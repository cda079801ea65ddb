// The laptops of a cloud event: enrolment with a join code, and which laptop a device token names.
import type { EnrolRequest, EnrolResponse } from '../api/index.js';
import { hashSecret, newToken } from '../config/index.js';
import {
  cloudEventById,
  cloudEventByJoinCode,
  deviceByTokenHash,
  enrolDevice,
  revokedAfter,
  type CloudDatabase,
  type CloudEventRow,
  type DeviceRow,
} from './database/index.js';
import { eventPolicy, bearerToken } from './cloud-events.js';
import { CloudRequestError } from './cloud-errors.js';
import { normaliseJoinCode } from './cloud-secrets.js';

/**
 * Trades a join code for a device token. The same laptop enrolling again gets a new token (its
 * old one stops working) and keeps its cursor, so nothing it sent is asked for twice.
 */
export async function enrolLaptop(
  db: CloudDatabase,
  request: EnrolRequest,
  publicBaseUrl: string,
  now: Date = new Date(),
): Promise<EnrolResponse> {
  const opened = await cloudEventByJoinCode(db.pool, hashSecret(normaliseJoinCode(request.joinCode)), now);
  if (!opened) {
    throw new CloudRequestError(403, 'bad-join-code', 'This join code is not valid or has expired: ask the organiser for a new one.');
  }
  const { event, codeCreatedAt } = opened;
  // A revoked laptop comes back only with a join code made after its revocation: the organiser
  // letting it back in on purpose, not the code it was enrolled with.
  if (await revokedAfter(db.pool, event.id, request.deviceId, codeCreatedAt)) {
    throw new CloudRequestError(
      403,
      'revoked',
      "The organiser revoked this laptop's access: enrolling it again needs a join code they make after the revocation.",
    );
  }
  const deviceToken = newToken();
  const device = await enrolDevice(db.pool, {
    cloudEventId: event.id,
    deviceId: request.deviceId,
    name: request.deviceName,
    tokenHash: hashSecret(deviceToken),
  });
  return { ...eventPolicy(event, publicBaseUrl), deviceToken, nextSeq: device.nextSeq };
}

export interface AuthenticatedLaptop {
  device: DeviceRow;
  event: CloudEventRow;
}

/** The laptop a device token names, or a refusal that does not say which events exist. */
export async function authenticateLaptop(db: CloudDatabase, authorization: string | undefined): Promise<AuthenticatedLaptop> {
  const token = bearerToken(authorization);
  if (!token)
    throw new CloudRequestError(
      401,
      'unauthorised',
      'This needs a device token: enrol the laptop with a join code first (shutterfind sync enroll).',
    );
  const device = await deviceByTokenHash(db.pool, hashSecret(token));
  if (!device)
    throw new CloudRequestError(
      401,
      'unauthorised',
      'This device token is not valid (replaced by a later enrolment, or never issued): enrol the laptop again.',
    );
  if (device.revokedAt)
    throw new CloudRequestError(
      403,
      'revoked',
      "The organiser revoked this laptop's access: ask them for a new join code and enrol again.",
    );
  const event = await cloudEventById(db.pool, device.cloudEventId);
  if (!event) throw new CloudRequestError(401, 'unauthorised', 'This device token is not valid: enrol the laptop again.');
  return { device, event };
}
