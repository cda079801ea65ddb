// zod at the endpoint's edge: a body, params or query that does not parse is a 400 whose message
// says which field is wrong and how.
import type { z } from 'zod';
import { CloudRequestError } from './cloud-errors.js';

export function parseRequest<S extends z.ZodTypeAny>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : what}: ${i.message}`)
    .join('; ');
  throw new CloudRequestError(400, 'bad-request', `The ${what} is not valid (${issues}). Fix it and send it again.`);
}
