"""The stylesheet and script inlined into the HTML report, and the Content-Security-Policy that pins them.

They are Python constants, not package files, so the report stays one self-contained
file with nothing to install. The policy allows exactly these two blocks (by hash) and
no network at all: even if a string from evidence slipped through unescaped, a browser
would not run it. The script holds no words: what it writes (the count of findings shown, "Copied")
comes from data attributes of the page, in the report's language.
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
.counts { margin-top: .75rem; }
.count { border: 1px solid var(--line); border-radius: 8px; padding: .6rem 1rem; }
.count .n { display: block; font-size: 1.8rem; font-weight: 700; }
.major { --hue: 0; } .minor { --hue: 25; } .request { --hue: 285; } .observation { --hue: 45; } .ofi { --hue: 205; }
.grade-tag { display: inline-block; border-radius: 4px; padding: 0 .4rem; font-size: .8rem; font-weight: 600;
  white-space: nowrap; background: hsl(var(--hue) 85% 90%); color: hsl(var(--hue) 70% 25%); }
.heatmap td { text-align: center; vertical-align: middle; font-variant-numeric: tabular-nums; width: 12%; padding: 0; }
.heatmap td.none { color: var(--muted); padding: .35rem .5rem; }
.worst-major { background: #9f1a1a; color: #fff; }
.worst-minor { background: #e8710a; color: var(--ink); }
.worst-request { background: #c4a7f2; color: var(--ink); }
.worst-observation { background: #fbdc7a; color: var(--ink); }
.worst-ofi { background: #d9ecfc; color: var(--ink); }
.heatmap td[class*=worst-], .swatch { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.heatmap button.cell { display: block; width: 100%; min-height: 2rem; border: 0; margin: 0; padding: .35rem .5rem;
  background: transparent; color: inherit; font: inherit; font-weight: 700; cursor: pointer; }
.heatmap button.cell:hover { text-decoration: underline; }
.heatmap button.cell:focus-visible { outline: 3px solid var(--ink); outline-offset: -3px; }
.heatmap button.cell[aria-pressed=true] { outline: 3px solid var(--ink); outline-offset: -3px; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem 1.25rem; list-style: none; padding: 0; margin: .5rem 0; }
.swatch { display: inline-block; width: 1.1rem; height: 1.1rem; border-radius: 3px; vertical-align: -.2rem;
  margin-right: .35rem; border: 1px solid var(--line); }
.gaps { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: .75rem; }
.gap { border: 1px solid var(--line); border-radius: 8px; padding: .25rem 1rem .75rem; }
.gap ul { margin: 0; padding-left: 1.1rem; }
.badge { background: var(--wash); border-radius: 999px; padding: 0 .5rem; font-size: .85rem; }
.filters { display: flex; flex-wrap: wrap; gap: .75rem 1.25rem; align-items: center; margin-bottom: .75rem; }
.filters input[type=search] { min-width: 18rem; padding: .3rem .5rem; }
.findings td ul { margin: 0; padding-left: 1rem; }
.findings th[data-sort] { padding: 0; }
.findings button.sort { display: block; width: 100%; border: 0; margin: 0; padding: .35rem .5rem; background: none;
  font: inherit; font-weight: 700; color: inherit; text-align: left; cursor: pointer; white-space: nowrap; }
.findings button.sort::after { content: " \\2195"; color: var(--muted); }
.findings th[aria-sort=ascending] button.sort::after { content: " \\2191"; color: var(--ink); }
.findings th[aria-sort=descending] button.sort::after { content: " \\2193"; color: var(--ink); }
.findings button.sort:focus-visible, button.copy:focus-visible { outline: 3px solid var(--ink); }
button.copy { font: inherit; font-size: .75rem; padding: 0 .35rem; margin-left: .35rem; border: 1px solid var(--line);
  border-radius: 4px; background: var(--wash); color: var(--ink); cursor: pointer; }
.cell-filter { background: var(--wash); border-radius: 999px; padding: .15rem .4rem .15rem .8rem; }
.cell-filter button { font: inherit; margin-left: .4rem; cursor: pointer; }
.offscreen { position: fixed; left: -10000px; top: 0; }
.verdict.understood .figure { font-size: 1.6rem; font-weight: 700; margin: .3rem 0 0; }
.verdict.understood p { margin: .2rem 0; }
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
@media print {
  body { max-width: none; padding: 0; }
  .filters, button.copy, .cell-filter, .legend-hint { display: none !important; }
  .heatmap td { padding: .35rem .5rem; }
  .heatmap button.cell, .findings button.sort { all: unset; }
  .findings th[data-sort] { padding: .35rem .5rem; }
  .findings th button.sort::after { content: none !important; }
  .findings tr.finding[hidden] { display: table-row !important; }
  code.sha256[title] { font-size: 0; }
  code.sha256[title]::after { content: attr(title); font-size: .7rem; }
  details::details-content { content-visibility: visible; display: block; }
  details > summary { list-style: none; }
  tr, li, .verdict { break-inside: avoid; }
}
"""

SCRIPT = """
(() => {
  "use strict";
  const table = document.getElementById("findings-table");
  if (!table) { return; }
  const body = table.tBodies[0];
  const rows = Array.from(body.querySelectorAll("tr.finding"));
  const boxes = Array.from(document.querySelectorAll("#filters input[type=checkbox]"));
  const text = document.getElementById("filter-text");
  const shown = document.getElementById("shown-count");
  const cellFilter = document.getElementById("cell-filter");
  const cellLabel = document.getElementById("cell-filter-label");
  const cells = Array.from(document.querySelectorAll(".heatmap button.cell"));
  let chosen = null;
  const apply = () => {
    const wanted = new Set(boxes.filter((box) => box.checked).map((box) => box.value));
    const needle = text.value.trim().toLowerCase();
    let count = 0;
    for (const row of rows) {
      const visible = wanted.has(row.dataset.grade) &&
        (needle === "" || row.textContent.toLowerCase().includes(needle)) &&
        (chosen === null || (row.dataset.group === chosen.dataset.filter &&
          (chosen.dataset.filterGrade === "" || row.dataset.grade === chosen.dataset.filterGrade)));
      row.hidden = !visible;
      if (visible) { count += 1; }
    }
    const template = shown.dataset.template;
    shown.textContent = template.replace("{shown}", String(count)).replace("{total}", String(rows.length));
    cellFilter.hidden = chosen === null;
    cellLabel.textContent = chosen === null ? "" : chosen.dataset.label;
    for (const cell of cells) { cell.setAttribute("aria-pressed", String(cell === chosen)); }
  };
  for (const box of boxes) { box.addEventListener("change", apply); }
  text.addEventListener("input", apply);
  for (const cell of cells) {
    cell.addEventListener("click", () => {
      chosen = chosen === cell ? null : cell;
      apply();
      if (chosen !== null) { document.getElementById("findings").scrollIntoView({ block: "start" }); }
    });
  }
  document.getElementById("clear-cell").addEventListener("click", () => {
    const was = chosen;
    chosen = null;
    apply();
    if (was !== null) { was.focus({ preventScroll: true }); }
  });
  const headers = Array.from(table.querySelectorAll("th[data-sort]"));
  const sortBy = (header, direction) => {
    const key = `by${header.dataset.sort[0].toUpperCase()}${header.dataset.sort.slice(1)}`;
    const sign = direction === "ascending" ? 1 : -1;
    rows.sort((a, b) => sign * (Number(a.dataset[key]) - Number(b.dataset[key])));
    body.append(...rows);
    for (const other of headers) {
      if (other === header) { other.setAttribute("aria-sort", direction); } else { other.removeAttribute("aria-sort"); }
    }
  };
  for (const header of headers) {
    header.querySelector("button").addEventListener("click", () => {
      sortBy(header, header.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending");
    });
  }
  const fallbackCopy = (value) => {
    const area = document.createElement("textarea");
    area.value = value;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.append(area);
    area.select();
    let copied = false;
    try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    area.remove();
    return copied;
  };
  const copy = async (value) => {
    try {
      await navigator.clipboard.writeText(value);
      return true;
    } catch (error) {
      return fallbackCopy(value);
    }
  };
  for (const button of document.querySelectorAll("button.copy")) {
    button.addEventListener("click", async () => {
      const label = button.dataset.label || button.textContent;
      button.dataset.label = label;
      const copied = await copy(button.dataset.copy);
      if (copied) {
        button.textContent = table.dataset.copied;
        window.setTimeout(() => { button.textContent = label; }, 2000);
      } else {
        const shownHash = button.previousElementSibling;
        shownHash.textContent = button.dataset.copy;
        window.getSelection().selectAllChildren(shownHash);
        button.textContent = table.dataset.selected;
      }
    });
  }
  window.addEventListener("beforeprint", () => {
    for (const folded of document.querySelectorAll("details:not([open])")) {
      folded.open = true;
      folded.dataset.printOpened = "";
    }
  });
  window.addEventListener("afterprint", () => {
    for (const folded of document.querySelectorAll("details[data-print-opened]")) {
      folded.open = false;
      delete folded.dataset.printOpened;
    }
  });
  apply();
})();
"""


def _csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src {_csp_hash(STYLE)}; script-src {_csp_hash(SCRIPT)}; "
    "base-uri 'none'; form-action 'none'"
)
