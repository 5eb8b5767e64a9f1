"""Generate a synthetic organisation for the benchmark: N document files and M register rows.

    python benchmarks/generate.py OUT --files 5000 --rows 100000 [--seed 1] [--defect-rate 0.02]

Writes OUT/qmscheck.toml and OUT/share/ (documents in department folders, registers in
Records/). Documents are mostly Markdown and text with document-control headers, plus
Word and PDF files; registers are xlsx (via openpyxl, write-only) and csv. Deterministic
for a given seed. Prints the expected number of evidence items as JSON.

--defect-rate is the share of documents and register rows that are defective (random dates
that are mostly overdue, an NC closed without root cause, disposition or correction, a
calibration without certificate, a supplier without a recent evaluation); the others pass
the built-in rules as of AS_OF. At 1 every row is defective, as before the option existed.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

#: The day the benchmark scans as of (run.py passes the same date; written to qmscheck.toml).
AS_OF = date(2026, 3, 31)
START = date(2023, 1, 1)  # defective dates fall in START .. START + 1200 days, mostly overdue by AS_OF

DEPARTMENTS = ["Quality", "Production", "Purchasing", "Sales", "Engineering", "HR", "Maintenance", "Logistics"]
KINDS = [("Procedure", "QP"), ("Work Instruction", "WI"), ("Form", "F")]
# Columns a compliant row fills and a defective one leaves empty come last, so the first
# columns are the same at every defect rate.
NC_EVIDENCE = ["Root Cause", "Correction", "Disposition", "Corrective Action", "Effectiveness Check", "Date Closed"]
REGISTERS = [
    ("Training Matrix", ["Employee", "Course", "Completed", "Next Due", "Status"]),
    ("Calibration Log", ["Gauge ID", "Description", "Status", "Last Calibrated", "Next Due", "Certificate No"]),
    ("NC and CAPA Log", ["NC No", "Description", "Raised", "Due", "Status", "Owner", *NC_EVIDENCE]),
    ("Supplier Register", ["Supplier", "Category", "Status", "Approved", "Next Review"]),
]
# Every other supplier slot (registers 7, 15, ...) holds the evaluations of the suppliers listed
# four registers earlier: SUP001 needs an evaluation record per supplier, and the row count is fixed.
EVALUATIONS = ("Supplier Evaluations", ["Supplier", "Evaluation Date", "Score", "Result", "Evaluator"])

ROOT_CAUSES = ["Worn tool not replaced at interval", "Drawing revision not issued to cell", "Fixture misaligned"]
CORRECTIONS = ["Parts segregated and 100% inspected", "Batch quarantined and sorted", "Parts reworked"]
DISPOSITIONS = ["Rework", "Scrap", "Use as is (concession)", "Return to supplier"]
ACTIONS = ["Tool life added to setup sheet", "Document issue checked at job start", "Poka-yoke pin fitted"]
EFFECTIVENESS = ["Verified: no repeat in 3 batches", "Verified at follow-up audit", "Verified by SPC trend"]


def _day(rng: random.Random) -> date:
    return START + timedelta(days=rng.randrange(1200))


def _before(day: date, span: int, least: int = 1) -> date:
    """A date ``least`` .. ``least + span - 1`` days before AS_OF, spread by a defective date drawn
    for the same row (so compliant and defective rows consume the random stream alike)."""
    return AS_OF - timedelta(days=least + (day - START).days % span)


def defect_stream(seed: int, name: str, rate: float) -> Callable[[], bool]:
    """Deterministic per seed: call it once per row (in row order) to learn whether the row is defective.

    A stream of its own, so the rows' content draws the same numbers at every rate; random() is
    in [0, 1), so rate 1 makes every row defective and rate 0 none.
    """
    draw = random.Random(f"{seed}:defects:{name}").random
    return lambda: draw() < rate


def _control_lines(number: str, rng: random.Random, defective: bool) -> list[tuple[str, str]]:
    revision = rng.choice("ABCDEFG")
    approver = rng.choice(["A. Smith", "B. Jones", "C. Patel"])
    approved, review = _day(rng), _day(rng)
    if not defective:
        # Approved in the last ~2 years, reviewed every 2 years: the next review is 60 .. 729
        # days after AS_OF, well past DOC002's 30-day warning window.
        approved = _before(approved, 670)
        review = approved + timedelta(days=730)
    return [
        ("Document No", number),
        ("Revision", revision),
        ("Status", "Released"),
        ("Approved by", approver),
        ("Approval date", approved.isoformat()),
        ("Next review", review.isoformat()),
    ]


def _docx(path: Path, title: str, control: list[tuple[str, str]], body: str) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(title, style="Title")
    table = document.add_table(rows=0, cols=2)
    for label, value in control:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_paragraph(body)
    document.save(str(path))


def _pdf(path: Path, title: str, control: list[tuple[str, str]], body: str) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, text=title + "\n" + "\n".join(f"{k}: {v}" for k, v in control) + "\n\n" + body)
    pdf.output(str(path))


def generate(
    out: Path, files: int, rows: int, seed: int = 1, registers: int = 8, defect_rate: float = 0.02
) -> dict[str, int]:
    """Write the organisation; ``defect_rate`` (0 .. 1) is the share of defective documents and rows."""
    if not 0 <= defect_rate <= 1:
        raise ValueError(f"defect_rate must be between 0 and 1, not {defect_rate}")
    rng = random.Random(seed)
    share = out / "share"
    share.mkdir(parents=True, exist_ok=True)
    (out / "qmscheck.toml").write_text(
        f'[organisation]\nname = "Synthetic Org"\n\n[scan]\nas_of = "{AS_OF.isoformat()}"\n\n'
        '[[sources]]\nconnector = "filesystem"\npath = "share"\n'
    )
    document_defective = defect_stream(seed, "documents", defect_rate)
    body = " ".join(["This procedure describes how the work is planned, done, checked and improved."] * 20)
    counts = {"documents": 0, "rows": 0, "docx": 0, "pdf": 0, "md": 0, "txt": 0, "xlsx": 0, "csv": 0}
    for n in range(files):
        department = DEPARTMENTS[n % len(DEPARTMENTS)]
        kind, prefix = KINDS[n % len(KINDS)]
        number = f"{prefix}-{n:06d}"
        title = f"{number} {department} {kind} {n}"
        folder = share / department / f"{kind}s" / f"batch-{n // 500:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        control = _control_lines(number, rng, document_defective())
        roll = n % 20
        if roll < 2:
            _docx(folder / f"{title}.docx", title, control, body)
            counts["docx"] += 1
        elif roll < 3:
            _pdf(folder / f"{title}.pdf", title, control, body)
            counts["pdf"] += 1
        elif roll < 15:
            front = "\n".join(f"{k.lower().replace(' ', '_')}: {v}" for k, v in control)
            (folder / f"{title}.md").write_text(f"---\ntitle: {title}\n{front}\n---\n# {title}\n\n{body}\n")
            counts["md"] += 1
        else:
            header = "\n".join(f"{k}: {v}" for k, v in control)
            (folder / f"{title}.txt").write_text(f"{title}\n{header}\n\n{body}\n")
            counts["txt"] += 1
        counts["documents"] += 1
    records = share / "Records"
    records.mkdir(exist_ok=True)
    per_register = [rows // registers + (1 if i < rows % registers else 0) for i in range(registers)]
    for i, count in enumerate(per_register):
        name, headers = REGISTERS[i % len(REGISTERS)]
        if name == "Supplier Register":
            if i // len(REGISTERS) % 2:
                # Evaluations of the suppliers of register i - 4, with the same defect decisions.
                name, headers = EVALUATIONS
                stream = defect_stream(seed, f"register-{i - len(REGISTERS)}", defect_rate)
                covered = count
            else:
                stream = defect_stream(seed, f"register-{i}", defect_rate)
                # A supplier with no evaluation row to match (none, or one row short) is defective.
                paired = i + len(REGISTERS)
                covered = per_register[paired] if paired < registers else 0
            tag = "" if i < 2 * len(REGISTERS) else f"{i // (2 * len(REGISTERS))}-"
            rows_data = (_row(name, j, rng, stream() or j >= covered, tag) for j in range(count))
        else:
            stream = defect_stream(seed, f"register-{i}", defect_rate)
            rows_data = (_row(name, j, rng, stream()) for j in range(count))
        if i % 2 == 0:
            import openpyxl

            workbook = openpyxl.Workbook(write_only=True)
            sheet = workbook.create_sheet("Register")
            sheet.append([f"{name} {i}"])  # a title row above the header, as people do
            sheet.append(headers)
            for row in rows_data:
                sheet.append(row)
            workbook.save(str(records / f"{name} {i}.xlsx"))
            counts["xlsx"] += 1
        else:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(headers)
            for row in rows_data:
                writer.writerow([value.isoformat() if isinstance(value, date) else value for value in row])
            (records / f"{name} {i}.csv").write_text(buffer.getvalue())
            counts["csv"] += 1
        counts["rows"] += count
    counts["expected_items"] = counts["documents"] + counts["rows"]
    return counts


def _row(name: str, j: int, rng: random.Random, defective: bool, tag: str = "") -> list[object]:
    """Row ``j`` of a register. A defective row is what every row was before --defect-rate: random
    dates in START .. START + 1200 days (mostly overdue by AS_OF) and the evidence columns empty.
    A compliant row passes the built-in rules as of AS_OF, with every due date at least 60 days
    after it (past the 30-day warning windows)."""
    done = _day(rng)  # drawn for every row, so the random stream does not depend on the defect rate
    if name == "Training Matrix":
        if not defective:
            done = _before(done, 300)
        return [f"Employee {j % 900}", f"Course {j % 37}", done, done + timedelta(days=365), "Complete"]
    if name == "Calibration Log":
        if defective:
            return [f"G-{j:06d}", "Caliper", "In use", done, done + timedelta(days=365), None]
        done = _before(done, 300)
        return [f"G-{j:06d}", "Caliper", "In use", done, done + timedelta(days=365), f"CC-{done.year}-{j:06d}"]
    if name == "NC and CAPA Log":
        head = [f"NC-{j:06d}", "Dimension out of tolerance"]
        if defective:
            return [*head, done, done + timedelta(days=30), "Closed", "Q. Lead", *[None] * len(NC_EVIDENCE)]
        raised = _before(done, 600, least=60)
        closed = raised + timedelta(days=1 + (done - START).days % 29)  # by the 30-day target
        evidence = [ROOT_CAUSES[j % 3], CORRECTIONS[j % 3], DISPOSITIONS[j % 4], ACTIONS[j % 3], EFFECTIVENESS[j % 3]]
        return [*head, raised, raised + timedelta(days=30), "Closed", "Q. Lead", *evidence, closed]
    if name == "Supplier Evaluations":
        if defective:
            # The last evaluation is more than 12 months old and records no score or result.
            return [f"Supplier {tag}{j:06d}", _before(done, 700, least=380), None, None, "P. Buyer"]
        return [f"Supplier {tag}{j:06d}", _before(done, 300), 70 + j % 30, "Approved", "P. Buyer"]
    if not defective:
        done = _before(done, 300)
    return [f"Supplier {tag}{j:06d}", "Machining", "Approved", done, done + timedelta(days=365)]


def fraction(text: str) -> float:
    """argparse type for --defect-rate: a number from 0 to 1."""
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--registers", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--defect-rate",
        type=fraction,
        default=0.02,
        help="Share (0 .. 1) of defective documents and register rows; 1 makes every one defective.",
    )
    args = parser.parse_args()
    counts = generate(args.out, args.files, args.rows, args.seed, args.registers, args.defect_rate)
    print(json.dumps({**counts, "defect_rate": args.defect_rate}))


if __name__ == "__main__":
    main()
