// Piscina entry point for a re-cluster's comparing and grouping (photo/grouping-task.ts): every
// pair of an event's faces compared on ONNX Runtime, then grouped by average distance, off the
// engine's main thread. At 100k faces that is about 11 s of comparing on every core and 24 s of
// grouping on one (bench:match, peopleAtScale); on the main thread the grouping would hold up
// every kiosk search and console request meanwhile.
import { getPriority, setPriority } from 'node:os';
import { photoThreadNice, runGroupingTask, type GroupingResult, type GroupingTask } from '../src/photo/index.js';

// As a photo worker's: kiosk selfies and ingest keep the cores first. ONNX Runtime's threads,
// started by this one, inherit it. A refusal leaves the work at normal priority, never wrong.
const nice = photoThreadNice(process.platform);
if (nice !== null && getPriority(0) < nice) {
  try {
    setPriority(0, nice);
  } catch (err) {
    console.warn(`Grouping worker: could not lower its priority (${(err as Error).message}).`);
  }
}

export default function groupTask(task: GroupingTask): Promise<GroupingResult> {
  return runGroupingTask(task);
}
