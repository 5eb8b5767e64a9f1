"""HTML pages are read as Word documents are: title, control table, headings, register tables."""

from __future__ import annotations

from pathlib import Path

from qmscheck.collecting.readers import read_document

PAGE = """<!DOCTYPE html><html><head><title>Supplier register</title>
<style>td { color: red }</style><script>document.write("Revision: Z")</script></head>
<body><h1>Supplier register</h1>
<table><tr><td>Document No</td><td>QR-08</td></tr><tr><td>Revision</td><td>C</td></tr>
<tr><td>Approved by</td><td>Ann Lee</td></tr></table>
<h2>Approved suppliers</h2>
<table><tr><th>Supplier</th><th>Last evaluated</th><th>Score</th></tr>
<tr><td>Northfield Metals</td><td>2025-09-12</td><td>4</td></tr>
<tr><td>Rapid Castings &amp; Co</td><td></td><td></td></tr></table>
<p>Suppliers are re-evaluated every year.</p></body></html>
"""


def test_an_html_page_gives_its_control_data_headings_and_register_tables(tmp_path: Path) -> None:
    page = tmp_path / "supplier-register.html"
    page.write_text(PAGE, encoding="utf-8")
    found = read_document(page)
    assert found.title == "Supplier register"
    assert (found.fields["document_number"], found.fields["revision"], found.fields["approver"]) == (
        "QR-08",
        "C",
        "Ann Lee",
    )
    assert found.headings == ("Supplier register", "Approved suppliers")
    [register] = found.tables
    assert register.name == "Approved suppliers"
    assert register.rows[-1][0] == "Rapid Castings & Co"  # entities decoded
    # Neither script nor style is text.
    assert "document.write" not in found.text and "color" not in found.text
    assert "re-evaluated every year" in found.text


def test_a_damaged_html_page_is_still_read_as_far_as_it_goes(tmp_path: Path) -> None:
    page = tmp_path / "broken.htm"
    page.write_text("<html><body><h1>Quality policy<p>We commit to <b>continual improvement", encoding="utf-8")
    found = read_document(page)
    assert found.headings == ("Quality policy",)
    assert "continual improvement" in found.text
