"""The stylesheet and script inlined into the HTML report, and the Content-Security-Policy that pins them.

They are Python constants, not package files, so the report stays one self-contained
file with nothing to install. The policy allows exactly these two blocks (by hash) and
no network at all: even if a string from evidence slipped through unescaped, a browser
would not run it.
"""

from __future__ import annotations

import base64
import hashlib

STYLE = """
:root { --ink: #1d232b; --muted: #5b6673; --line: #d7dde4; --paper: #ffffff; --wash: #f4f6f8; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 1.5rem; color: var(--ink); background: var(--paper);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; border-bottom: 2px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .4rem; }
.meta, .caveat, .none { color: var(--muted); }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .82em;
  overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
thead th { background: var(--wash); }
.verdicts, .counts { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: .75rem; }
.verdict { border-radius: 8px; padding: .75rem 1rem; border: 2px solid; }
.verdict h2 { border: 0; margin: 0; font-size: 1rem; text-transform: uppercase; letter-spacing: .05em; }
.verdict .headline { font-size: 1.2rem; font-weight: 700; margin: .3rem 0; }
.verdict.not-ready { border-color: #b42318; background: #fef3f2; }
.verdict.conditional { border-color: #b54708; background: #fffaeb; }
.verdict.unconfirmed { border-color: #6941c6; background: #f9f5ff; }
.verdict.ready { border-color: #067647; background: #ecfdf3; }
.count { border: 1px solid var(--line); border-radius: 8px; padding: .6rem 1rem; }
.count .n { display: block; font-size: 1.8rem; font-weight: 700; }
.major { --hue: 0; } .minor { --hue: 25; } .request { --hue: 285; } .observation { --hue: 45; } .ofi { --hue: 205; }
.grade-tag { display: inline-block; border-radius: 4px; padding: 0 .4rem; font-size: .8rem; font-weight: 600;
  white-space: nowrap; background: hsl(var(--hue) 85% 90%); color: hsl(var(--hue) 70% 25%); }
.heatmap td { text-align: center; font-variant-numeric: tabular-nums; width: 12%; }
.heatmap td.h1 { background: hsl(var(--hue) 85% 88%); }
.heatmap td.h2 { background: hsl(var(--hue) 80% 74%); }
.heatmap td.h3 { background: hsl(var(--hue) 75% 58%); color: #fff; font-weight: 700; }
.heatmap td.h0 { color: var(--muted); }
.gaps { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: .75rem; }
.gap { border: 1px solid var(--line); border-radius: 8px; padding: .25rem 1rem .75rem; }
.gap ul { margin: 0; padding-left: 1.1rem; }
.badge { background: var(--wash); border-radius: 999px; padding: 0 .5rem; font-size: .85rem; }
.filters { display: flex; flex-wrap: wrap; gap: .75rem 1.25rem; align-items: center; margin-bottom: .75rem; }
.filters input[type=search] { min-width: 18rem; padding: .3rem .5rem; }
.findings td ul { margin: 0; padding-left: 1rem; }
.findings tr.group th { background: var(--wash); }
.heatmap caption { text-align: left; font-weight: 600; padding: .5rem 0 .25rem; }
.heatmap + .heatmap { margin-top: 1rem; }
.findings td:nth-child(3) code, .findings td:nth-child(2) { white-space: nowrap; }
.statement { margin: .25rem 0; }
.fix { color: var(--muted); margin: .25rem 0 0; }
dl.provenance { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.provenance dt { font-weight: 600; }
dl.provenance dd { margin: 0; }
details { margin: .4rem 0; }
details > summary { cursor: pointer; font-weight: 600; }
details.manual { border: 1px solid var(--line); border-radius: 8px; padding: .4rem 1rem; }
details.manual h3 { font-size: .95rem; margin: .5rem 0 .2rem; }
details.manual ul { margin: 0; padding-left: 1.1rem; }
@media print { .filters { display: none; } }
"""

SCRIPT = """
(() => {
  "use strict";
  const table = document.getElementById("findings-table");
  if (!table) { return; }
  const rows = Array.from(table.querySelectorAll("tr.finding"));
  const groups = Array.from(table.querySelectorAll("tr.group"));
  const boxes = Array.from(document.querySelectorAll("#filters input[type=checkbox]"));
  const text = document.getElementById("filter-text");
  const shown = document.getElementById("shown-count");
  const apply = () => {
    const wanted = new Set(boxes.filter((box) => box.checked).map((box) => box.value));
    const needle = text.value.trim().toLowerCase();
    let count = 0;
    for (const row of rows) {
      const visible = wanted.has(row.dataset.grade) &&
        (needle === "" || row.textContent.toLowerCase().includes(needle));
      row.hidden = !visible;
      if (visible) { count += 1; }
    }
    for (const group of groups) {
      group.hidden = !rows.some((row) => !row.hidden && row.dataset.group === group.dataset.group);
    }
    shown.textContent = `${count} of ${rows.length} findings shown`;
  };
  for (const box of boxes) { box.addEventListener("change", apply); }
  text.addEventListener("input", apply);
  apply();
})();
"""


def _csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src {_csp_hash(STYLE)}; script-src {_csp_hash(SCRIPT)}; "
    "base-uri 'none'; form-action 'none'"
)
