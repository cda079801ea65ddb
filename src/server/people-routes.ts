// People (face clusters) for organisers: list, rename, merge, split.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { PeopleList, PersonFaces, PersonView } from '../api/index.js';
import { parseInput } from './http-errors.js';
import { eventOf, type ServerContext } from './server-context.js';
import { faceCropUrl, toPersonView } from './views.js';

const idParam = z.object({ id: z.coerce.number().int().positive() });
const ids = z.array(z.number().int().positive()).min(1).max(10_000);

/** Organiser mistakes (a face of someone else, one person) are 400s and unknown persons 404s (http-errors.ts). */
export function registerPeopleRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { people } = ctx.engine;

  app.get('/api/people', async (request): Promise<PeopleList> => ({
    people: people.list(eventOf(ctx, request.query).id).map(toPersonView),
  }));

  app.get('/api/people/:id/faces', async (request): Promise<PersonFaces> => {
    const event = eventOf(ctx, request.query);
    const { id } = parseInput(idParam, request.params, 'person id');
    return {
      faces: people
        .facesOf(event.id, id)
        .map((f) => ({ faceId: f.id, photoId: f.photoId, cropUrl: faceCropUrl(f.id), score: Math.round(f.score * 1000) / 1000 })),
    };
  });

  app.patch('/api/people/:id', async (request): Promise<PersonView> => {
    const event = eventOf(ctx, request.query);
    const { id } = parseInput(idParam, request.params, 'person id');
    const { name } = parseInput(z.object({ name: z.string().trim().max(120).nullable() }), request.body, 'name');
    return toPersonView(people.rename(event.id, id, name));
  });

  app.post('/api/people/merge', async (request): Promise<PersonView> => {
    const event = eventOf(ctx, request.query);
    const body = parseInput(z.object({ into: z.number().int().positive(), from: ids }), request.body, 'merge');
    return toPersonView(people.merge(event.id, body.into, body.from));
  });

  app.post('/api/people/:id/split', async (request, reply): Promise<PersonView> => {
    const event = eventOf(ctx, request.query);
    const { id } = parseInput(idParam, request.params, 'person id');
    const { faceIds } = parseInput(z.object({ faceIds: ids }), request.body, 'split');
    const created = people.split(event.id, id, faceIds);
    reply.status(201);
    return toPersonView(created);
  });

  // Groups the event's faces into people again from scratch (after a threshold or model change);
  // organisers' names, merges and splits are kept. `shutterfind recluster` asks for this when a
  // `serve` owns the data dir.
  app.post('/api/people/recluster', async (request) => {
    const event = eventOf(ctx, request.query);
    return { event: event.name, ...(await people.recluster(event.id)) };
  });
}
