"""Generate a synthetic organisation for the benchmark: N document files and M register rows.

    python benchmarks/generate.py OUT --files 5000 --rows 100000 [--seed 1]

Writes OUT/qmscheck.toml and OUT/share/ (documents in department folders, registers in
Records/). Documents are mostly Markdown and text with document-control headers, plus
Word and PDF files; registers are xlsx (via openpyxl, write-only) and csv. Deterministic
for a given seed. Prints the expected number of evidence items as JSON.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
from datetime import date, timedelta
from pathlib import Path

DEPARTMENTS = ["Quality", "Production", "Purchasing", "Sales", "Engineering", "HR", "Maintenance", "Logistics"]
KINDS = [("Procedure", "QP"), ("Work Instruction", "WI"), ("Form", "F")]
REGISTERS = [
    ("Training Matrix", ["Employee", "Course", "Completed", "Next Due", "Status"]),
    ("Calibration Log", ["Gauge ID", "Description", "Status", "Last Calibrated", "Next Due"]),
    ("NC and CAPA Log", ["NC No", "Description", "Raised", "Due", "Status", "Owner"]),
    ("Supplier Register", ["Supplier", "Category", "Status", "Approved", "Next Review"]),
]


def _day(rng: random.Random) -> date:
    return date(2023, 1, 1) + timedelta(days=rng.randrange(1200))


def _control_lines(number: str, rng: random.Random) -> list[tuple[str, str]]:
    return [
        ("Document No", number),
        ("Revision", rng.choice("ABCDEFG")),
        ("Status", "Released"),
        ("Approved by", rng.choice(["A. Smith", "B. Jones", "C. Patel"])),
        ("Approval date", _day(rng).isoformat()),
        ("Next review", _day(rng).isoformat()),
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


def generate(out: Path, files: int, rows: int, seed: int = 1, registers: int = 8) -> dict[str, int]:
    rng = random.Random(seed)
    share = out / "share"
    share.mkdir(parents=True, exist_ok=True)
    (out / "qmscheck.toml").write_text(
        '[organisation]\nname = "Synthetic Org"\n\n[scan]\nas_of = "2026-03-31"\n\n'
        '[[sources]]\nconnector = "filesystem"\npath = "share"\n'
    )
    body = " ".join(["This procedure describes how the work is planned, done, checked and improved."] * 20)
    counts = {"documents": 0, "rows": 0, "docx": 0, "pdf": 0, "md": 0, "txt": 0, "xlsx": 0, "csv": 0}
    for n in range(files):
        department = DEPARTMENTS[n % len(DEPARTMENTS)]
        kind, prefix = KINDS[n % len(KINDS)]
        number = f"{prefix}-{n:06d}"
        title = f"{number} {department} {kind} {n}"
        folder = share / department / f"{kind}s" / f"batch-{n // 500:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        control = _control_lines(number, rng)
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
        rows_data = (_row(name, j, rng) for j in range(count))
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


def _row(name: str, j: int, rng: random.Random) -> list[object]:
    done = _day(rng)
    if name == "Training Matrix":
        return [f"Employee {j % 900}", f"Course {j % 37}", done, done + timedelta(days=365), "Complete"]
    if name == "Calibration Log":
        return [f"G-{j:06d}", "Caliper", "In use", done, done + timedelta(days=365)]
    if name == "NC and CAPA Log":
        return [f"NC-{j:06d}", "Dimension out of tolerance", done, done + timedelta(days=30), "Closed", "Q. Lead"]
    return [f"Supplier {j:06d}", "Machining", "Approved", done, done + timedelta(days=365)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--registers", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(generate(args.out, args.files, args.rows, args.seed, args.registers)))


if __name__ == "__main__":
    main()
