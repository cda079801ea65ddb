// Export: hand the event to its organiser from the console. A folder per person (or a ZIP, or an
// offline gallery) written to a folder on this laptop, with progress while it runs and a summary
// after; starting the same export again completes an interrupted one.
import { useEffect, useState, type FormEvent } from 'react';
import type { ExportRequest, ExportStatus } from '@api';
import { errorMessage } from '../../shared/api.js';
import { formatBytes } from '../../shared/format.js';
import { openLiveStream } from '../../shared/live.js';
import { Spinner } from '../../shared/StateViews.js';
import { operatorApi } from '../api.js';
import { SectionHeader } from '../SectionHeader.js';
import { GalleryLook } from './GalleryLook.js';

const LAYOUTS: { value: ExportRequest['as']; label: string; hint: string }[] = [
  { value: 'folders', label: 'Folders', hint: 'A folder per person and one with every photo, plus a manifest (CSV and JSON).' },
  { value: 'zip', label: 'ZIP', hint: 'The same folders in one .zip file, to send or upload.' },
  { value: 'html', label: 'HTML gallery', hint: 'index.html that opens from a USB stick in any browser, no internet needed.' },
];

function timeLeft(ms: number | null): string {
  if (ms === null) return 'estimating…';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s left` : `${Math.floor(s / 60)} min ${s % 60} s left`;
}

export function ExportSection() {
  const [to, setTo] = useState('');
  const [as, setAs] = useState<ExportRequest['as']>('folders');
  const [files, setFiles] = useState<ExportRequest['files']>('previews');
  const [people, setPeople] = useState('');
  const [onlyPicks, setOnlyPicks] = useState(false);
  const [namedOnly, setNamedOnly] = useState(false);
  const [watermark, setWatermark] = useState(false);
  const [status, setStatus] = useState<ExportStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);

  // An export started from another console (or before a reload) shows here too; live events move it on.
  useEffect(() => {
    operatorApi
      .get<{ export: ExportStatus | null }>('/api/exports/current')
      .then((r) => r.export && setStatus(r.export))
      .catch(() => undefined); // The form still works; a failure to start says why.
    return openLiveStream('/api/live', { export: (e) => setStatus(e.export) }, () => undefined);
  }, []);

  const running = status?.state === 'running';
  const start = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setStarting(true);
    const request: ExportRequest = {
      to: to.trim(),
      as,
      files,
      people: people
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
      onlyPicks,
      namedOnly,
      watermark,
    };
    operatorApi
      .post<ExportStatus>('/api/exports', request)
      // A small export can finish, and its live 'export' events arrive, before this answer does:
      // the answer ("running", no progress yet) must not turn a finished export back into a running one.
      .then((started) => setStatus((seen) => (seen?.id === started.id ? seen : started)))
      .catch((err: unknown) => setError(errorMessage(err)))
      .finally(() => setStarting(false));
  };

  const progress = status?.progress;
  const summary = status?.summary;
  return (
    <div className="c-section" data-testid="export-section">
      <SectionHeader
        title="Export"
        subtitle="Hand the photos to the organiser. People who asked not to be published are blurred and never named."
      />
      <form className="c-panel c-form" onSubmit={start} data-testid="export-form">
        <label className="c-field">
          <span>Destination folder</span>
          <input value={to} onChange={(e) => setTo(e.target.value)} placeholder="/Volumes/USB STICK" required data-testid="export-to" />
          <small className="c-muted">
            A folder on this laptop: a USB stick, a shared drive. Starting again into the same folder completes it.
          </small>
        </label>
        <label className="c-field">
          <span>As</span>
          <select value={as} onChange={(e) => setAs(e.target.value as ExportRequest['as'])} data-testid="export-as">
            {LAYOUTS.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </select>
          <small className="c-muted">{LAYOUTS.find((l) => l.value === as)!.hint}</small>
        </label>
        {as === 'html' && <GalleryLook onError={setError} />}
        <label className="c-field">
          <span>Files</span>
          <select value={files} onChange={(e) => setFiles(e.target.value as ExportRequest['files'])} data-testid="export-files">
            <option value="previews">Previews</option>
            <option value="originals">Originals</option>
          </select>
          <small className="c-muted">
            {files === 'previews'
              ? '2048 px JPEGs with names and face regions inside.'
              : 'The camera files, untouched, with .xmp sidecars for Lightroom.'}
          </small>
        </label>
        <label className="c-field">
          <span>Only these people</span>
          <input
            value={people}
            onChange={(e) => setPeople(e.target.value)}
            placeholder="Everyone (or: Anna, Person 12)"
            data-testid="export-people"
          />
        </label>
        <label className="c-check">
          <input type="checkbox" checked={onlyPicks} onChange={(e) => setOnlyPicks(e.target.checked)} />
          <span>Only the best frame of each burst</span>
        </label>
        <label className="c-check">
          <input type="checkbox" checked={namedOnly} onChange={(e) => setNamedOnly(e.target.checked)} />
          <span>No folders for people nobody has named</span>
        </label>
        <label className="c-check">
          <input type="checkbox" checked={watermark} onChange={(e) => setWatermark(e.target.checked)} data-testid="export-watermark" />
          <span>Watermark the photos (the event's watermark from Settings; originals stay untouched)</span>
        </label>
        {error && (
          <p className="c-form-error" role="alert" data-testid="export-error">
            {error}
          </p>
        )}
        <div className="c-form__actions">
          <button
            type="submit"
            className="c-button c-button--primary"
            disabled={running || starting || !to.trim()}
            data-testid="export-start"
          >
            {starting ? <Spinner size="small" /> : running ? 'Exporting…' : 'Export'}
          </button>
        </div>
      </form>

      {status && (
        <div className="c-panel" data-testid="export-status" data-state={status.state}>
          {status.state === 'running' && (
            <>
              <h2>Exporting into {status.request.to}</h2>
              <progress max={progress?.total ?? 1} value={progress?.done ?? 0} style={{ width: '100%' }} />
              <p className="c-muted" data-testid="export-progress">
                {progress
                  ? `${progress.done} of ${progress.total} photos · ${formatBytes(progress.bytes)} · ${timeLeft(progress.leftMs)}`
                  : 'Starting…'}
              </p>
            </>
          )}
          {status.state === 'done' && summary && (
            <>
              <h2>Exported “{summary.event}”</h2>
              <p data-testid="export-summary">
                {summary.photos} photos, {summary.people} people: {summary.written} files written ({formatBytes(summary.bytes)}),{' '}
                {summary.alreadyThere} already there, {summary.blurredFaces} faces blurred, in {(summary.elapsedMs / 1000).toFixed(1)} s.
              </p>
              <p className="c-muted">
                Open <code>{summary.entry}</code>
              </p>
            </>
          )}
          {status.state === 'failed' && (
            <p className="c-form-error" role="alert" data-testid="export-failed">
              {status.error}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
