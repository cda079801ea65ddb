// People (face clusters) for organisers: list, rename, merge, split.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { mergePersons, PeopleEditError, splitPerson } from '../people/index.js';
import type { PeopleList, PersonFaces, PersonView } from '../api/index.js';
import { HttpError, notFound, parseInput } from './http-errors.js';
import { eventOf, type ServerContext } from './server-context.js';
import { faceCropUrl, MAX_PERSON_SAMPLES, personSampleViews } from './views.js';

const idParam = z.object({ id: z.coerce.number().int().positive() });
const ids = z.array(z.number().int().positive()).min(1).max(10_000);

export function registerPeopleRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { repos } = ctx.engine;

  const personView = (eventId: number, personId: number): PersonView => {
    const p = repos.persons.getPerson(eventId, personId);
    if (!p) throw notFound(`Person ${personId}`);
    const samples = repos.faces.sampleFacesOfPersons(eventId, MAX_PERSON_SAMPLES, p.id);
    return { id: p.id, name: p.name, faces: p.faceCount, photos: p.photoCount, faceSamples: personSampleViews(samples.get(p.id)) };
  };

  /** Organiser mistakes (a face of someone else, one person) are 400s with the reason. */
  const edit = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof PeopleEditError) throw new HttpError(400, 'bad-request', err.message);
      throw err;
    }
  };

  app.get('/api/people', async (request): Promise<PeopleList> => {
    const event = eventOf(ctx, request.query);
    const persons = repos.persons.listPersons(event.id);
    const samples = repos.faces.sampleFacesOfPersons(event.id, MAX_PERSON_SAMPLES);
    return {
      people: persons.map((p) => ({ id: p.id, name: p.name, faces: p.faceCount, photos: p.photoCount, faceSamples: personSampleViews(samples.get(p.id)) })),
    };
  });

  app.get('/api/people/:id/faces', async (request): Promise<PersonFaces> => {
    const event = eventOf(ctx, request.query);
    const { id } = parseInput(idParam, request.params, 'person id');
    if (!repos.persons.getPerson(event.id, id)) throw notFound(`Person ${id}`);
    return {
      faces: repos.faces
        .facesOfPersons(event.id, [id])
        .map((f) => ({ faceId: f.id, photoId: f.photoId, cropUrl: faceCropUrl(f.id), score: Math.round(f.score * 1000) / 1000 })),
    };
  });

  app.patch('/api/people/:id', async (request): Promise<PersonView> => {
    const event = eventOf(ctx, request.query);
    const { id } = parseInput(idParam, request.params, 'person id');
    const { name } = parseInput(z.object({ name: z.string().trim().max(120).nullable() }), request.body, 'name');
    if (!repos.persons.renamePerson(event.id, id, name ? name : null, Date.now())) throw notFound(`Person ${id}`);
    return personView(event.id, id);
  });

  app.post('/api/people/merge', async (request): Promise<PersonView> => {
    const event = eventOf(ctx, request.query);
    const body = parseInput(z.object({ into: z.number().int().positive(), from: ids }), request.body, 'merge');
    edit(() => mergePersons(repos.persons, event.id, body.into, body.from));
    return personView(event.id, body.into);
  });

  app.post('/api/people/:id/split', async (request, reply): Promise<PersonView> => {
    const event = eventOf(ctx, request.query);
    const { id } = parseInput(idParam, request.params, 'person id');
    const { faceIds } = parseInput(z.object({ faceIds: ids }), request.body, 'split');
    if (!repos.persons.getPerson(event.id, id)) throw notFound(`Person ${id}`);
    const own = repos.faces.facesOfPersons(event.id, [id]).map((f) => f.id);
    const created = edit(() => splitPerson(repos.persons, event.id, id, faceIds, own));
    reply.status(201);
    return personView(event.id, created);
  });
}
