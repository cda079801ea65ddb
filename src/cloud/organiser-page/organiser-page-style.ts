// The organiser page's one stylesheet: the console's dark palette (renderer/operator/console.css),
// so the cloud page reads as the same product. Kept as a string so the build ships it with the code.
export const organiserPageStyle = `
:root {
  --c-bg: #0f1217;
  --c-surface: #161a21;
  --c-surface-2: #1c212a;
  --c-surface-3: #242a35;
  --c-border: #2a303c;
  --c-border-strong: #3a4252;
  --c-text: #e6e9ef;
  --c-muted: #8b93a3;
  --c-accent: #7c8cff;
  --c-accent-strong: #6574f5;
  --c-accent-soft: rgba(124, 140, 255, 0.14);
  --c-good: #3ecf8e;
  --c-good-soft: rgba(62, 207, 142, 0.12);
  --c-warn: #f0b429;
  --c-danger: #f26d6d;
  --c-danger-soft: rgba(242, 109, 109, 0.12);
  --c-radius: 10px;
  --c-radius-small: 7px;
  --font: ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif;
  --mono: ui-monospace, 'SF Mono', 'Cascadia Mono', 'Roboto Mono', Menlo, Consolas, monospace;
  color-scheme: dark;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--c-bg); color: var(--c-text); font: 14px/1.45 var(--font); }
code { font-family: var(--mono); font-size: 0.92em; }
h1, h2, h3 { margin: 0; font-weight: 650; }
h2 { font-size: 16px; display: flex; align-items: center; gap: 8px; margin-bottom: 6px; }
h3 { font-size: 13px; margin: 12px 0 4px; color: var(--c-muted); text-transform: uppercase; letter-spacing: 0.06em; }
p { margin: 0 0 10px; }
.muted { color: var(--c-muted); }
.small { font-size: 12.5px; }
.brand { margin: 0; font-size: 12px; font-weight: 700; letter-spacing: 0.08em; text-transform: uppercase; color: var(--c-muted); }
.brand span { color: var(--c-accent); }
.count { font-size: 12px; font-weight: 600; color: var(--c-muted); background: var(--c-surface-3); border-radius: 999px; padding: 1px 8px; }

.top { border-bottom: 1px solid var(--c-border); background: var(--c-surface); position: sticky; top: 0; z-index: 1; }
.top-inner { max-width: 1280px; margin: 0 auto; padding: 12px 24px; display: flex; align-items: center; gap: 16px; }
.top h1 { font-size: 18px; flex: 1; overflow-wrap: anywhere; }
.top form { margin: 0; }
.content { max-width: 1280px; margin: 0 auto; padding: 20px 24px 48px; display: grid; gap: 16px; }
.columns { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; align-items: start; }
.stack { display: grid; gap: 16px; }
@media (max-width: 900px) { .columns { grid-template-columns: 1fr; } }

.card { background: var(--c-surface); border: 1px solid var(--c-border); border-radius: var(--c-radius); padding: 16px 18px; min-width: 0; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; }
.stat { background: var(--c-surface); border: 1px solid var(--c-border); border-radius: var(--c-radius); padding: 12px 16px; display: grid; }
.stat strong { font-size: 24px; font-variant-numeric: tabular-nums; }
.stat span { color: var(--c-muted); font-size: 12.5px; }
.stat.bad strong { color: var(--c-danger); }

.notice { border-radius: var(--c-radius); padding: 10px 14px; border: 1px solid var(--c-border-strong); background: var(--c-surface-2); margin: 0; }
.notice.done { border-color: rgba(62, 207, 142, 0.4); background: var(--c-good-soft); }
.notice.error { border-color: rgba(242, 109, 109, 0.45); background: var(--c-danger-soft); }
.join-code { font-family: var(--mono); font-size: 18px; letter-spacing: 0.12em; color: var(--c-text); margin-left: 6px; }

table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th { text-align: left; font-size: 11px; letter-spacing: 0.06em; text-transform: uppercase; color: var(--c-muted); font-weight: 600; padding: 6px 8px; border-bottom: 1px solid var(--c-border); }
td.when, .photo figcaption .small { white-space: nowrap; }
td { padding: 9px 8px; border-bottom: 1px solid var(--c-border); vertical-align: middle; }
tr:last-child td { border-bottom: 0; }
.number { text-align: right; }
td form { margin: 0; }

.button { display: inline-flex; align-items: center; justify-content: center; gap: 8px; min-height: 34px; padding: 0 14px;
  border-radius: var(--c-radius-small); border: 1px solid var(--c-border-strong); background: var(--c-surface-2);
  color: var(--c-text); font: inherit; font-weight: 550; cursor: pointer; text-decoration: none; }
.button:hover { background: var(--c-surface-3); }
.button:focus-visible, .toggle:focus-visible, input:focus-visible { outline: 2px solid var(--c-accent); outline-offset: 2px; }
.button.primary { background: var(--c-accent-strong); border-color: transparent; color: #fff; }
.button.primary:hover { background: var(--c-accent); }
.button.danger { color: var(--c-danger); border-color: rgba(242, 109, 109, 0.45); background: transparent; }
.button.danger:hover { background: var(--c-danger-soft); }
.button.quiet { background: transparent; border-color: transparent; color: var(--c-muted); }
.button.quiet:hover { color: var(--c-text); background: var(--c-surface-2); }
.button.small { min-height: 28px; padding: 0 10px; font-size: 12.5px; }

.badge { display: inline-block; border-radius: 999px; padding: 1px 9px; font-size: 12px; font-weight: 600; background: var(--c-surface-3); color: var(--c-muted); white-space: nowrap; }
.badge.good { background: var(--c-good-soft); color: var(--c-good); }
.badge.bad { background: var(--c-danger-soft); color: var(--c-danger); }
.badge.accent { background: var(--c-accent-soft); color: var(--c-accent); }

.setting { display: flex; align-items: center; gap: 12px; justify-content: space-between; padding: 10px 0; border-top: 1px solid var(--c-border); margin: 0; }
.setting:first-of-type { border-top: 0; }
.toggle { flex: none; width: 64px; height: 30px; border-radius: 999px; border: 1px solid var(--c-border-strong); background: var(--c-surface-3);
  color: var(--c-muted); font: inherit; font-size: 12px; font-weight: 650; cursor: pointer; position: relative; text-align: right; padding: 0 10px; }
.toggle::before { content: ''; position: absolute; left: 4px; top: 4px; width: 20px; height: 20px; border-radius: 50%; background: var(--c-muted); }
.toggle.on { background: var(--c-accent-strong); border-color: transparent; color: #fff; text-align: left; }
.toggle.on::before { left: auto; right: 4px; background: #fff; }

.photo-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; }
.photo { margin: 0; background: var(--c-surface-2); border: 1px solid var(--c-border); border-radius: var(--c-radius-small); overflow: hidden; display: grid; }
.photo img, .placeholder { width: 100%; aspect-ratio: 3 / 2; object-fit: cover; display: block; background: var(--c-surface-3); }
.placeholder { display: grid; place-items: center; color: var(--c-muted); font-size: 12px; text-align: center; padding: 8px;
  background: repeating-linear-gradient(135deg, var(--c-surface-3) 0 10px, var(--c-surface-2) 10px 20px); }
.photo figcaption { padding: 6px 8px 8px; display: grid; gap: 2px; }
.photo figcaption .badge { justify-self: start; margin-top: 2px; }
.file-name { font-size: 12.5px; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.pager { display: flex; gap: 12px; align-items: center; justify-content: center; margin-top: 12px; }

.people { list-style: none; margin: 8px 0 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 10px; }
.person { background: var(--c-surface-2); border: 1px solid var(--c-border); border-radius: var(--c-radius-small); padding: 10px 12px; display: grid; gap: 4px; }
.person-head { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.person-head strong { overflow-wrap: anywhere; }
.members { color: var(--c-muted); border-top: 1px solid var(--c-border); padding-top: 6px; display: grid; gap: 2px; }
.links { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
.link { display: flex; flex-wrap: wrap; align-items: center; gap: 10px 14px; padding: 10px 12px; border-radius: var(--c-radius-small);
  border: 1px dashed rgba(124, 140, 255, 0.45); background: var(--c-accent-soft); }
.link .pair { flex: 1; min-width: 260px; }
.link .same { color: var(--c-muted); margin: 0 4px; }
.link .actions { display: flex; gap: 6px; }
.link form { margin: 0; }

.error-text { color: var(--c-danger); font-size: 12.5px; margin-bottom: 6px; }
form.inline { display: flex; gap: 6px; margin: 0; }
input[type='email'], input[type='password'] { min-height: 34px; padding: 0 10px; border-radius: var(--c-radius-small); border: 1px solid var(--c-border-strong);
  background: var(--c-bg); color: var(--c-text); font: inherit; min-width: 0; }
form.inline input { flex: 1; min-width: 180px; }

.sign-in { min-height: 100vh; display: grid; place-items: center; padding: 24px; }
.sign-in-card { width: min(420px, 100%); display: grid; gap: 10px; padding: 26px 28px; }
.sign-in-card h1 { font-size: 20px; }
.sign-in-card label { font-size: 12.5px; font-weight: 600; color: var(--c-muted); }
.sign-in-card .button { justify-self: start; }
`;
