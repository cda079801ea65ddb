// What the attendee reads when the selfie could not be used, by the server's reason code.
import type { ErrorCode } from '@api';

export interface Guidance {
  title: string;
  detail: string;
}

const GUIDANCE: Partial<Record<ErrorCode, Guidance>> = {
  'no-face': {
    title: "We couldn't see a face",
    detail: 'Look straight at the screen, inside the oval, and make sure nothing covers your face.',
  },
  'several-faces': {
    title: 'Only one person at a time, please',
    detail: 'Ask your friends to step aside for a moment; they can have a turn next.',
  },
  'too-small': { title: 'Come a little closer', detail: 'Step towards the screen until your face fills the oval.' },
  blurred: { title: 'Hold still', detail: 'The picture came out blurry. Stay still for a second while it is taken.' },
  'too-dark': { title: "It's too dark to see you", detail: 'Turn towards the light, or step out of the shadow.' },
  'rate-limited': { title: 'One moment, please', detail: 'The kiosk is catching its breath. Try again in a few seconds.' },
};

/** The attendee-facing words for a failed selfie; falls back to the server's own message. */
export function guidanceFor(code: ErrorCode | null, serverMessage: string): Guidance {
  return (code && GUIDANCE[code]) || { title: 'Let’s try that again', detail: serverMessage };
}
