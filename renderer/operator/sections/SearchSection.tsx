// Search: find every photo of someone from a photo of their face, as the kiosk would (operator view).
import { useEffect, useRef, useState, type ChangeEvent, type DragEvent } from 'react';
import type { SearchResponse } from '@api';
import { errorMessage } from '../../shared/api.js';
import { plural } from '../../shared/format.js';
import { EmptyState, LoadingState } from '../../shared/StateViews.js';
import { operatorApi } from '../api.js';
import { Icon } from '../../shared/Icon.js';
import { PhotoFrame } from '../PhotoFrame.js';
import { SectionHeader } from '../SectionHeader.js';

type SearchState =
  { state: 'idle' } | { state: 'searching' } | { state: 'done'; response: SearchResponse } | { state: 'failed'; message: string };

const ACCEPTED = 'image/jpeg,image/png,image/webp';

export function SearchSection() {
  const [search, setSearch] = useState<SearchState>({ state: 'idle' });
  const [selfieUrl, setSelfieUrl] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(
    () => () => {
      if (selfieUrl) URL.revokeObjectURL(selfieUrl);
    },
    [selfieUrl],
  );

  const run = async (file: File) => {
    setSelfieUrl(URL.createObjectURL(file));
    setSearch({ state: 'searching' });
    try {
      setSearch({ state: 'done', response: await operatorApi.upload<SearchResponse>('/api/search/selfie', file) });
    } catch (error) {
      setSearch({ state: 'failed', message: errorMessage(error) });
    }
  };

  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (file) void run(file);
    e.target.value = '';
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (file) void run(file);
  };

  return (
    <div className="c-section" data-testid="search-section">
      <SectionHeader title="Search" subtitle="Upload a photo of someone's face to find every photo they appear in." />
      <div className="c-search-layout">
        <div
          className={`c-dropzone${dragging ? ' is-dragging' : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          {selfieUrl ? (
            <img className="c-dropzone__preview" src={selfieUrl} alt="The face searched for" />
          ) : (
            <Icon name="upload" size={36} />
          )}
          <p>{selfieUrl ? 'Search with another photo' : 'Drop a face photo here'}</p>
          <button type="button" className="c-button c-button--primary" onClick={() => input.current?.click()} data-testid="search-choose">
            Choose photo…
          </button>
          <input ref={input} type="file" accept={ACCEPTED} hidden onChange={onFile} data-testid="search-file" />
          <p className="c-muted c-small">JPEG, PNG or WebP, up to 10 MB. One face, facing the camera, works best.</p>
        </div>
        <div className="c-search-results" data-testid="search-results">
          {search.state === 'idle' && (
            <EmptyState title="No search yet" icon={<Icon name="search" size={40} />}>
              Results appear here, best match first.
            </EmptyState>
          )}
          {search.state === 'searching' && <LoadingState label="Searching…" />}
          {search.state === 'failed' && (
            <div className="c-callout c-callout--error" role="alert" data-testid="search-error">
              <strong>Could not search with this photo</strong>
              <p>{search.message}</p>
            </div>
          )}
          {search.state === 'done' &&
            (search.response.matches.length === 0 ? (
              <EmptyState title="No matching photos" icon={<Icon name="face" size={40} />} testId="search-empty">
                Nobody in this event's photos looks like this face yet.
              </EmptyState>
            ) : (
              <>
                <p className="c-muted" data-testid="search-summary">
                  {plural(search.response.matches.length, 'photo')} in {search.response.tookMs} ms
                </p>
                <div className="c-photo-grid">
                  {search.response.matches.map((m) => (
                    <article key={m.photoId} className="c-photo" data-testid="search-result" data-photo-id={m.photoId}>
                      <a href={m.previewUrl} target="_blank" rel="noreferrer" className="c-photo__open">
                        <PhotoFrame
                          src={m.thumbUrl}
                          alt={m.fileName}
                          faces={[{ id: 0, box: m.box, personId: null, score: 1 }]}
                          frameAspect={4 / 3}
                        />
                        <span className="c-status c-status--faces">
                          {m.via === 'person' ? 'via person' : `distance ${m.distance.toFixed(2)}`}
                        </span>
                      </a>
                      <div className="c-photo__meta">
                        <span className="c-photo__name">{m.fileName}</span>
                      </div>
                    </article>
                  ))}
                </div>
              </>
            ))}
        </div>
      </div>
    </div>
  );
}
