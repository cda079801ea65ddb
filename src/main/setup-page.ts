// The first-run page (event name, watched folders through the OS picker, where data lives),
// served by the shell itself on shutterfind://setup before any engine runs. Self-contained:
// no remote script, a strict CSP, and only the preload bridge to talk to the shell.

export const SETUP_ORIGIN = 'shutterfind://setup';

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function setupPageHtml(defaults: { dataDir: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<title>Set up Shutterfind</title>
<style>body{font:15px system-ui,sans-serif;max-width:560px;margin:40px auto;padding:0 16px}label{display:block;margin:18px 0 6px;font-weight:600}
input{width:100%;padding:8px;box-sizing:border-box}ul{padding-left:18px}.problem{color:#b00020}button{padding:8px 14px;margin-top:8px}</style></head>
<body><h1>Set up Shutterfind</h1>
<form id="setup">
<label for="event">Event name</label><input id="event" name="event" placeholder="Smith wedding" required>
<label>Watched folders (where your tether tool writes)</label><ul id="folders"></ul>
<button type="button" id="add-folder">Add a folder…</button>
<label for="data-dir">Where Shutterfind keeps its data</label><input id="data-dir" name="dataDir" value="${escape(defaults.dataDir)}">
<button type="button" id="pick-data">Choose…</button>
<ul id="problems" class="problem" role="alert"></ul>
<button type="submit">Start the event</button>
</form>
<script>
const bridge = window.shutterfind; const folders = [];
const list = document.getElementById('folders');
function show() { list.replaceChildren(...folders.map((f) => { const li = document.createElement('li'); li.textContent = f; return li; })); }
document.getElementById('add-folder').onclick = async () => { const f = await bridge.pickFolder({ title: 'Watched folder' }); if (f && !folders.includes(f)) { folders.push(f); show(); } };
document.getElementById('pick-data').onclick = async () => { const f = await bridge.pickFolder({ title: 'Data folder' }); if (f) document.getElementById('data-dir').value = f; };
document.getElementById('setup').onsubmit = async (e) => { e.preventDefault();
  const r = await bridge.completeSetup({ eventName: document.getElementById('event').value, folders, dataDir: document.getElementById('data-dir').value });
  if (!r.ok) document.getElementById('problems').replaceChildren(...r.problems.map((p) => { const li = document.createElement('li'); li.textContent = p.message; return li; })); };
</script></body></html>`;
}
