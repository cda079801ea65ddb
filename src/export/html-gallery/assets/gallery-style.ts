// The gallery pages' style sheet, written next to them as assets/gallery.css. The event's colours
// come in as custom properties from each page's <style> (branding.ts); system fonts only, since
// the gallery must look right with no network.

export const GALLERY_STYLE = `/* Shutterfind offline gallery */
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  min-height: 100vh;
  display: flex;
  flex-direction: column;
  background: var(--bg);
  color: var(--text);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "DejaVu Sans", Arial, sans-serif;
  -webkit-font-smoothing: antialiased;
}
body.lb-open { overflow: hidden; }
main { flex: 1; }
a { color: inherit; }
svg { width: 20px; height: 20px; fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; flex: none; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 3px; border-radius: 6px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.muted { color: var(--muted); }
.wrap { width: 100%; max-width: 1360px; margin: 0 auto; padding: 0 clamp(16px, 4vw, 48px); }

.masthead { border-top: 6px solid var(--accent); padding: clamp(28px, 6vw, 72px) 0 clamp(20px, 4vw, 40px); }
.masthead-inner { display: flex; align-items: center; gap: clamp(16px, 3vw, 32px); }
.logo { height: clamp(52px, 9vw, 96px); width: auto; max-width: 40vw; object-fit: contain; }
.eyebrow { margin: 0 0 6px; font-size: 13px; font-weight: 700; letter-spacing: 0.1em; text-transform: uppercase; color: var(--accent); }
h1 { margin: 0; font-size: clamp(30px, 5.2vw, 56px); line-height: 1.05; letter-spacing: -0.025em; font-weight: 800; overflow-wrap: anywhere; }
.summary { margin: 10px 0 0; color: var(--muted); font-size: clamp(15px, 1.6vw, 18px); }
h2 { margin: 0; font-size: clamp(20px, 2.2vw, 26px); letter-spacing: -0.015em; font-weight: 750; }

.section-head { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 12px 24px; margin: 0 0 18px; }
.people-section { padding: 8px 0 12px; }
.photos-section { padding: 20px 0 48px; }

.search { position: relative; display: flex; align-items: center; width: min(100%, 340px); color: var(--muted); }
.search svg { position: absolute; left: 14px; pointer-events: none; }
.search input {
  width: 100%;
  font: inherit;
  color: var(--text);
  background: var(--surface);
  border: 1px solid color-mix(in srgb, var(--text) 14%, transparent);
  border-radius: 999px;
  padding: 10px 16px 10px 44px;
  -webkit-appearance: none;
  appearance: none;
}
.search input:focus-visible { outline-offset: 1px; border-color: var(--accent); }
.search input::placeholder { color: var(--muted); }

.people { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(128px, 1fr)); gap: 12px; }
.person[hidden] { display: none; }
.person a {
  display: flex; flex-direction: column; align-items: center; text-align: center; text-decoration: none;
  padding: 14px 8px 12px; border-radius: 18px; transition: background-color 0.15s;
}
.person a:hover { background: var(--surface); }
.avatar {
  display: grid; place-items: center; width: 96px; height: 96px; border-radius: 50%; overflow: hidden; flex: none;
  background: color-mix(in srgb, var(--accent) 18%, var(--bg));
  box-shadow: 0 0 0 3px var(--bg), 0 0 0 5px color-mix(in srgb, var(--accent) 70%, transparent);
}
.avatar img { width: 100%; height: 100%; object-fit: cover; display: block; }
.avatar-large { width: clamp(72px, 10vw, 120px); height: clamp(72px, 10vw, 120px); }
.avatar-empty { font-size: 36px; font-weight: 700; color: var(--accent); }
.person-name { margin-top: 12px; font-weight: 650; line-height: 1.25; overflow-wrap: anywhere; }
.person-count { margin-top: 2px; font-size: 13px; color: var(--muted); }
.no-match { margin: 8px 0; color: var(--muted); }
.empty { color: var(--muted); padding: 40px 0; text-align: center; }

.time-group { margin: 0 0 28px; }
.time-group h3 {
  position: sticky; top: 0; z-index: 2; margin: 0 0 8px; padding: 10px 0;
  display: flex; align-items: baseline; gap: 10px; font-size: 16px; font-weight: 700;
  background: var(--bg);
}
.count { font-size: 13px; font-weight: 500; color: var(--muted); }

/* Justified rows: each tile grows in proportion to its width/height (--r), so a row shares one height. */
.grid { --row: 220px; display: flex; flex-wrap: wrap; align-items: flex-start; gap: 6px; }
.grid::after { content: ""; flex-grow: 1000000; }
.tile {
  position: relative; display: block; overflow: hidden; border-radius: 8px;
  flex: var(--r) 1 calc(var(--r) * var(--row)); aspect-ratio: var(--r);
  background: color-mix(in srgb, var(--text) 8%, var(--bg));
}
.tile img { display: block; width: 100%; height: 100%; object-fit: cover; transition: transform 0.35s ease, filter 0.2s; }
.tile:hover img { transform: scale(1.035); filter: brightness(1.05); }
.tile:focus-visible { outline-offset: 2px; }

.crumbs { margin: -8px 0 8px; }
.back {
  display: inline-flex; align-items: center; gap: 8px; padding: 8px 16px 8px 12px; border-radius: 999px;
  background: var(--accent); color: var(--on-accent); text-decoration: none; font-weight: 600; font-size: 15px;
}
.back:hover { filter: brightness(1.08); }

.footer { margin-top: auto; padding: 28px 0 36px; border-top: 1px solid color-mix(in srgb, var(--text) 12%, transparent); font-size: 14px; }
.footer p { margin: 2px 0; }

/* The photo viewer */
.lightbox {
  position: fixed; inset: 0; z-index: 50; display: grid;
  grid-template-columns: 80px minmax(0, 1fr) 80px; grid-template-rows: auto minmax(0, 1fr) auto;
  background: #0c0a09; color: #fafaf9;
  touch-action: pan-y pinch-zoom;
}
.lightbox[hidden] { display: none; }
.lb-bar { grid-column: 1 / -1; display: flex; align-items: center; gap: 10px; padding: 12px 16px; }
.lb-count { margin: 0 auto 0 4px; font-size: 14px; opacity: 0.75; font-variant-numeric: tabular-nums; }
.lb-download {
  display: inline-flex; align-items: center; gap: 8px; padding: 9px 18px 9px 14px; border-radius: 999px;
  background: var(--accent); color: var(--on-accent); text-decoration: none; font-weight: 650; font-size: 15px;
}
.lb-download:hover { filter: brightness(1.1); }
.icon-button {
  display: grid; place-items: center; width: 46px; height: 46px; padding: 0; border: 0; border-radius: 50%;
  background: rgba(255, 255, 255, 0.12); color: inherit; cursor: pointer; transition: background-color 0.15s;
}
.icon-button:hover:not(:disabled) { background: rgba(255, 255, 255, 0.24); }
.icon-button:disabled { opacity: 0.25; cursor: default; }
.icon-button svg { width: 24px; height: 24px; }
.lightbox :focus-visible { outline-color: #fafaf9; }
.lb-prev, .lb-next { grid-row: 2; align-self: center; justify-self: center; }
.lb-prev { grid-column: 1; }
.lb-next { grid-column: 3; }
.lb-stage { grid-column: 2; grid-row: 2; position: relative; margin: 0; min-height: 0; }
.lb-image { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: contain; transition: opacity 0.2s; }
.lb-loading .lb-image { opacity: 0.35; }
.lb-caption { grid-column: 1 / -1; padding: 12px 16px calc(18px + env(safe-area-inset-bottom)); text-align: center; }
.lb-caption p { margin: 2px 0; }
.lb-title { font-weight: 650; overflow-wrap: anywhere; }
.lb-meta { font-size: 14px; opacity: 0.7; }
.lb-people { display: flex; flex-wrap: wrap; justify-content: center; gap: 6px; margin-top: 8px !important; }
.lb-people:empty { display: none; }
.lb-people a {
  padding: 4px 12px; border-radius: 999px; font-size: 14px; text-decoration: none;
  background: rgba(255, 255, 255, 0.12);
}
.lb-people a:hover { background: rgba(255, 255, 255, 0.24); }

@media (max-width: 640px) {
  .masthead { padding: 22px 0 18px; border-top-width: 5px; }
  .masthead-inner { align-items: flex-start; gap: 14px; }
  .logo { height: 48px; max-width: 30vw; margin-top: 4px; }
  .eyebrow { font-size: 11px; margin-bottom: 4px; }
  h1 { font-size: 28px; }
  .summary { font-size: 14px; margin-top: 6px; }
  .grid { --row: 96px; gap: 4px; }
  .people-section { padding-bottom: 0; }
  .photos-section { padding-top: 8px; }
  .time-group h3 { font-size: 15px; }
  .tile { border-radius: 5px; }
  .people {
    display: flex; overflow-x: auto; gap: 2px; margin: 0 -16px; padding: 4px 10px 10px;
    scroll-snap-type: x proximity; scrollbar-width: none;
  }
  .person { flex: 0 0 96px; scroll-snap-align: start; }
  .person a { padding: 8px 4px; }
  .avatar { width: 72px; height: 72px; }
  .person-name { font-size: 14px; margin-top: 8px; }
  .search { width: 100%; }
  .lightbox { grid-template-columns: 0 minmax(0, 1fr) 0; }
  .lb-prev, .lb-next { position: absolute; top: 50%; transform: translateY(-50%); z-index: 1; background: rgba(0, 0, 0, 0.45); }
  .lb-prev { left: 8px; }
  .lb-next { right: 8px; }
  .lb-download span { display: none; }
  .lb-download { padding: 11px; }
}
@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { transition: none !important; }
}
`;
