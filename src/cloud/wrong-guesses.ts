// Locks out a client address that keeps guessing secrets on the public routes: join codes at
// enrolment, organiser tokens, gallery links. Only wrong guesses count (a right code or token
// never does), so a venue behind one NAT, fifty attendees opening their galleries and the
// organiser signing in, uses up nothing. Counted in this process's memory per address (Fastify's
// request.ip: the proxy's X-Forwarded-For only with `cloud serve --trust-proxy`); several
// instances each count their own.
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface GuessLimit {
  /** Wrong guesses an address may make in one window; the next is refused until the window ends. */
  max: number;
  windowMs: number;
}

export type GuessKind = 'joinCode' | 'organiserToken' | 'galleryLink';

/**
 * Join codes and organiser tokens: a person types them, and ten wrong ones in a minute is no
 * typo. Gallery links: generous, since a link not yet synced reads as unknown and a venue's
 * attendees reload it ("try again later"); the token is 256 random bits either way.
 */
export const GUESS_LIMITS: Readonly<Record<GuessKind, GuessLimit>> = {
  joinCode: { max: 10, windowMs: 60_000 },
  organiserToken: { max: 10, windowMs: 60_000 },
  galleryLink: { max: 60, windowMs: 60_000 },
};

export interface WrongGuesses {
  /**
   * Before the secret is looked at: throws `refusal(wait)` (and sets Retry-After) when this
   * address has used up its wrong guesses, so a locked-out guesser learns nothing more.
   */
  refuseIfLockedOut(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** One wrong guess from this address. */
  count(request: FastifyRequest): Promise<void>;
}

/** "42 seconds" / "1 minute": how long a locked-out address waits, for the refusal's sentence. */
export function waitInWords(seconds: number): string {
  if (seconds <= 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** Gives `app` the rate limiter's counters (once), limiting no route by itself. */
export async function allowGuessCounting(app: FastifyInstance): Promise<void> {
  if (!app.hasDecorator('createRateLimit')) await app.register(fastifyRateLimit, { global: false });
}

/** A counter of wrong guesses on `app` (after allowGuessCounting). */
export function countWrongGuesses(app: FastifyInstance, limit: GuessLimit, refusal: (wait: string) => Error): WrongGuesses {
  const limiter = app.createRateLimit({ max: limit.max, timeWindow: limit.windowMs });
  return {
    async refuseIfLockedOut(request, reply) {
      const state = await limiter(request, { increment: false });
      if (state.isAllowed || state.remaining > 0) return;
      const seconds = Math.max(1, state.ttlInSeconds);
      reply.header('retry-after', String(seconds));
      throw refusal(waitInWords(seconds));
    },
    async count(request) {
      await limiter(request);
    },
  };
}
