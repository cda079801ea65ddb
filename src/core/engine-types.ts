// The engine's shape as adapters see it: its events, options and use cases.
import type { EventEmitter } from 'node:events';
import type { EventBursts } from '../bursts/index.js';
import type { Catalogue } from '../catalogue/index.js';
import type { DataDirLayout, Settings, SettingsInput } from '../config/index.js';
import type { Admission, HotFolders, Intake, IntakeMode } from '../ingest/index.js';
import type { DoNotPublish, Galleries, KioskDevices, KioskRecords, KioskSessions } from '../kiosk/index.js';
import type { EventPeople } from '../people/index.js';
import type { PhotoOutcome, PhotoProcessor, StageQueued } from '../pipeline/index.js';
import type { EventSearch } from '../search/index.js';
import type { EventSync } from '../sync/index.js';
import type { SyncView } from '../api/index.js';
import type { Event, PhotoStage, Source } from '../store/index.js';
import type { EventExports } from './event-exports.js';
import type { GalleryBranding } from './gallery-branding.js';
import type { Logger } from './logger.js';
import type { EventStatus } from './status.js';

export interface EngineEvents {
  photo: [PhotoOutcome];
  admission: [{ eventId: number; path: string; admission: Admission }];
  'file-failed': [{ eventId: number; path: string; error: string }];
  source: [Source];
  /** Two processed photos were found to be one RAW+JPEG capture (two card folders): the dropped one is gone, its RAW now a file of the kept one. */
  'capture-merged': [{ eventId: number; keptPhotoId: number; droppedPhotoId: number }];
  /** An opted-in attendee got new photos (their gallery and waiting deliveries grew). */
  'kiosk-match': [{ eventId: number; sessionId: string; photoIds: number[]; deliveryIds: number[] }];
  /** Where an event's sync stands changed (at most about once a second per event). */
  sync: [SyncView];
  /** An event's people were grouped again from scratch (`recluster`, or while the cameras paused). */
  'people-regrouped': [{ eventId: number; persons: number }];
}

export interface EngineOptions {
  dataDir: string;
  log: Logger;
  mode: IntakeMode;
  /** Overrides on top of <data-dir>/settings.json. */
  settings?: SettingsInput;
  /** For tests that want a different pool (e.g. fewer threads). */
  processor?: PhotoProcessor;
  /**
   * False for commands that only edit (rename a person, regroup bursts): no photo workers start and
   * queued photos wait for the next `serve` or `ingest`. The reactions (retention sweep) still run.
   */
  processPhotos?: boolean;
}

export interface EventSession {
  event: Event;
  intake: Intake;
  hotFolders: HotFolders;
}

export interface Engine {
  readonly layout: DataDirLayout;
  readonly settings: Settings;
  readonly log: Logger;
  readonly bus: EventEmitter<EngineEvents>;
  readonly threads: number;
  readonly catalogue: Catalogue;
  readonly people: EventPeople;
  readonly bursts: EventBursts;
  readonly search: EventSearch;
  readonly kiosk: { devices: KioskDevices; sessions: KioskSessions; galleries: Galleries; records: KioskRecords };
  /** "Do not publish": opt-outs (organiser and kiosk), the faces they hide, blurred media for attendees. */
  readonly publishing: DoNotPublish;
  /** The organiser's export: per-person folders, a ZIP or an offline gallery, resumable. */
  readonly exports: EventExports;
  /** The offline gallery's look per event: colours (settings) and the organiser's logo (a file in the event's folder). */
  readonly galleryBranding: GalleryBranding;
  /**
   * Sync to a cloud endpoint: enrol, view, pause, cap, run once; start() runs it continuously
   * (serve), stop() comes with the engine's.
   */
  readonly sync: EventSync;
  /** Opens the selfie worker's face models now, so the first attendee does not wait for them. */
  warmUpSelfies(): Promise<void>;
  openEvent(name: string): Promise<EventSession>;
  status(eventName: string): EventStatus | undefined;
  /** Failed photos (all, or those given) back into the queue; files that could not be read are examined again. */
  retryFailed(eventName: string, photoIds?: readonly number[]): { requeued: number; reexamined: number };
  /**
   * Runs one stage again for every photo of the event (after a model or threshold change); their
   * other results stay, and ready photos stay ready. Throws StageOffError when the stage is
   * switched off, UnknownEventError for an event that does not exist.
   */
  reprocess(eventName: string, stage: PhotoStage): StageQueued;
  /** Queues scene embeddings for every event's photos that have none (a CLIP model was installed); how many. */
  backfillScenes(): number;
  /** Resolves when nothing is arriving or queued for the event. */
  whenIdle(eventId: number): Promise<void>;
  stop(): Promise<void>;
}
