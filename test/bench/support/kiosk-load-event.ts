// The event bench:kiosk-load searches: face-api's six sample photos ingested for real (previews,
// thumbnails, faces, persons), grown to `faces` stored faces by synthetic copies of those photos
// whose faces carry embeddings of augmented crops of the real faces (support/kiosk-face-corpus.ts)
// and, past the corpus, small perturbations of them. The same way bench:kiosk builds its events.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { basename, join } from 'node:path';
import { checkpointAndClose, createRepositories, openDatabase } from '../../../src/store/index.js';
import { cosineDistance } from '../../../src/vision/index.js';
import { gaussian, seededRandom } from '../../support/random-vectors.js';
import { SAMPLE_PHOTOS, type KioskFaceCorpus } from './kiosk-face-corpus.js';

const DIMS = 128;
/** Rows written per transaction while growing the event. */
const ROWS_PER_TRANSACTION = 2_000;

export interface GrownEvent {
  photos: number;
  faces: number;
  realEmbeddedFaces: number;
  perturbedFaces: number;
}

function runCli(cli: string, argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...argv], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`shutterfind ${argv[0]} exited with ${code}`))));
  });
}

/** Spread for the perturbed faces: half the typical distance between two real variants of one face. */
export function perturbationSigma(corpus: KioskFaceCorpus): number {
  const within: number[] = [];
  const n = Math.min(corpus.count, 400);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (corpus.faceOfRow[i] !== corpus.faceOfRow[j]) continue;
      within.push(cosineDistance(corpus.vectors.subarray(i * DIMS, (i + 1) * DIMS), corpus.vectors.subarray(j * DIMS, (j + 1) * DIMS)));
    }
  }
  within.sort((a, b) => a - b);
  const median = within[Math.floor(within.length / 2)] ?? 0.02;
  // For unit vectors, 1 - cos ≈ |noise|² / 2 = sigma² · DIMS / 2.
  return Math.sqrt((median / 2) * (2 / DIMS));
}

/** Makes the event `event` with at least `size` faces in a fresh data dir. */
export async function buildKioskEvent(options: {
  cli: string;
  dataDir: string;
  event: string;
  size: number;
  corpus: KioskFaceCorpus;
}): Promise<GrownEvent> {
  const { corpus, event: eventName, size } = options;
  const photosDir = await mkdtemp(join(os.tmpdir(), 'sf-kiosk-load-samples-'));
  try {
    for (const p of SAMPLE_PHOTOS) await cp(p, join(photosDir, basename(p)));
    await runCli(options.cli, ['ingest', photosDir, '--event', eventName, '--data-dir', options.dataDir, '--json']);
  } finally {
    await rm(photosDir, { recursive: true, force: true });
  }
  const sigma = perturbationSigma(corpus);
  const db = openDatabase(join(options.dataDir, 'shutterfind.db'));
  try {
    const repos = createRepositories(db);
    const event = repos.events.findEventByName(eventName)!;
    const samples = SAMPLE_PHOTOS.map((p) => {
      const photo = repos.photos.listPhotos(event.id, { limit: 100 }).find((x) => x.fileName === basename(p));
      if (!photo || photo.status !== 'ready') throw new Error(`${basename(p)} was not ingested`);
      return photo;
    });
    // Each synthetic face belongs to the person of the real face it varies, as clustering would
    // have decided; faces without a person would all be clustered again when serve starts.
    const centre = (b: readonly number[]) => [b[0]! + b[2]! / 2, b[1]! + b[3]! / 2] as const;
    const personOfSampleFace = corpus.faces.map((f) => {
      const [cx, cy] = centre(f.box);
      const distance = (box: readonly number[]) => Math.hypot(centre(box)[0] - cx, centre(box)[1] - cy);
      const nearest = [...repos.faces.facesOfPhoto(samples[f.photo]!.id)].sort((a, b) => distance(a.box) - distance(b.box))[0];
      if (!nearest?.personId) throw new Error(`No person for a face of ${samples[f.photo]!.fileName}`);
      return nearest.personId;
    });
    const addPhoto = db.prepare(
      `INSERT INTO photos (event_id, path, file_name, format, sha256, status, landed_at, admitted_at, ready_at, updated_at, width, height, preview_path, thumbnail_path)
       VALUES (?, ?, ?, 'jpeg', ?, 'ready', ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const addFace = db.prepare(
      'INSERT INTO faces (photo_id, event_id, person_id, box_x, box_y, box_w, box_h, score, quality, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0.99, 0.8, ?)',
    );
    const random = seededRandom(11);
    const grown: GrownEvent = {
      photos: SAMPLE_PHOTOS.length,
      faces: repos.faces.countFaces(event.id),
      realEmbeddedFaces: 0,
      perturbedFaces: 0,
    };
    const now = Date.now();
    let copies = 0;
    while (grown.faces < size) {
      db.transaction(() => {
        const rows: { faceId: number; eventId: number; embedding: Float32Array }[] = [];
        for (let n = 0; n < ROWS_PER_TRANSACTION && grown.faces < size; n++) {
          const roundIndex = copies % corpus.rounds.length;
          const fresh = copies < corpus.rounds.length;
          const round = corpus.rounds[roundIndex]!;
          const end = corpus.rounds[roundIndex + 1]?.firstRow ?? corpus.count;
          const sample = samples[round.photo]!;
          const name = `copy-${copies}-${sample.fileName}`;
          const id = Number(
            addPhoto.run(
              event.id,
              `/bench/${name}`,
              name,
              `bench-${copies}`,
              now,
              now,
              now,
              now,
              sample.width,
              sample.height,
              sample.previewPath,
              sample.thumbnailPath,
            ).lastInsertRowid,
          );
          copies += 1;
          grown.photos += 1;
          for (let row = round.firstRow; row < end && grown.faces < size; row++) {
            const sampleFace = corpus.faceOfRow[row]!;
            const faceId = Number(
              addFace.run(id, event.id, personOfSampleFace[sampleFace]!, ...corpus.faces[sampleFace]!.box, now).lastInsertRowid,
            );
            let v = corpus.vectors.slice(row * DIMS, (row + 1) * DIMS);
            if (fresh) grown.realEmbeddedFaces += 1;
            else {
              v = v.map((x) => x + sigma * gaussian(random));
              const norm = Math.hypot(...v);
              v = v.map((x) => x / norm);
              grown.perturbedFaces += 1;
            }
            rows.push({ faceId, eventId: event.id, embedding: v });
            grown.faces += 1;
          }
        }
        repos.faceVectors.insertMany(rows);
      })();
    }
    repos.persons.refreshPersons([...new Set(personOfSampleFace)], now);
    return grown;
  } finally {
    checkpointAndClose(db);
  }
}
