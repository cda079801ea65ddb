// Piscina entry point for the selfie pool: one task = one kiosk or console selfie. A pool of
// its own, so an attendee never waits behind a queue of 24 MP photos.
import sharp from 'sharp';
import { analyseSelfie, reusableFaceEngine, type AnalysedSelfie, type SelfieTask } from '../src/photo/index.js';

sharp.concurrency(1);
sharp.cache(false);

const engines = reusableFaceEngine();

export default async function analyseSelfieTask(task: SelfieTask): Promise<AnalysedSelfie> {
  const engine = await engines(task);
  return analyseSelfie(engine, Buffer.from(task.image.buffer, task.image.byteOffset, task.image.byteLength), task.detect);
}

/** Opens this thread's face sessions before the first attendee arrives (piscina task name 'warmUp'). */
export async function warmUp(task: Omit<SelfieTask, 'image' | 'detect'>): Promise<void> {
  await engines(task);
}

/** Answered once this thread has loaded this script: the pool's close() waits for it (piscina task name 'loaded'; see untilThreadsLoaded). */
export function loaded(): void {}
