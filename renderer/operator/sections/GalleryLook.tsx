// The offline gallery's look, beside the export that writes it: two colours (saved in the event's
// settings) and the organiser's logo (kept on this laptop), with a small preview of the two together.
// Every change is saved at once: the next HTML export, from here or another console, uses it.
import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import type { EventSettings, GalleryLogoView, GalleryLookView } from '@api';
import { errorMessage } from '../../shared/api.js';
import { Spinner } from '../../shared/StateViews.js';
import { operatorApi } from '../api.js';

const LOOK = '/api/events/current/gallery-look';
const LOGO = '/api/events/current/gallery-logo';
/** The gallery's own colours (src/export/html-gallery/branding.ts), shown when the event has none. */
const DEFAULT_LOOK = { accent: '#c2410c', background: '#f7f5f2' } as const;
/** A colour picker drags through dozens of colours a second: save the one it rests on. */
const SAVE_AFTER_MS = 400;

type Colour = keyof typeof DEFAULT_LOOK;

/** <input type="color"> only shows #rrggbb; a colour typed elsewhere (navy, rgb()) shows as the default. */
const pickerValue = (colour: string, which: Colour): string => (/^#[0-9a-f]{6}$/i.test(colour) ? colour : DEFAULT_LOOK[which]);

function ColourField(props: { label: string; which: Colour; value: string; onChange: (value: string) => void }) {
  const { label, which, value, onChange } = props;
  return (
    <div className="c-field">
      <span id={`gallery-${which}-label`}>{label}</span>
      <div className="c-gallery-look__colour">
        <input
          type="color"
          value={pickerValue(value, which)}
          onChange={(e) => onChange(e.target.value)}
          aria-labelledby={`gallery-${which}-label`}
          data-testid={`gallery-${which}`}
        />
        <code className="c-muted" data-testid={`gallery-${which}-value`}>
          {value || 'Default'}
        </code>
        <button
          type="button"
          className="c-button c-button--ghost c-button--small"
          onClick={() => onChange('')}
          disabled={!value}
          data-testid={`gallery-${which}-default`}
        >
          Default
        </button>
      </div>
    </div>
  );
}

export function GalleryLook({ onError }: { onError: (message: string | null) => void }) {
  const [look, setLook] = useState<GalleryLookView | null>(null);
  const [colours, setColours] = useState<Pick<GalleryLookView, Colour> | null>(null);
  const [busy, setBusy] = useState<'colours' | 'logo' | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    operatorApi
      .get<GalleryLookView>(LOOK)
      .then((l) => {
        setLook(l);
        setColours({ accent: l.accent, background: l.background });
      })
      .catch((err: unknown) => onError(errorMessage(err)));
  }, [onError]);

  // Save the colours once the picker rests; the server's answer is what the export will use.
  useEffect(() => {
    if (!look || !colours || (colours.accent === look.accent && colours.background === look.background)) return;
    const timer = setTimeout(() => {
      setBusy('colours');
      operatorApi
        .patch<EventSettings>('/api/settings', { gallery: colours })
        .then((saved) => {
          onError(null);
          setLook((l) => (l ? { ...l, ...saved.gallery } : l));
          setColours(saved.gallery);
        })
        .catch((err: unknown) => {
          onError(errorMessage(err));
          setColours({ accent: look.accent, background: look.background });
        })
        .finally(() => setBusy(null));
    }, SAVE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [colours, look, onError]);

  const setLogo = (logo: GalleryLogoView | null) => setLook((l) => (l ? { ...l, logo } : l));
  const upload = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = ''; // Choosing the same file again after a refusal must try again.
    if (!file) return;
    setBusy('logo');
    operatorApi
      .upload<GalleryLogoView>(LOGO, file)
      .then((logo) => {
        onError(null);
        setLogo(logo);
      })
      .catch((err: unknown) => onError(errorMessage(err)))
      .finally(() => setBusy(null));
  };
  const remove = () => {
    setBusy('logo');
    operatorApi
      .delete(LOGO)
      .then(() => {
        onError(null);
        setLogo(null);
      })
      .catch((err: unknown) => onError(errorMessage(err)))
      .finally(() => setBusy(null));
  };

  if (!look || !colours) return null;
  const accent = colours.accent || DEFAULT_LOOK.accent;
  const background = colours.background || DEFAULT_LOOK.background;
  const state = busy ? 'saving' : colours.accent !== look.accent || colours.background !== look.background ? 'changed' : 'saved';
  return (
    <fieldset className="c-gallery-look" data-testid="gallery-look" data-state={state} aria-busy={state !== 'saved'}>
      <legend>Gallery look</legend>
      <div className="c-gallery-look__body">
        <div className="c-gallery-look__fields">
          <ColourField label="Accent" which="accent" value={colours.accent} onChange={(accent) => setColours({ ...colours, accent })} />
          <ColourField
            label="Background"
            which="background"
            value={colours.background}
            onChange={(background) => setColours({ ...colours, background })}
          />
          <div className="c-field">
            <span>Logo</span>
            <div className="c-row">
              <button
                type="button"
                className="c-button c-button--small"
                onClick={() => fileInput.current?.click()}
                disabled={busy === 'logo'}
                data-testid="gallery-logo-choose"
              >
                {busy === 'logo' ? <Spinner size="small" /> : look.logo ? 'Replace…' : 'Choose…'}
              </button>
              {look.logo && (
                <button
                  type="button"
                  className="c-button c-button--ghost c-button--small c-button--danger"
                  onClick={remove}
                  disabled={busy === 'logo'}
                  data-testid="gallery-logo-remove"
                >
                  Remove
                </button>
              )}
              <input
                ref={fileInput}
                type="file"
                accept="image/png,image/jpeg,image/webp"
                className="c-visually-hidden"
                onChange={upload}
                tabIndex={-1}
                aria-label="Logo file"
                data-testid="gallery-logo-input"
              />
            </div>
            <small className="c-muted">PNG, JPEG or WebP up to 2 MB, shown at the top of every page.</small>
          </div>
        </div>
        <div
          className="c-gallery-look__preview"
          style={{ background, color: accent }}
          aria-label="Preview of the gallery's colours and logo"
          data-testid="gallery-look-preview"
        >
          {look.logo ? (
            <img src={`${LOGO}?v=${look.logo.updatedAt}`} alt="The gallery's logo" data-testid="gallery-logo-preview" />
          ) : (
            <span className="c-gallery-look__no-logo">No logo</span>
          )}
          <span className="c-gallery-look__swatch" style={{ background: accent }} />
        </div>
      </div>
      <small className="c-muted" data-testid="gallery-look-status">
        {state === 'saved' ? 'Saved for this event: every HTML export uses it.' : 'Saving…'}
      </small>
    </fieldset>
  );
}
