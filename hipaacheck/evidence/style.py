"""The evidence page's inline stylesheet (no external fonts, images or scripts)."""

CSS = """
:root { --ink:#1d2733; --muted:#5b6675; --line:#d8dee6; --bg:#f6f8fa; --bad:#c62828; --warn:#b26a00;
  --ok:#2e7d32; --none:#5b6675; --accent:#1f4e9c; }
* { box-sizing: border-box; }
body { margin:0; color:var(--ink); background:#fff; font:15px/1.5 system-ui, -apple-system, "Segoe UI",
  Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width:1120px; margin:0 auto; padding:28px 28px 60px; }
header.top { border-bottom:3px solid var(--accent); padding-bottom:12px; margin-bottom:18px; }
h1 { font-size:28px; margin:0 0 4px; }
h2 { font-size:21px; margin:34px 0 10px; padding-bottom:4px; border-bottom:1px solid var(--line); }
h3 { font-size:17px; margin:0; }
h4 { font-size:15px; margin:12px 0 2px; }
p { margin:6px 0; }
a { color:var(--accent); }
.sub { color:var(--muted); margin:0; }
nav.toc { font-size:14px; margin:8px 0 0; }
nav.toc a { margin-right:14px; }
.cards { display:grid; grid-template-columns:repeat(3, 1fr); gap:14px; }
.card { border:1px solid var(--line); border-radius:8px; padding:12px 14px; background:var(--bg); }
.card .big { font-size:30px; font-weight:700; line-height:1.1; }
.card .what { font-weight:600; }
.card p { font-size:14px; color:var(--muted); }
.badge { display:inline-block; font-size:12.5px; font-weight:600; padding:1px 9px; border-radius:11px;
  color:#fff; white-space:nowrap; vertical-align:middle; }
.badge.bad { background:var(--bad); } .badge.warn { background:var(--warn); }
.badge.ok { background:var(--ok); } .badge.none { background:var(--none); }
.st { font-weight:700; text-transform:uppercase; font-size:12px; white-space:nowrap; }
.st.fail { color:var(--bad); } .st.pass { color:var(--ok); } .st.unknown, .st.error { color:var(--warn); }
.st.waived { color:#6a3d9a; } .st.skipped, .st.no-evidence, .st.n-a { color:var(--muted); }
table { border-collapse:collapse; width:100%; font-size:13.5px; margin:8px 0; }
th, td { border-bottom:1px solid var(--line); padding:5px 7px; text-align:left; vertical-align:top; }
th { background:var(--bg); font-weight:600; }
tbody tr:nth-child(even) { background:#fbfcfd; }
td code, p code, li code { font-size:12.5px; overflow-wrap:anywhere; }
td { overflow-wrap:break-word; }
.nw, td.nw, td.nw code { white-space:nowrap; overflow-wrap:normal; }
table.findings { table-layout:fixed; }
table.findings td { overflow-wrap:anywhere; }
details summary { cursor:pointer; color:var(--accent); font-size:13px; }
details p { font-size:12.5px; }
table.answers td:first-child { width:52%; }
section.topic { border:1px solid var(--line); border-left:5px solid var(--none); border-radius:6px;
  padding:12px 16px; margin:14px 0; break-inside:avoid; }
section.topic.bad { border-left-color:var(--bad); } section.topic.warn { border-left-color:var(--warn); }
section.topic.ok { border-left-color:var(--ok); }
.topic .head { display:flex; gap:10px; align-items:center; justify-content:space-between; }
.about { color:var(--muted); font-size:14px; }
.headline { font-weight:600; }
.topic ul { margin:4px 0 8px; padding-left:20px; }
.topic li { margin:2px 0; font-size:14px; }
.nothing { background:#fff4e5; border:1px solid #f0c36d; border-radius:6px; padding:8px 12px; }
svg.chart { max-width:860px; display:block; margin:6px 0 18px; }
svg .label, svg .num, svg .legend { font:12px system-ui, sans-serif; fill:#1d2733; }
svg .axis { stroke:#8a94a3; stroke-width:1; }
.muted { color:var(--muted); }
table.todo { table-layout:fixed; } table.todo td { overflow-wrap:anywhere; }
table.todo th:nth-child(1) { width:11%; } table.todo th:nth-child(2) { width:27%; }
table.todo th:nth-child(3) { width:27%; }
.st.critical, .st.high { color:var(--bad); } .st.medium, .st.attestation { color:var(--warn); }
ul.steps li, ul.limits li { margin:4px 0; }
dl.terms { display:grid; grid-template-columns:max-content 1fr; gap:2px 14px; font-size:14px; }
dl.terms dt { font-weight:600; } dl.terms dd { margin:0; }
pre.doc { white-space:pre-wrap; overflow-wrap:anywhere; background:var(--bg); padding:8px 10px; font-size:12.5px; }
code.hash { font-size:11.5px; overflow-wrap:anywhere; }
.scroll { overflow-x:auto; }
table.matrix { width:auto; } table.matrix th, table.matrix td { text-align:center; white-space:nowrap; }
table.matrix td:first-child, table.matrix th:first-child { text-align:left; }
footer { margin-top:40px; color:var(--muted); font-size:13px; border-top:1px solid var(--line); padding-top:8px; }
@media (max-width: 800px) { .cards { grid-template-columns:1fr; } }
@media print { main { padding:0; } nav.toc { display:none; } a { color:inherit; } }
"""
