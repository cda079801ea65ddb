// Emails to attendees who opted in at the kiosk: sent once per delivery by the cloud endpoint,
// after which their address is deleted.
export { composeDeliveryEmail, type DeliveryEmail, type DeliveryEmailFacts } from './compose-delivery-email.js';
export { createMailer, classifySmtpFailure, type Mailer, type MailerOptions, type OutgoingEmail, type SendOutcome } from './mailer.js';
export {
  sendWaitingDeliveries,
  deliveryMessageId,
  EMAIL_LINK_LIFETIME_MS,
  DELIVERY_CLAIM_MS,
  type DeliveryRound,
  type SendWaitingDeliveriesOptions,
} from './send-waiting-deliveries.js';
export { startDeliveryLoop, DELIVERY_LOOP_INTERVAL_MS, type DeliveryLoop, type DeliveryLoopOptions } from './delivery-loop.js';
export { afterTemporaryRefusal, DELIVERY_RETRY_DELAYS_MS, MAX_DELIVERY_TRIES, type AfterRefusal } from './delivery-backoff.js';
