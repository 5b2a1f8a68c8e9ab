import { DASHBOARD_SCRIPT } from './dashboard-script';

const STYLE = `
:root { color-scheme: dark; --bg: #0f1115; --panel: #171a21; --line: #262a33; --text: #e6e6e6; --dim: #8b93a1;
  --green: #17c964; --yellow: #f5a524; --red: #f31260; --cyan: #06b7db; --orange: #ff8a3d; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--text); }
header { display: flex; gap: 16px; align-items: baseline; padding: 12px 20px; border-bottom: 1px solid var(--line); }
header h1 { font-size: 18px; margin: 0; }
main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(280px, 1fr); gap: 16px; padding: 16px 20px; }
section, aside > div { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px; margin-bottom: 16px; }
h2 { font-size: 14px; margin: 0 0 8px; text-transform: uppercase; letter-spacing: .05em; color: var(--dim); }
h3 { font-size: 15px; margin: 0 0 8px; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; font-weight: 500; color: var(--dim); border-bottom: 1px solid var(--line); padding: 4px 6px; }
td { padding: 4px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.mono { font-family: ui-monospace, monospace; font-size: 12px; white-space: nowrap; }
.dim { color: var(--dim); }
.reason { max-width: 320px; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.badge.active { background: #17c96426; color: var(--green); }
.badge.cooling { background: #f5a52426; color: var(--yellow); }
.badge.half_open { background: #06b7db26; color: var(--cyan); }
.badge.limited { background: #ff8a3d26; color: var(--orange); }
.badge.disabled { background: #f3126026; color: var(--red); }
tr[data-status=cooling] .countdown { color: var(--yellow); }
#charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); gap: 12px; }
figure { margin: 0; }
figcaption { font-size: 12px; margin-bottom: 4px; }
svg { width: 100%; height: 90px; background: #11141a; border-radius: 4px; }
svg .axis { stroke: var(--line); }
.legend { margin-right: 12px; font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; }
ul { list-style: none; margin: 0; padding: 0; }
li.alert { border-left: 3px solid var(--red); padding: 4px 8px; margin-bottom: 6px; background: #f3126014; }
.ok { color: var(--green); }
.bad { color: var(--red); }
#events li { padding: 2px 0; border-bottom: 1px solid var(--line); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.chain { margin-bottom: 4px; }
.breaker-open { color: var(--yellow); }
.breaker-half_open { color: var(--cyan); }
.category { color: var(--yellow); }
`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** The single-page dashboard: HTML, CSS and script in one document, nothing loaded from elsewhere. */
export function dashboardPage(title: string): string {
  const safeTitle = escapeHtml(title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${safeTitle}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${safeTitle}</h1><span id="connection" class="dim">connecting…</span><span id="updated" class="dim"></span><span id="live" class="dim"></span></header>
<main>
<div>
<section><h2>Alerts (<span id="alert-count">0</span>)</h2><ul id="alerts"></ul><ul id="resolved"></ul></section>
<section><h2>Last minutes</h2><div id="legend"></div><div id="charts"></div></section>
<section><h2>Keys</h2><div id="chains"></div><div id="pools"></div></section>
<section><h2>Failure history</h2><table><thead><tr><th>time</th><th>pool</th><th>key</th><th>category</th><th>status</th><th>code</th><th>message</th></tr></thead><tbody id="history"></tbody></table></section>
</div>
<aside><div><h2>Live events</h2><ul id="events"></ul></div></aside>
</main>
<script>${DASHBOARD_SCRIPT}</script>
</body>
</html>
`;
}
