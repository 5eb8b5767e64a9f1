#!/usr/bin/env python3
"""Writes the binary files (docx, xlsx, csv) of the fidelity benchmark's sample organisations.

Run with the project venv: ``/work/venv/bin/python benchmarks/fidelity/generate.py``. The markdown
files of the organisations are written by hand and kept in git; this script rewrites only the files
it owns, deterministically (fixed core-property dates, zip entries stamped 2026-01-01), so running it
twice gives byte-identical files and the committed output needs no generation step before a scan.
"""

# ruff: noqa: E501  (the sample documents are prose; their sentences read best unbroken, as in fixtures/acme)

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from docx import Document
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

ORGS = Path(__file__).resolve().parents[2] / "fixtures" / "orgs"
FIXED_DT = datetime(2026, 1, 1, 0, 0, 0)
ZIP_DT = (2026, 1, 1, 0, 0, 0)
EXCEL_EPOCH = date(1899, 12, 30)

Row = Sequence[Any]


#: Parts of python-docx's default template that Word does without; leaving them out keeps each
#: document near 20 KB instead of 37 KB, so the sample organisations stay small.
DROPPED_PARTS = ("word/stylesWithEffects.xml", "docProps/thumbnail.jpeg")


def _without_dropped_parts(name: str, data: bytes) -> bytes:
    if not name.endswith((".rels", "[Content_Types].xml")):
        return data
    text = data.decode("utf-8")
    for part in DROPPED_PARTS:
        target = part.rsplit("/", 1)[1]
        text = re.sub(rf"<(Relationship|Override)\b[^>]*{re.escape(target)}\"[^>]*/>", "", text)
    return text.encode("utf-8")


def _normalised_zip(raw: bytes) -> bytes:
    """python-docx and openpyxl stamp zip entries with the wall clock; fixed stamps keep output stable."""
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in DROPPED_PARTS:
                continue
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DT)
            entry.external_attr = 0o600 << 16
            entry.create_system = 3
            data = _without_dropped_parts(info.filename, src.read(info.filename))
            dst.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def docx(
    path: Path,
    title: str,
    author: str,
    stamp: date,
    header: Sequence[tuple[str, str]],
    body: Sequence[tuple[str, str]],
    tail: Sequence[Row] = (),
    tail_heading: str = "",
) -> None:
    """A document: title, a two-column control table, headed body, and optionally a table at the end
    (the revision history that many small companies keep on the last page)."""
    doc = Document()
    props = doc.core_properties
    props.title = title
    props.author = author
    props.last_modified_by = author
    when = datetime(stamp.year, stamp.month, stamp.day, 9, 0, 0)
    props.created = props.modified = props.last_printed = when
    doc.add_paragraph(title, style="Title")
    if header:
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in header:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, value
    for kind, text in body:
        if kind in ("h1", "h2"):
            doc.add_heading(text, level=1 if kind == "h1" else 2)
        elif kind == "b":
            doc.add_paragraph(text, style="List Bullet")
        else:
            doc.add_paragraph(text)
    if tail:
        doc.add_heading(tail_heading, level=1)
        table = doc.add_table(rows=0, cols=len(tail[0]))
        table.style = "Table Grid"
        for row in tail:
            for cell, value in zip(table.add_row().cells, row, strict=True):
                cell.text = str(value)
    buf = io.BytesIO()
    doc.save(buf)
    _write(path, _normalised_zip(buf.getvalue()))


def xlsx(path: Path, sheets: Sequence[tuple[str, Row, Sequence[Row]]], date_format: str = "dd/mm/yyyy") -> None:
    """A workbook of registers: one sheet per (name, header row, data rows), dates as real date cells."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = wb.properties.lastModifiedBy = "qualita"
    for name, headers, rows in sheets:
        ws = wb.create_sheet(name)
        ws.append(list(headers))
        for row in rows:
            assert len(row) == len(headers), (path.name, row)
            ws.append(list(row))
        for cells in ws.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, date):
                    cell.number_format = date_format
        ws.freeze_panes = "A2"
    wb.properties.created = wb.properties.modified = FIXED_DT
    buf = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)).save()
    _write(path, _normalised_zip(buf.getvalue()))


def d(text: str) -> date:
    return date.fromisoformat(text)


def serial(text: str) -> int | str:
    """The Excel serial number of an ISO date, as an export of date cells without formatting gives."""
    return (d(text) - EXCEL_EPOCH).days if text else ""


# ---------------------------------------------------------------------------
# Talleres Ebro (Spanish, zero-config: markdown documents and xlsx registers)
# ---------------------------------------------------------------------------


def talleres_ebro() -> None:
    reg = ORGS / "talleres-ebro" / "03 Registros"
    xlsx(
        reg / "Calibración de equipos 2026.xlsx",
        [
            (
                "Equipos",
                ("Código", "Equipo", "Ubicación", "Estado", "Última calibración", "Próxima calibración", "Certificado"),
                [
                    (
                        "EQ-01",
                        "Pie de rey digital 0-150 mm",
                        "Inspección",
                        "En uso",
                        d("2025-06-10"),
                        d("2026-06-10"),
                        "C-25-1184",
                    ),
                    (
                        "EQ-02",
                        "Pie de rey 0-300 mm",
                        "Plegado",
                        "En uso",
                        d("2025-09-02"),
                        d("2026-09-02"),
                        "C-25-1602",
                    ),
                    (
                        "EQ-03",
                        "Micrómetro exteriores 0-25 mm",
                        "Inspección",
                        "En uso",
                        d("2025-07-15"),
                        d("2026-07-15"),
                        "C-25-1290",
                    ),
                    ("EQ-04", "Goniómetro digital", "Plegado", "En uso", d("2025-05-20"), d("2026-05-20"), "C-25-0977"),
                    (
                        "EQ-05",
                        "Cinta métrica clase I 5 m",
                        "Soldadura",
                        "En uso",
                        d("2025-01-20"),
                        d("2026-01-20"),
                        "C-25-0112",
                    ),
                    (
                        "EQ-06",
                        "Rugosímetro portátil",
                        "Almacén",
                        "De baja",
                        d("2022-03-01"),
                        d("2023-03-01"),
                        "C-22-0240",
                    ),
                    (
                        "EQ-07",
                        "Juego de bloques patrón",
                        "Inspección",
                        "En uso",
                        d("2025-11-04"),
                        d("2027-11-04"),
                        "C-25-1915",
                    ),
                ],
            )
        ],
    )
    xlsx(
        reg / "Registro de no conformidades.xlsx",
        [
            (
                "Registro",
                (
                    "Nº NC",
                    "Fecha apertura",
                    "Origen",
                    "Descripción",
                    "Tratamiento",
                    "Causa raíz",
                    "Acción correctiva",
                    "Responsable",
                    "Fecha prevista",
                    "Fecha cierre",
                    "Verificación de eficacia",
                    "Estado",
                ),
                [
                    (
                        "NC-2025-03",
                        d("2025-03-11"),
                        "Cliente",
                        "Pliegue a 88° en vez de 90° (lote 2503-14)",
                        "Reprocesado",
                        "Utillaje de plegado desgastado",
                        "Sustitución del utillaje y control de primera pieza",
                        "Pilar Gimeno",
                        d("2025-04-15"),
                        d("2025-04-08"),
                        "Sin repetición en 3 meses (julio 2025)",
                        "Cerrada",
                    ),
                    (
                        "NC-2025-05",
                        d("2025-05-09"),
                        "Auditoría interna",
                        "Pedido de tornillería sin referencia al plano",
                        "Pedido corregido",
                        "Plantilla de pedido sin campo de plano",
                        "Campo obligatorio en la plantilla de pedido",
                        "Marta Royo",
                        d("2025-06-09"),
                        d("2025-05-30"),
                        "Revisados 20 pedidos en septiembre: correctos",
                        "Cerrada",
                    ),
                    (
                        "NC-2025-07",
                        d("2025-07-02"),
                        "Inspección final",
                        "Cordón de soldadura con poro (OF 25-311)",
                        "Reparado y reinspeccionado",
                        "Gas de protección con caudal bajo",
                        "Caudalímetro revisado en cada cambio de botella",
                        "Pilar Gimeno",
                        d("2025-08-02"),
                        d("2025-07-25"),
                        "Sin poros en las 12 OF siguientes",
                        "Cerrada",
                    ),
                    (
                        "NC-2025-09",
                        d("2025-09-16"),
                        "Cliente",
                        "Taladros desplazados 2 mm en 40 piezas (lote 2509-03)",
                        "Chatarra y reposición",
                        "",
                        "Revisar programa de láser",
                        "Pilar Gimeno",
                        d("2025-10-16"),
                        d("2025-10-03"),
                        "",
                        "Cerrada",
                    ),
                    (
                        "NC-2025-10",
                        d("2025-10-21"),
                        "Proveedor",
                        "Chapa con espesor fuera de tolerancia",
                        "Devuelta al proveedor",
                        "Error de bobina en el almacén del proveedor",
                        "Control de espesor en recepción",
                        "Marta Royo",
                        d("2025-11-21"),
                        d("2025-11-10"),
                        "Sin repetición en 3 recepciones",
                        "Cerrada",
                    ),
                    (
                        "NC-2026-01",
                        d("2026-02-24"),
                        "Inspección final",
                        "Rebabas en el corte de 15 piezas (OF 26-088)",
                        "Repasado",
                        "Boquilla del láser desgastada",
                        "Cambio de boquilla cada 120 h de corte",
                        "Pilar Gimeno",
                        d("2026-04-30"),
                        None,
                        "Prevista: revisar 10 OF en abril",
                        "Abierta",
                    ),
                ],
            )
        ],
    )
    xlsx(
        reg / "Proveedores homologados.xlsx",
        [
            (
                "Proveedores",
                (
                    "Proveedor",
                    "Suministro",
                    "Relevante para calidad",
                    "Estado",
                    "Fecha homologación",
                    "Última evaluación",
                    "Puntuación",
                    "Último pedido",
                ),
                [
                    (
                        "Aceros del Jalón, S.A.",
                        "Bobina y chapa de acero",
                        "Sí",
                        "Homologado",
                        d("2019-02-11"),
                        d("2024-11-05"),
                        82,
                        d("2026-03-10"),
                    ),
                    (
                        "Hierros Cinco Villas, S.L.",
                        "Chapa de acero y perfiles",
                        "Sí",
                        "Homologado",
                        d("2021-06-01"),
                        d("2025-10-12"),
                        88,
                        d("2026-03-18"),
                    ),
                    (
                        "Galvanizados Aragón, S.L.",
                        "Galvanizado en caliente (subcontratado)",
                        "Sí",
                        "Homologado",
                        d("2018-09-20"),
                        d("2025-06-20"),
                        79,
                        d("2026-02-27"),
                    ),
                    (
                        "Tornillería Ebro, S.L.",
                        "Tornillería y remaches",
                        "Sí",
                        "Homologado",
                        d("2020-01-15"),
                        d("2025-09-14"),
                        91,
                        d("2026-03-05"),
                    ),
                    (
                        "Gases Industriales del Ebro",
                        "Gases de soldadura",
                        "Sí",
                        "Homologado",
                        d("2017-05-03"),
                        d("2025-04-22"),
                        86,
                        d("2026-03-02"),
                    ),
                    (
                        "Transportes Huerva",
                        "Transporte a cliente",
                        "Sí",
                        "Homologado",
                        d("2022-11-30"),
                        d("2025-12-02"),
                        84,
                        d("2026-03-27"),
                    ),
                    (
                        "Limpiezas Moncayo",
                        "Limpieza de oficinas y vestuarios",
                        "No",
                        "No aplica",
                        None,
                        None,
                        None,
                        d("2026-03-01"),
                    ),
                ],
            )
        ],
    )
    xlsx(
        reg / "Matriz de formación.xlsx",
        [
            (
                "Personal",
                ("Nombre", "Puesto", "Fecha de alta"),
                [
                    ("Pilar Gimeno", "Jefa de producción", d("2009-04-01")),
                    ("Daniel Pardo", "Soldador", d("2016-09-12")),
                    ("Rubén Casas", "Soldador", d("2021-02-01")),
                    ("Nerea Lasheras", "Operaria de láser", d("2019-10-07")),
                    ("Iván Sanz", "Plegador", d("2014-03-17")),
                ],
            ),
            (
                "Formación",
                ("Nombre", "Formación", "Fecha", "Caducidad", "Resultado"),
                [
                    ("Pilar Gimeno", "Auditor interno ISO 9001", d("2023-05-10"), None, "Apto"),
                    (
                        "Daniel Pardo",
                        "Homologación soldador EN ISO 9606-1 (135)",
                        d("2023-12-15"),
                        d("2025-12-15"),
                        "Apto",
                    ),
                    (
                        "Rubén Casas",
                        "Homologación soldador EN ISO 9606-1 (135)",
                        d("2025-02-20"),
                        d("2027-02-20"),
                        "Apto",
                    ),
                    ("Nerea Lasheras", "Manejo de láser de fibra 6 kW", d("2024-01-22"), None, "Apto"),
                    ("Iván Sanz", "Plegadora CNC: programación", d("2024-06-04"), None, "Apto"),
                    ("Iván Sanz", "Carretilla elevadora", d("2025-03-03"), d("2030-03-03"), "Apto"),
                    ("Nerea Lasheras", "Carretilla elevadora", d("2025-03-03"), d("2030-03-03"), "Apto"),
                ],
            ),
        ],
    )
    xlsx(
        reg / "Riesgos y oportunidades 2026.xlsx",
        [
            (
                "Riesgos",
                ("Riesgo u oportunidad", "Proceso", "Nivel", "Acción", "Responsable", "Fecha de revisión", "Estado"),
                [
                    (
                        "Falta de bobina por plazos del almacén",
                        "Compras",
                        "Alto",
                        "Acuerdo marco con dos almacenes",
                        "Marta Royo",
                        d("2026-06-30"),
                        "En curso",
                    ),
                    (
                        "Jubilación de plegadores sin relevo",
                        "Producción",
                        "Medio",
                        "Plan de aprendices 2026",
                        "Pilar Gimeno",
                        d("2026-06-30"),
                        "En curso",
                    ),
                    (
                        "Nuevos clientes de climatización (oportunidad)",
                        "Comercial",
                        "Medio",
                        "Visitas a 6 fabricantes",
                        "Sergio Alcubierre",
                        d("2026-09-30"),
                        "En curso",
                    ),
                ],
            )
        ],
    )
    months = [(2025, m) for m in range(1, 13)] + [(2026, 1), (2026, 2)]
    rows = []
    for i, (year, month) in enumerate(months):
        issued = date(year + (month == 12), month % 12 + 1, 6)
        rows.append((f"{month:02d}/{year}", issued, 1400 - 10 * i, 93.0 + 0.1 * i, 4.9 - 0.03 * i))
    xlsx(
        reg / "Cuadro de mando de indicadores.xlsx",
        [
            (
                "Indicadores",
                ("Mes", "Fecha de emisión", "ppm rechazadas", "% pedidos a tiempo", "% chatarra láser"),
                rows,
            )
        ],
    )
    xlsx(
        ORGS / "talleres-ebro" / "04 Auditorías" / "Programa de auditorías internas 2025.xlsx",
        [
            (
                "Programa",
                ("Proceso", "Auditor", "Fecha prevista", "Fecha realizada", "Informe", "Estado"),
                [
                    ("Comercial", "Lucía Ferrer", d("2025-03-15"), d("2025-03-14"), "AI-2025-01", "Realizada"),
                    ("Compras", "Lucía Ferrer", d("2025-05-15"), d("2025-05-09"), "AI-2025-02", "Realizada"),
                    ("Producción", "Lucía Ferrer", d("2025-06-15"), d("2025-06-18"), "AI-2025-03", "Realizada"),
                    ("Calidad", "Sergio Alcubierre", d("2025-09-15"), d("2025-09-24"), "AI-2025-04", "Realizada"),
                    ("Mantenimiento", "Lucía Ferrer", d("2025-10-15"), None, None, "Aplazada"),
                    ("Dirección", "Sergio Alcubierre", d("2025-11-30"), d("2025-11-28"), "AI-2025-05", "Realizada"),
                ],
            )
        ],
    )


# ---------------------------------------------------------------------------
# Officina Meccanica Rossi (Italian, qmscheck.toml: docx documents and xlsx registers)
# ---------------------------------------------------------------------------

ROSSI_APPROVER = "Giovanni Rossi"


def _rossi_doc(
    folder: str,
    code: str,
    title: str,
    rev: str,
    issued: str,
    review: str,
    body: Sequence[tuple[str, str]],
    status: str = "In vigore",
    stem: str = "",
) -> None:
    share = ORGS / "officina-rossi" / "share"
    docx(
        share / folder / f"{stem or code + ' ' + title}.docx",
        f"{code} {title}",
        "Chiara Bianchi",
        d(issued),
        [
            ("Codice", code),
            ("Revisione", rev),
            ("Data emissione", d(issued).strftime("%d/%m/%Y")),
            ("Redatto da", "Chiara Bianchi (RGQ)"),
            ("Approvato da", ROSSI_APPROVER),
            ("Stato", status),
            ("Prossimo riesame", d(review).strftime("%d/%m/%Y")),
        ],
        body,
    )


def officina_rossi() -> None:
    share = ORGS / "officina-rossi" / "share"
    _rossi_doc(
        "Manuale",
        "MQ-01",
        "Manuale della Qualità",
        "7",
        "2026-01-12",
        "2027-01-12",
        [
            ("h1", "1. Campo di applicazione"),
            (
                "p",
                "Il sistema di gestione per la qualità di Officina Meccanica Rossi S.r.l. si applica alla lavorazione "
                "meccanica di precisione (tornitura e fresatura CNC) di particolari in acciaio e alluminio su disegno del "
                "cliente, presso lo stabilimento di Via dell'Industria 22, Lumezzane (BS).",
            ),
            (
                "p",
                "Il requisito 8.3 (progettazione e sviluppo) non è applicabile: l'officina lavora esclusivamente su "
                "disegni forniti dal cliente e non progetta prodotti.",
            ),
            ("h1", "2. Processi e loro interazioni"),
            (
                "p",
                "Commerciale (Marco Rossi) → Acquisti (Elena Ferri) → Produzione (Luca Gatti) → Controllo qualità "
                "(Chiara Bianchi) → Spedizione. La Direzione (Giovanni Rossi) riesamina il sistema.",
            ),
            ("h1", "3. Ruoli, responsabilità e autorità"),
            (
                "p",
                "La Direzione approva politica, obiettivi e documenti. Il Responsabile Gestione Qualità (RGQ) mantiene il "
                "sistema, pianifica gli audit interni e gestisce non conformità, reclami e tarature.",
            ),
        ],
    )
    _rossi_doc(
        "Manuale",
        "PQ-00",
        "Politica per la qualità",
        "3",
        "2025-02-03",
        "2026-09-30",
        [
            (
                "p",
                "Officina Meccanica Rossi si impegna a fornire particolari conformi al disegno, nei tempi concordati, "
                "e a soddisfare i requisiti applicabili del cliente e quelli cogenti.",
            ),
            ("b", "Ascoltare il cliente e rispondere ai reclami entro 30 giorni."),
            ("b", "Formare il personale e mantenere in efficienza le macchine."),
            ("b", "Scegliere fornitori affidabili e valutarli ogni anno."),
            ("p", "La politica è affissa in reparto e illustrata a ogni nuovo assunto."),
        ],
        stem="Politica per la qualità",
    )
    for code, title, rev, issued, review, text in [
        (
            "PQ-01",
            "Gestione delle informazioni documentate",
            "4",
            "2025-03-03",
            "2027-03-03",
            "Ogni documento riporta codice, revisione e data ed è approvato dalla Direzione. Le revisioni superate vanno nella cartella Archivio.",
        ),
        (
            "PQ-02",
            "Audit interni",
            "3",
            "2025-01-20",
            "2027-01-20",
            "Ogni processo è sottoposto ad audit almeno una volta all'anno da un auditor indipendente dal processo.",
        ),
        (
            "PQ-03",
            "Non conformità e azioni correttive",
            "3",
            "2025-06-16",
            "2027-06-16",
            "Ogni non conformità è registrata con descrizione, trattamento, causa, azione correttiva, scadenza e verifica di efficacia.",
        ),
        (
            "PQ-04",
            "Approvvigionamento e valutazione dei fornitori",
            "2",
            "2023-05-31",
            "2025-05-31",
            "I fornitori che incidono sulla qualità sono qualificati e valutati ogni anno. I fornitori di servizi generali non sono valutati.",
        ),
        (
            "PQ-05",
            "Gestione degli strumenti di misura",
            "2",
            "2025-04-07",
            "2027-04-07",
            "Gli strumenti sono tarati alla scadenza indicata nello scadenzario; uno strumento fuori servizio è segregato.",
        ),
    ]:
        _rossi_doc("Procedure", code, title, rev, issued, review, [("h1", "Scopo e modalità"), ("p", text)])
    _rossi_doc(
        "Istruzioni",
        "IO-03",
        "Collaudo finale",
        "1",
        "2025-09-01",
        "2027-09-01",
        [
            ("h1", "Modalità"),
            (
                "p",
                "Il collaudatore verifica le quote critiche sul 100% dei pezzi del primo lotto e a campione "
                "sui successivi; registra l'esito sulla bolla di lavorazione.",
            ),
        ],
    )
    _rossi_doc(
        "Archivio",
        "PQ-03",
        "Non conformità e azioni correttive",
        "2",
        "2022-02-28",
        "2024-02-28",
        [
            ("p", "REVISIONE SUPERATA dalla revisione 3 del 16/06/2025. Conservata solo come archivio."),
            ("h1", "Modalità"),
            ("p", "Le non conformità sono annotate sul quaderno di reparto."),
        ],
        status="Superata",
        stem="PQ-03 Non conformità e azioni correttive rev 2 - SUPERATA",
    )
    docx(
        share / "Moduli" / "MOD-09 Verbale di riesame della direzione - modello.docx",
        "MOD-09 Verbale di riesame della direzione",
        "Chiara Bianchi",
        d("2024-01-15"),
        [("Data riunione", "__/__/____"), ("Presenti", ""), ("Presieduta da", ""), ("Stato", "")],
        [
            ("h1", "Elementi in ingresso"),
            ("p", "[stato delle azioni precedenti, reclami, audit, fornitori, risorse, rischi]"),
            ("h1", "Decisioni"),
            ("p", "[azioni, responsabile, scadenza]"),
        ],
    )
    for num, proc, auditor, when, audited in [
        ("RAI-2025-01", "Commerciale", "Chiara Bianchi", "2025-03-18", "Marco Rossi"),
        ("RAI-2025-02", "Acquisti", "Chiara Bianchi", "2025-05-13", "Elena Ferri"),
        ("RAI-2025-03", "Produzione", "Chiara Bianchi", "2025-07-08", "Luca Gatti"),
        ("RAI-2025-04", "Controllo qualità", "Marco Rossi", "2025-10-14", "Chiara Bianchi"),
        ("RAI-2025-05", "Direzione", "Chiara Bianchi", "2025-11-25", "Giovanni Rossi"),
    ]:
        docx(
            share / "Audit" / f"{num} Rapporto di audit interno - {proc}.docx",
            f"Rapporto di audit interno {num}",
            auditor,
            d(when),
            [
                ("Rapporto n.", num),
                ("Processo", proc),
                ("Auditor", auditor),
                ("Data audit", d(when).strftime("%d/%m/%Y")),
                ("Auditato", audited),
                ("Stato", "Chiuso"),
            ],
            [
                ("h2", "Campo dell'audit"),
                ("p", f"Processo {proc}, procedura applicabile e norma ISO 9001:2015."),
                ("h2", "Risultati"),
                ("p", "Nessuna non conformità. Un'opportunità di miglioramento registrata."),
                ("h2", "Azioni"),
                ("p", "Nessuna azione richiesta. Rapporto chiuso."),
            ],
        )
    docx(
        share / "Riesame" / "Verbale riesame della direzione 2025.docx",
        "Verbale del riesame della direzione 2025",
        ROSSI_APPROVER,
        d("2025-12-16"),
        [
            ("Codice", "RD-2025"),
            ("Data riunione", "16/12/2025"),
            ("Presieduta da", "Giovanni Rossi"),
            ("Presenti", "Giovanni Rossi, Chiara Bianchi, Marco Rossi, Elena Ferri, Luca Gatti"),
            ("Stato", "Approvato"),
        ],
        [
            ("h1", "Elementi in ingresso"),
            ("h2", "Stato delle azioni dei riesami precedenti"),
            ("p", "Tutte chiuse."),
            ("h2", "Cambiamenti nei fattori esterni e interni"),
            ("p", "Nuovo cliente nel settore idraulico; cambiamento climatico valutato non rilevante per il prodotto."),
            ("h2", "Soddisfazione del cliente e reclami"),
            ("p", "Indice di soddisfazione 8,4/10; tre reclami nel 2025."),
            ("h2", "Obiettivi per la qualità"),
            ("p", "Due obiettivi su tre raggiunti."),
            ("h2", "Prestazioni dei processi e conformità dei prodotti"),
            ("p", "Scarti 1,1%."),
            ("h2", "Non conformità e azioni correttive"),
            ("p", "19 NC nel 2025, una ancora aperta."),
            ("h2", "Risultati del monitoraggio e della misurazione"),
            ("p", "Indicatori mensili in linea."),
            ("h2", "Risultati degli audit"),
            ("p", "Cinque audit interni, nessuna NC."),
            ("h2", "Prestazioni dei fornitori esterni"),
            ("p", "Tutti i fornitori rilevanti valutati; un fornitore in osservazione."),
            ("h2", "Adeguatezza delle risorse"),
            ("p", "Serve un secondo collaudatore nel 2026."),
            ("h2", "Efficacia delle azioni per rischi e opportunità"),
            ("p", "Azioni efficaci."),
            ("h2", "Opportunità di miglioramento"),
            ("p", "Misura automatica in macchina sul centro di lavoro 4."),
            ("h1", "Decisioni in uscita"),
            ("b", "Miglioramento: misura in macchina sul centro 4 (Luca Gatti, 30/06/2026)."),
            ("b", "Modifiche al sistema: nuova istruzione di collaudo (Chiara Bianchi, 31/03/2026)."),
            ("b", "Risorse: assunzione di un collaudatore (Giovanni Rossi, 30/04/2026)."),
        ],
    )
    reg = share / "Registri"
    xlsx(
        reg / "Scadenzario tarature.xlsx",
        [
            (
                "Strumenti",
                ("Codice", "Strumento", "Stato", "Ultima taratura", "Prossima taratura", "Certificato"),
                [
                    ("STR-01", "Calibro 0-200", "In uso", d("2025-08-04"), d("2026-08-04"), "LAT 101/25-331"),
                    ("STR-02", "Micrometro 25-50", "In uso", d("2025-10-13"), d("2026-10-13"), "LAT 101/25-412"),
                    ("STR-03", "Alesametro 18-35", "In uso", d("2025-06-23"), d("2026-06-23"), "LAT 101/25-256"),
                    (
                        "STR-04",
                        "Tampone filettato M8",
                        "Fuori servizio",
                        d("2023-02-10"),
                        d("2024-02-10"),
                        "LAT 101/23-050",
                    ),
                    ("STR-05", "Rugosimetro", "In uso", d("2025-12-01"), d("2026-12-01"), "LAT 101/25-540"),
                ],
            )
        ],
    )
    xlsx(
        reg / "Matrice delle competenze.xlsx",
        [
            (
                "Personale",
                ("Nome", "Mansione", "Data assunzione"),
                [
                    ("Luca Gatti", "Capo reparto", d("2008-03-01")),
                    ("Paolo Venturi", "Operatore CNC", d("2015-06-15")),
                    ("Sara Lombardi", "Operatrice CNC", d("2019-09-02")),
                    ("Ahmed Benali", "Operatore CNC", d("2021-04-12")),
                    ("Davide Conti", "Collaudatore", d("2017-01-09")),
                ],
            ),
            (
                "Qualifiche",
                ("Nome", "Qualifica", "Data", "Scadenza", "Esito"),
                [
                    ("Luca Gatti", "Programmazione CNC Fanuc", d("2024-03-11"), None, "Qualificato"),
                    ("Paolo Venturi", "Uso carroponte", d("2020-05-18"), d("2025-05-18"), "Qualificato"),
                    ("Paolo Venturi", "Lettura del disegno tecnico", d("2023-02-06"), None, "Qualificato"),
                    ("Sara Lombardi", "Uso carroponte", d("2020-05-18"), d("2025-05-18"), "Qualificato"),
                    (
                        "Sara Lombardi",
                        "Controllo con macchina di misura",
                        d("2022-10-03"),
                        d("2025-10-03"),
                        "Qualificato",
                    ),
                    ("Ahmed Benali", "Uso carroponte", d("2021-05-20"), d("2026-05-20"), "Qualificato"),
                    ("Ahmed Benali", "Lettura del disegno tecnico", d("2021-06-14"), None, "Qualificato"),
                    (
                        "Davide Conti",
                        "Controllo con macchina di misura",
                        d("2022-10-03"),
                        d("2025-10-03"),
                        "Qualificato",
                    ),
                    ("Davide Conti", "Esame visivo (acutezza visiva)", d("2025-02-17"), d("2026-02-17"), "Qualificato"),
                ],
            ),
        ],
    )
    xlsx(
        reg / "Registro non conformità.xlsx",
        [
            (
                "NC",
                (
                    "Numero",
                    "Data apertura",
                    "Descrizione",
                    "Trattamento",
                    "Causa",
                    "Azione correttiva",
                    "Responsabile",
                    "Scadenza",
                    "Data chiusura",
                    "Verifica efficacia",
                    "Stato",
                ),
                [
                    (
                        "NC-2025-011",
                        d("2025-06-05"),
                        "Diametro fuori tolleranza su 12 pezzi",
                        "Scarto",
                        "Usura utensile",
                        "Cambio utensile a vita utile",
                        "Luca Gatti",
                        d("2025-07-05"),
                        d("2025-06-27"),
                        "Nessuna ricorrenza in 3 mesi",
                        "Chiusa",
                    ),
                    (
                        "NC-2025-015",
                        d("2025-09-09"),
                        "Materiale senza certificato 3.1",
                        "Reso al fornitore",
                        "Controllo in accettazione non eseguito",
                        "Check-list di accettazione",
                        "Elena Ferri",
                        d("2025-10-09"),
                        d("2025-10-01"),
                        "Verificate 10 consegne: ok",
                        "Chiusa",
                    ),
                    (
                        "NC-2025-018",
                        d("2025-11-20"),
                        "Bava su filettatura M6 (lotto 25-1187)",
                        "Ripresa",
                        "Da analizzare",
                        "Da definire",
                        "Luca Gatti",
                        d("2026-01-31"),
                        None,
                        "",
                        "Aperta",
                    ),
                    (
                        "NC-2026-002",
                        d("2026-03-10"),
                        "Rugosità fuori specifica su 4 pezzi",
                        "Ripresa",
                        "Inserto non adatto",
                        "Nuovo inserto a specifica",
                        "Luca Gatti",
                        d("2026-04-24"),
                        None,
                        "Prevista: controllo di 5 lotti",
                        "Aperta",
                    ),
                ],
            )
        ],
    )
    xlsx(
        reg / "Albo fornitori.xlsx",
        [
            (
                "Fornitori",
                (
                    "Fornitore",
                    "Fornitura",
                    "Rilevante per la qualità",
                    "Stato",
                    "Data qualifica",
                    "Ultima valutazione",
                    "Punteggio",
                    "Ultimo ordine",
                ),
                [
                    (
                        "Acciai Valtrompia S.p.A.",
                        "Barre in acciaio",
                        "Sì",
                        "Qualificato",
                        d("2016-04-01"),
                        d("2025-09-22"),
                        87,
                        d("2026-03-12"),
                    ),
                    (
                        "Alluminio Brescia S.r.l.",
                        "Barre in alluminio",
                        "Sì",
                        "Qualificato",
                        d("2018-01-10"),
                        d("2025-11-03"),
                        90,
                        d("2026-03-20"),
                    ),
                    (
                        "Trattamenti Termici Garda",
                        "Tempra (lavorazione esterna)",
                        "Sì",
                        "Qualificato",
                        d("2017-07-07"),
                        d("2025-06-30"),
                        78,
                        d("2026-02-18"),
                    ),
                    (
                        "Utensileria Lombarda",
                        "Utensili e inserti",
                        "Sì",
                        "Qualificato",
                        d("2019-03-15"),
                        d("2025-08-19"),
                        92,
                        d("2026-03-25"),
                    ),
                    (
                        "Ristorazione Val Gobbia",
                        "Servizio mensa",
                        "No",
                        "Non applicabile",
                        None,
                        None,
                        None,
                        d("2026-03-02"),
                    ),
                ],
            )
        ],
    )
    xlsx(
        reg / "Reclami clienti.xlsx",
        [
            (
                "Reclami",
                ("Numero", "Cliente", "Data ricezione", "Descrizione", "Data risposta", "Risposta al cliente", "Stato"),
                [
                    (
                        "REC-2025-01",
                        "Idraulica Sebina",
                        d("2025-04-02"),
                        "Pezzi con bave",
                        d("2025-04-16"),
                        "NC-2025-006, sostituzione pezzi",
                        "Chiuso",
                    ),
                    (
                        "REC-2025-03",
                        "Valvole Franciacorta",
                        d("2025-10-07"),
                        "Consegna in ritardo di 5 giorni",
                        d("2025-10-20"),
                        "Piano consegne rivisto",
                        "Chiuso",
                    ),
                    (
                        "REC-2026-01",
                        "Idraulica Sebina",
                        d("2026-01-08"),
                        "Quota 12,5 fuori tolleranza",
                        d("2026-01-22"),
                        "NC-2026-001, pezzi rilavorati",
                        "Chiuso",
                    ),
                    (
                        "REC-2026-02",
                        "Meccanica Iseo",
                        d("2026-01-20"),
                        "Filettatura danneggiata su 30 pezzi",
                        None,
                        None,
                        "Aperto",
                    ),
                ],
            )
        ],
    )
    xlsx(
        reg / "Rischi e opportunità.xlsx",
        [
            (
                "Rischi",
                ("Rischio / opportunità", "Processo", "Livello", "Azione", "Responsabile", "Data riesame", "Stato"),
                [
                    (
                        "Guasto del centro di lavoro 2",
                        "Produzione",
                        "Alto",
                        "Contratto di assistenza 48 h",
                        "Luca Gatti",
                        d("2026-06-30"),
                        "Attiva",
                    ),
                    (
                        "Dipendenza da un solo trattamentista",
                        "Acquisti",
                        "Medio",
                        "Qualifica di un secondo fornitore",
                        "Elena Ferri",
                        d("2026-09-30"),
                        "Attiva",
                    ),
                ],
            )
        ],
    )
    xlsx(
        share / "Manuale" / "Obiettivi per la qualità 2026.xlsx",
        [
            (
                "Obiettivi",
                ("Obiettivo", "Indicatore", "Traguardo", "Responsabile", "Scadenza", "Stato", "Valore attuale"),
                [
                    ("Ridurre gli scarti", "% scarti", "≤ 1%", "Luca Gatti", d("2026-12-31"), "In linea", "1,0%"),
                    (
                        "Consegne puntuali",
                        "% consegne in tempo",
                        "≥ 96%",
                        "Marco Rossi",
                        d("2026-12-31"),
                        "In linea",
                        "95,8%",
                    ),
                    ("Reclami", "reclami/anno", "≤ 3", "Chiara Bianchi", d("2026-12-31"), "In linea", "2"),
                ],
            )
        ],
    )
    xlsx(
        share / "Audit" / "Programma audit interni 2025.xlsx",
        [
            (
                "Programma",
                ("Processo", "Auditor", "Data prevista", "Data audit", "Rapporto", "Stato"),
                [
                    ("Commerciale", "Chiara Bianchi", d("2025-03-15"), d("2025-03-18"), "RAI-2025-01", "Eseguito"),
                    ("Acquisti", "Chiara Bianchi", d("2025-05-15"), d("2025-05-13"), "RAI-2025-02", "Eseguito"),
                    ("Produzione", "Chiara Bianchi", d("2025-07-15"), d("2025-07-08"), "RAI-2025-03", "Eseguito"),
                    ("Controllo qualità", "Marco Rossi", d("2025-10-15"), d("2025-10-14"), "RAI-2025-04", "Eseguito"),
                    ("Direzione", "Chiara Bianchi", d("2025-11-30"), d("2025-11-25"), "RAI-2025-05", "Eseguito"),
                ],
            )
        ],
    )


# ---------------------------------------------------------------------------
# Harwood Labels (English, zero-config: docx with the revision history on the last page, xlsx registers,
# the NC register exported to CSV with Excel serial dates)
# ---------------------------------------------------------------------------

HARWOOD = ORGS / "harwood-labels"


def _uk(text: str) -> str:
    return d(text).strftime("%d/%m/%Y")


def _harwood_doc(
    folder: str,
    number: str,
    title: str,
    issues: Sequence[tuple[str, str, str]],
    review_due: str,
    body: Sequence[tuple[str, str]],
    stem: str = "",
) -> None:
    """Harwood's documents carry no header block: the number is in the title and the control data is the
    revision history at the end, followed by the review-due line."""
    docx(
        HARWOOD / folder / f"{stem or number + ' ' + title}.docx",
        f"{number} {title}",
        "Ruth Adeyemi",
        d(issues[-1][1]),
        [],
        [*body, ("p", f"Document {number}. Owner: Ruth Adeyemi, Quality Manager. Review due: {_uk(review_due)}.")],
        tail=[
            ("Issue", "Date", "Description of change", "Approved by"),
            *((issue, _uk(when), change, "Tom Harwood") for issue, when, change in issues),
        ],
        tail_heading="Revision history",
    )


def harwood_labels() -> None:
    _harwood_doc(
        "01 Management System",
        "HL-QM-01",
        "Quality Manual",
        [("5", "2024-11-04", "Scope wording"), ("6", "2025-11-10", "New digital press")],
        "2026-11-10",
        [
            ("h1", "Scope"),
            (
                "p",
                "Design-to-print and manufacture of self-adhesive labels for food and drink producers at Unit 4, Canal Road, "
                "Bradford. Artwork is supplied by the customer; prepress adapts it for print but Harwood does not design products. "
                "Clause 8.3 is not applicable because the label content and design are the customer's.",
            ),
            ("h1", "Processes"),
            (
                "p",
                "Sales and order entry (Jo Pickles), Prepress (Sam Kaur), Printing (Dave Holroyd), Finishing and dispatch "
                "(Dave Holroyd), Purchasing (Jo Pickles), Quality (Ruth Adeyemi). Management review is chaired by Tom Harwood.",
            ),
            ("h1", "Responsibilities"),
            (
                "p",
                "The Managing Director approves policy, objectives and documents; the Quality Manager maintains the system.",
            ),
        ],
    )
    _harwood_doc(
        "01 Management System",
        "HL-POL-01",
        "Quality Policy",
        [("3", "2025-01-13", "Annual review")],
        "2026-07-13",
        [
            (
                "p",
                "Harwood Labels prints labels that are right first time and on time. We commit to satisfy applicable requirements "
                "of our customers and of food-contact and labelling law, and to the continual improvement of our quality "
                "management system. The policy is on the canteen noticeboard and in every induction pack.",
            ),
        ],
    )
    _harwood_doc(
        "01 Management System",
        "HL-CTX-01",
        "Context and Interested Parties",
        [("2", "2025-10-06", "Annual review")],
        "2026-10-06",
        [
            ("h1", "Issues"),
            (
                "p",
                "Retail customers pushing recyclable liners; energy prices; climate change considered: flood risk of the "
                "canal-side site assessed as low, insurance in place.",
            ),
            ("h1", "Interested parties"),
            ("p", "Customers (accuracy, allergen text), staff, FSC certification body, landlord."),
        ],
    )
    procedures = [
        (
            "HL-P-01",
            "Document Control",
            [("3", "2023-06-05", "Retention table"), ("4", "2025-06-02", "SharePoint")],
            "2027-06-02",
            "Documents are numbered HL-x-nn and approved by the MD. Superseded issues move to the Obsolete folder.",
        ),
        (
            "HL-P-02",
            "Internal Audit",
            [("4", "2025-03-10", "Risk-based frequency")],
            "2027-03-10",
            "Each process is audited at least once a year by someone independent of it.",
        ),
        (
            "HL-P-03",
            "Calibration",
            [("2", "2022-02-01", "New spectrophotometer"), ("3", "2023-02-01", "Intervals")],
            "2025-02-01",
            "Measuring equipment is calibrated at the interval in the calibration register; retired items are marked Retired.",
        ),
        (
            "HL-P-04",
            "Nonconforming Product and Corrective Action",
            [("4", "2025-04-14", "8D for customer complaints")],
            "2027-04-14",
            "Every nonconformance is logged with root cause, action, target date and effectiveness check.",
        ),
        (
            "HL-P-05",
            "Purchasing and Supplier Approval",
            [("3", "2025-05-19", "Annual evaluation")],
            "2027-05-19",
            "Suppliers of materials and outsourced processes are evaluated yearly. Services with no effect on product are listed "
            "as not quality-relevant and are not evaluated.",
        ),
    ]
    for number, title, issues, due, text in procedures:
        _harwood_doc("02 Procedures", number, title, issues, due, [("h1", "Method"), ("p", text)])
    _harwood_doc(
        "02 Procedures/Obsolete",
        "HL-P-02",
        "Internal Audit",
        [("3", "2021-09-06", "Audit checklist")],
        "2023-09-06",
        [("p", "OBSOLETE - superseded by issue 4."), ("h1", "Method"), ("p", "Audits follow the annual calendar.")],
        stem="HL-P-02 Internal Audit issue 3 (superseded)",
    )
    _harwood_doc(
        "03 Work Instructions",
        "HL-WI-02",
        "Press Setup and First-Off Approval",
        [("2", "2025-08-11", "Digital press")],
        "2027-08-11",
        [
            ("h1", "Method"),
            (
                "p",
                "The printer checks colour (Delta E within 2.0), barcode grade and text "
                "against the approved proof and signs the first-off sheet.",
            ),
        ],
    )
    docx(
        HARWOOD / "04 Forms" / "HL-F-07 Nonconformance Report.docx",
        "HL-F-07 Nonconformance Report",
        "Ruth Adeyemi",
        d("2024-02-05"),
        [("NCR No", "NC-____"), ("Date raised", "__/__/____"), ("Raised by", ""), ("Job / order", "")],
        [
            ("h2", "Description"),
            ("p", ""),
            ("h2", "Disposition"),
            ("p", "Rework / Scrap / Use as is / Return"),
            ("h2", "Root cause"),
            ("p", ""),
            ("h2", "Corrective action and effectiveness"),
            ("p", ""),
        ],
    )
    reg = HARWOOD / "05 Registers"
    header = (
        "NC No",
        "Date Raised",
        "Source",
        "Description",
        "Disposition",
        "Root Cause",
        "Corrective Action",
        "Owner",
        "Target Date",
        "Date Closed",
        "Effectiveness Check",
        "Status",
    )
    rows = [
        (
            "NC-0401",
            "2025-04-03",
            "Internal",
            "Barcode grade C on job 25-0877",
            "Reprint",
            "Anilox roll worn",
            "Anilox replaced; check monthly",
            "Dave Holroyd",
            "2025-05-03",
            "2025-04-24",
            "No barcode failures Jun-Aug",
            "Closed",
        ),
        (
            "NC-0405",
            "2025-06-12",
            "Customer",
            "Allergen text missing on 2,000 labels",
            "Scrap and reprint",
            "Proof approved from old artwork",
            "Artwork version check at proof",
            "Sam Kaur",
            "2025-07-12",
            "2025-07-04",
            "20 jobs checked Sept: OK",
            "Closed",
        ),
        (
            "NC-0412",
            "2025-09-22",
            "Internal",
            "Labels wound wrong direction (job 25-1530)",
            "Rewound",
            "",
            "Operator briefed",
            "Dave Holroyd",
            "2025-10-22",
            "2025-10-01",
            "",
            "Closed",
        ),
        (
            "NC-0415",
            "2025-11-05",
            "Supplier",
            "Liner tearing on die-cut",
            "Returned to supplier",
            "Liner batch defect",
            "Incoming peel test",
            "Jo Pickles",
            "2025-12-05",
            "2025-11-28",
            "No tearing in 6 deliveries",
            "Closed",
        ),
        (
            "NC-0418",
            "2026-01-14",
            "Customer",
            "Colour out of tolerance on repeat order",
            "Reprint",
            "Ink recipe not updated",
            "Recipe control in press software",
            "Dave Holroyd",
            "2026-02-28",
            "",
            "",
            "Open",
        ),
        (
            "NC-0421",
            "2026-03-16",
            "Internal",
            "Die-cut registration drift",
            "Sorted 100%",
            "Sensor misaligned",
            "Sensor bracket replaced",
            "Dave Holroyd",
            "2026-04-30",
            "",
            "Planned: check 10 jobs in April",
            "Open",
        ),
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([serial(v) if i in (1, 8, 9) else v for i, v in enumerate(row)])
    _write(reg / "NC Register (export).csv", out.getvalue().encode("utf-8-sig"))
    xlsx(
        reg / "Calibration Register.xlsx",
        [
            (
                "Equipment",
                ("ID", "Description", "Status", "Last Calibrated", "Next Due", "Certificate No"),
                [
                    (
                        "HL-M-01",
                        "Spectrophotometer X-Rite eXact",
                        "In use",
                        d("2025-01-22"),
                        d("2026-01-22"),
                        "XR-25-0098",
                    ),
                    ("HL-M-02", "Barcode verifier", "In use", d("2025-09-15"), d("2026-09-15"), "BV-25-311"),
                    (
                        "HL-M-03",
                        "Micrometer 0-25 mm (liner caliper)",
                        "In use",
                        d("2025-07-07"),
                        d("2026-07-07"),
                        "MC-25-120",
                    ),
                    ("HL-M-04", "Steel rule 600 mm", "In use", d("2025-05-12"), d("2026-05-12"), "SR-25-044"),
                    ("HL-M-05", "Densitometer (old)", "Retired", d("2021-03-01"), d("2022-03-01"), "DN-21-007"),
                ],
            )
        ],
        date_format="dd/mm/yyyy",
    )
    xlsx(
        reg / "Training Records.xlsx",
        [
            (
                "Staff",
                ("Name", "Role", "Start Date"),
                [
                    ("Dave Holroyd", "Production Manager", d("2011-05-03")),
                    ("Kelly Firth", "Printer", d("2018-08-20")),
                    ("Imran Shah", "Printer", d("2022-01-10")),
                    ("Sam Kaur", "Prepress Operator", d("2016-02-01")),
                ],
            ),
            (
                "Training",
                ("Name", "Course", "Completed", "Expiry", "Result"),
                [
                    ("Dave Holroyd", "Internal auditor ISO 9001", d("2024-04-18"), None, "Competent"),
                    ("Kelly Firth", "Digital press operation", d("2025-08-15"), None, "Competent"),
                    ("Imran Shah", "Digital press operation", d("2025-08-15"), None, "Competent"),
                    ("Kelly Firth", "Colour management", d("2024-10-07"), d("2026-10-07"), "Competent"),
                    ("Imran Shah", "Colour management", d("2025-10-06"), d("2027-10-06"), "Competent"),
                    ("Sam Kaur", "Artwork and allergen proofing", d("2025-07-01"), d("2026-07-01"), "Competent"),
                ],
            ),
        ],
    )
    xlsx(
        reg / "Approved Supplier List.xlsx",
        [
            (
                "Suppliers",
                ("Supplier", "Supplies", "Quality Relevant", "Status", "Approved Since", "Last Order"),
                [
                    (
                        "Avery Substrates UK",
                        "Label stock and liners",
                        "Yes",
                        "Approved",
                        d("2012-03-01"),
                        d("2026-03-24"),
                    ),
                    ("Flint Inks", "UV flexo inks", "Yes", "Approved", d("2014-06-10"), d("2026-03-11")),
                    ("Pennine Dies", "Cutting dies", "Yes", "Approved", d("2016-09-05"), d("2026-02-19")),
                    ("Brightside Window Cleaning", "Window cleaning", "No", "Not applicable", None, d("2026-03-05")),
                ],
            ),
            (
                "Evaluations",
                ("Supplier", "Evaluation Date", "Score", "Result"),
                [
                    ("Avery Substrates UK", d("2025-10-14"), 88, "Approved"),
                    ("Flint Inks", d("2025-10-14"), 91, "Approved"),
                    ("Pennine Dies", d("2025-10-15"), 80, "Approved"),
                ],
            ),
        ],
    )
    xlsx(
        reg / "Customer Complaints.xlsx",
        [
            (
                "Complaints",
                ("Ref", "Customer", "Received", "Complaint", "Response Date", "Response to Customer", "Status"),
                [
                    (
                        "CC-25-04",
                        "Dales Dairy",
                        d("2025-06-10"),
                        "Allergen text missing",
                        d("2025-06-18"),
                        "8D sent, labels replaced (NC-0405)",
                        "Closed",
                    ),
                    (
                        "CC-25-09",
                        "Ilkley Brewery",
                        d("2025-12-02"),
                        "Labels peeling in chiller",
                        d("2025-12-19"),
                        "Adhesive changed to chill grade",
                        "Closed",
                    ),
                    (
                        "CC-26-01",
                        "Wharfe Valley Foods",
                        d("2026-01-14"),
                        "Colour mismatch on repeat order",
                        d("2026-02-06"),
                        None,
                        "Closed",
                    ),
                ],
            )
        ],
    )
    xlsx(
        reg / "Risk Register.xlsx",
        [
            (
                "Risks",
                ("Risk", "Process", "Rating", "Action", "Owner", "Review Date", "Status"),
                [
                    (
                        "Single digital press",
                        "Printing",
                        "High",
                        "Service contract, flexo backup",
                        "Dave Holroyd",
                        d("2026-06-30"),
                        "Open",
                    ),
                    (
                        "Artwork version errors",
                        "Prepress",
                        "High",
                        "Version check at proof",
                        "Sam Kaur",
                        d("2026-06-30"),
                        "Open",
                    ),
                ],
            )
        ],
    )
    xlsx(
        reg / "Quality Objectives 2026.xlsx",
        [
            (
                "Objectives",
                ("Objective", "Target", "Owner", "Due Date", "Status", "Current Value"),
                [
                    ("Right first time", "99.0%", "Dave Holroyd", d("2026-12-31"), "On track", "98.9%"),
                    ("On-time delivery", "97%", "Jo Pickles", d("2026-12-31"), "On track", "97.4%"),
                    ("Complaints per 1,000 jobs", "< 2", "Ruth Adeyemi", d("2026-12-31"), "On track", "1.6"),
                ],
            )
        ],
    )
    kpi_rows = [
        (f"{y}-{m:02d}", date(y + (m == 12), m % 12 + 1, 8), "Ruth Adeyemi")
        for y, m in [(2025, m) for m in range(3, 13)] + [(2026, 1), (2026, 2)]
    ]
    xlsx(reg / "Monthly KPI Reports.xlsx", [("KPI Reports", ("Month", "Issued", "Prepared By"), kpi_rows)])
    xlsx(
        HARWOOD / "06 Audits" / "Internal Audit Schedule 2025.xlsx",
        [
            (
                "Schedule",
                ("Process", "Auditor", "Planned", "Audit Date", "Report", "Status"),
                [
                    ("Sales", "Ruth Adeyemi", d("2025-03-01"), d("2025-03-05"), "IA-25-01", "Completed"),
                    ("Prepress", "Ruth Adeyemi", d("2025-05-01"), d("2025-05-07"), "IA-25-02", "Completed"),
                    ("Printing", "Ruth Adeyemi", d("2025-07-01"), d("2025-07-09"), "IA-25-03", "Completed"),
                    ("Purchasing", "Dave Holroyd", d("2025-09-01"), d("2025-09-10"), "IA-25-04", "Completed"),
                    ("Quality", "Dave Holroyd", d("2025-11-01"), d("2025-11-12"), "IA-25-05", "Completed"),
                ],
            )
        ],
    )
    for num, proc, auditor, when in [
        ("IA-25-01", "Sales", "Ruth Adeyemi", "2025-03-05"),
        ("IA-25-02", "Prepress", "Ruth Adeyemi", "2025-05-07"),
        ("IA-25-03", "Printing", "Ruth Adeyemi", "2025-07-09"),
        ("IA-25-04", "Purchasing", "Dave Holroyd", "2025-09-10"),
        ("IA-25-05", "Quality", "Dave Holroyd", "2025-11-12"),
    ]:
        docx(
            HARWOOD / "06 Audits" / f"{num} Audit Report - {proc}.docx",
            f"Internal Audit Report {num}",
            auditor,
            d(when),
            [
                ("Report No", num),
                ("Process audited", proc),
                ("Auditor", auditor),
                ("Audit date", _uk(when)),
                ("Status", "Closed"),
            ],
            [
                ("h2", "Scope"),
                ("p", f"{proc} against HL procedures and ISO 9001."),
                ("h2", "Findings"),
                ("p", "No nonconformities; one opportunity for improvement."),
                ("h2", "Follow-up"),
                ("p", "None required."),
            ],
        )
    docx(
        HARWOOD / "07 Management Review" / "Management Review Minutes September 2025.docx",
        "Management Review Minutes",
        "Tom Harwood",
        d("2025-09-25"),
        [("Meeting date", "25/09/2025"), ("Status", "Final")],
        [
            ("h1", "Inputs"),
            ("h2", "Actions from previous review"),
            ("p", "All closed."),
            ("h2", "Changes in internal and external issues"),
            ("p", "Recyclable liner demand; climate risk reviewed."),
            ("h2", "Customer satisfaction and feedback"),
            ("p", "Survey 8.7/10; two complaints."),
            ("h2", "Quality objectives"),
            ("p", "Right first time 98.8% against 99%."),
            ("h2", "Process performance and product conformity"),
            ("p", "Waste 3.1%."),
            ("h2", "Nonconformities and corrective actions"),
            ("p", "9 NCs, all but one closed."),
            ("h2", "Monitoring and measurement results"),
            ("p", "Monthly KPI reports issued."),
            ("h2", "Audit results"),
            ("p", "Four audits to date, no NCs."),
            ("h2", "Performance of external providers"),
            ("p", "Three suppliers evaluated, all approved."),
            ("h2", "Adequacy of resources"),
            ("p", "Second prepress operator needed."),
            ("h2", "Effectiveness of actions on risks and opportunities"),
            ("p", "Artwork version check effective."),
            ("h2", "Opportunities for improvement"),
            ("p", "Inline camera inspection."),
            ("h1", "Outputs"),
            ("b", "Improvement: inline camera on the digital press (Dave Holroyd, 03/2026)."),
            ("b", "QMS changes: HL-P-04 to require 8D for customer complaints (Ruth Adeyemi, 12/2025)."),
            ("b", "Resources: recruit a second prepress operator (Tom Harwood, 01/2026)."),
        ],
    )


# ---------------------------------------------------------------------------
# Drehteile Kessler (German, zero-config: docx with a control table under the title and the change
# history with the release at the end, xlsx registers with German headers)
# ---------------------------------------------------------------------------

KESSLER = ORGS / "drehteile-kessler"
KESSLER_QMB = "Petra Haug"
KESSLER_GF = "Martin Kessler"


def _de(text: str) -> str:
    return d(text).strftime("%d.%m.%Y")


def _kessler_doc(
    folder: str,
    number: str,
    title: str,
    history: Sequence[tuple[str, str, str]],
    body: Sequence[tuple[str, str]],
    status: str = "freigegeben",
    stem: str = "",
) -> None:
    """Kessler's documents: number, revision, valid-from date and status under the title; the change
    history with who wrote and who released each revision on the last page."""
    rev, valid_from, _ = history[-1]
    docx(
        KESSLER / folder / f"{stem or number + ' ' + title}.docx",
        f"{number} {title}",
        KESSLER_QMB,
        d(valid_from),
        [("Dokument-Nr.", number), ("Revision", rev), ("Gültig ab", _de(valid_from)), ("Status", status)],
        body,
        tail=[
            ("Rev.", "Datum", "Änderung", "Erstellt", "Freigegeben"),
            *((r, _de(when), change, KESSLER_QMB, KESSLER_GF) for r, when, change in history),
        ],
        tail_heading="Änderungshistorie und Freigabe",
    )


def _months_later(start: date, months: int) -> date:
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, min(start.day, 28))


#: The gauges of the measuring-equipment list: number, description, location, interval in months, last
#: calibration. Every one in use is in date but PM-027; PM-033 is retired with its lapsed date.
KESSLER_GAUGES: Sequence[tuple[str, str, str, int, str]] = (
    ("PM-001", "Messschieber digital 0-150 mm", "Drehen Halle 1", 12, "2025-05-12"),
    ("PM-002", "Messschieber digital 0-150 mm", "Drehen Halle 1", 12, "2025-05-12"),
    ("PM-003", "Messschieber digital 0-200 mm", "Drehen Halle 2", 12, "2025-06-03"),
    ("PM-004", "Messschieber analog 0-300 mm", "Wareneingang", 12, "2025-09-22"),
    ("PM-005", "Bügelmessschraube 0-25 mm", "Drehen Halle 1", 12, "2025-07-14"),
    ("PM-006", "Bügelmessschraube 25-50 mm", "Drehen Halle 1", 12, "2025-07-14"),
    ("PM-007", "Bügelmessschraube 0-25 mm", "Drehen Halle 2", 12, "2025-08-18"),
    ("PM-008", "Bügelmessschraube 25-50 mm", "Drehen Halle 2", 12, "2025-08-18"),
    ("PM-009", "Innenmessschraube 6-8 mm (Dreipunkt)", "Messraum", 12, "2025-10-06"),
    ("PM-010", "Innenmessschraube 8-10 mm (Dreipunkt)", "Messraum", 12, "2025-10-06"),
    ("PM-011", "Grenzlehrdorn Ø 6 H7", "Drehen Halle 1", 12, "2025-11-03"),
    ("PM-012", "Grenzlehrdorn Ø 8 H7", "Drehen Halle 1", 12, "2025-11-03"),
    ("PM-013", "Grenzlehrdorn Ø 10 H7", "Drehen Halle 2", 12, "2025-11-03"),
    ("PM-014", "Gewindelehrdorn M5-6H", "Drehen Halle 1", 12, "2025-12-08"),
    ("PM-015", "Gewindelehrdorn M6-6H", "Drehen Halle 1", 12, "2025-12-08"),
    ("PM-016", "Gewindelehrdorn M8-6H", "Drehen Halle 2", 12, "2025-12-08"),
    ("PM-017", "Gewindelehrring M6-6g", "Drehen Halle 1", 12, "2026-01-12"),
    ("PM-018", "Gewindelehrring M8-6g", "Drehen Halle 2", 12, "2026-01-12"),
    ("PM-019", "Grenzrachenlehre Ø 12 h9", "Drehen Halle 1", 12, "2026-02-09"),
    ("PM-020", "Grenzrachenlehre Ø 16 h9", "Drehen Halle 2", 12, "2026-02-09"),
    ("PM-021", "Einstellring Ø 6 mm", "Messraum", 24, "2024-09-16"),
    ("PM-022", "Einstellring Ø 8 mm", "Messraum", 24, "2024-09-16"),
    ("PM-023", "Einstellring Ø 10 mm", "Messraum", 24, "2024-09-16"),
    ("PM-024", "Endmaßsatz Stahl 112-teilig, Kl. 1", "Messraum", 24, "2025-01-20"),
    ("PM-025", "Messuhr 0,01 mm", "Drehen Halle 1", 12, "2025-04-22"),
    ("PM-026", "Feinzeiger 0,001 mm", "Messraum", 12, "2025-06-30"),
    ("PM-027", "Innenmessschraube 10-12 mm (Dreipunkt)", "Drehen Halle 2", 12, "2025-02-13"),
    ("PM-028", "Höhenmessgerät Tesa Micro-Hite 350", "Messraum", 12, "2025-10-20"),
    ("PM-029", "Rauheitsmessgerät Mahr MarSurf PS10", "Messraum", 12, "2025-11-17"),
    ("PM-030", "Koordinatenmessgerät Zeiss Contura", "Messraum", 12, "2025-09-08"),
    ("PM-031", "Profilprojektor", "Messraum", 12, "2025-05-26"),
    ("PM-032", "Härteprüfgerät Rockwell", "Messraum", 12, "2025-07-28"),
    ("PM-033", "Bügelmessschraube 50-75 mm", "Messraum", 12, "2023-05-08"),
    ("PM-034", "Messschieber digital 0-150 mm", "Endkontrolle", 12, "2025-08-04"),
    ("PM-035", "Bügelmessschraube 0-25 mm", "Endkontrolle", 12, "2025-08-04"),
    ("PM-036", "Grenzlehrdorn Ø 5 H8", "Endkontrolle", 12, "2025-12-15"),
    ("PM-037", "Gewindelehrdorn M4-6H", "Endkontrolle", 12, "2025-12-15"),
    ("PM-038", "Digitalwaage 0-30 kg", "Versand", 12, "2025-04-14"),
    ("PM-039", "Drehmomentschlüssel 5-25 Nm", "Montage", 12, "2025-10-27"),
    ("PM-040", "Tiefenmessschieber 0-200 mm", "Drehen Halle 2", 12, "2025-06-16"),
)


def drehteile_kessler() -> None:
    hb = "01 QM-Handbuch"
    _kessler_doc(
        hb,
        "QMH",
        "Qualitätsmanagement-Handbuch",
        [
            ("5", "2023-03-01", "Neue Prozesslandkarte"),
            ("6", "2025-02-03", "Neuer Standort Halle 2, Kontext aktualisiert"),
        ],
        [
            ("h1", "1 Unternehmen und Anwendungsbereich"),
            (
                "p",
                "Die Drehteile Kessler GmbH, Gewerbestraße 14, 78549 Spaichingen, fertigt seit 1978 Präzisionsdrehteile aus "
                "Automatenstahl, Edelstahl und Messing (Ø 2 bis 65 mm) auf CNC-Langdreh- und Kurzdrehautomaten, überwiegend "
                "für die Automobilzuliefer-, Medizintechnik- und Hydraulikindustrie. 14 Mitarbeiter, Halle 1 und Halle 2.",
            ),
            (
                "p",
                "Anwendungsbereich des QM-Systems: Herstellung von Präzisionsdrehteilen nach Kundenzeichnung einschließlich "
                "der Koordination fremdvergebener Oberflächen- und Wärmebehandlung.",
            ),
            ("h2", "1.1 Nicht zutreffende Anforderungen"),
            (
                "p",
                "Abschnitt 8.3 der ISO 9001 (Entwicklung von Produkten und Dienstleistungen) ist nicht anwendbar: Wir fertigen "
                "ausschließlich nach Zeichnungen und Spezifikationen unserer Kunden und entwickeln keine eigenen Produkte. "
                "Die Verantwortung für die Produktentwicklung liegt beim Kunden. Die Fähigkeit, konforme Produkte zu liefern, "
                "wird dadurch nicht beeinträchtigt.",
            ),
            ("h1", "2 Kontext der Organisation"),
            (
                "p",
                "Externe Themen: Wandel in der Automobilindustrie (weniger Teile für Verbrennungsmotoren), Fachkräftemangel auf "
                "der Baar, Energie- und Materialpreise. Interne Themen: Altersstruktur in der Fertigung, Auslastung der "
                "Langdreher, Wissen einzelner Einrichter.",
            ),
            (
                "p",
                "Interessierte Parteien: Kunden (Qualität, Termin, Preis, Zeugnisse), Mitarbeiter, Lieferanten und "
                "Lohnbearbeiter, Gesellschafter, Behörden (Arbeitsschutz, Umwelt). Die Bewertung wird in der "
                "Managementbewertung jährlich überprüft.",
            ),
            ("h1", "3 Prozesse und Prozessverantwortliche"),
            ("b", "Vertrieb und Auftragsabwicklung: Tobias Kessler"),
            ("b", "Einkauf und Lieferantenmanagement: Sandra Bühler"),
            ("b", "Fertigung Drehen (Halle 1 und 2): Uwe Schmid"),
            ("b", "Qualitätssicherung und Prüfmittel: Petra Haug"),
            ("b", "Führung und QM-System: Martin Kessler"),
            ("h1", "4 Verantwortung und Befugnisse"),
            (
                "p",
                "Der Geschäftsführer Martin Kessler trägt die Verantwortung für das QM-System, legt Qualitätspolitik und "
                "Qualitätsziele fest und gibt die QM-Dokumente frei. Die Qualitätsmanagementbeauftragte (QMB) Petra Haug "
                "pflegt das System, plant die internen Audits und berichtet der Geschäftsführung quartalsweise.",
            ),
            ("h1", "5 Qualitätspolitik und Ziele"),
            ("p", "Siehe Dokument Qualitätspolitik und die Tabelle Qualitätsziele des laufenden Jahres."),
            ("h1", "6 Wissen der Organisation"),
            (
                "p",
                "Einrichtblätter, NC-Programme und Erstmusterprüfberichte sind je Artikel im ERP abgelegt; Erfahrungen aus "
                "Reklamationen fließen in die Einrichtblätter ein.",
            ),
        ],
    )
    _kessler_doc(
        hb,
        "QP",
        "Qualitätspolitik",
        [("3", "2025-02-03", "Ergänzt: Energie und Nachhaltigkeit")],
        [
            (
                "p",
                "Präzision ist unser Handwerk. Wir liefern Drehteile, die der Zeichnung entsprechen, pünktlich und zu fairen "
                "Preisen. Dafür verpflichten wir uns:",
            ),
            (
                "b",
                "die Anforderungen unserer Kunden sowie die gesetzlichen und behördlichen Anforderungen zu erfüllen;",
            ),
            ("b", "unser QM-System und unsere Prozesse ständig zu verbessern;"),
            ("b", "jährlich messbare Qualitätsziele festzulegen und ihre Erreichung zu überwachen;"),
            ("b", "unsere Mitarbeiter zu qualifizieren und ihr Wissen im Betrieb zu halten;"),
            ("b", "mit unseren Lieferanten partnerschaftlich zusammenzuarbeiten."),
            (
                "p",
                "Die Qualitätspolitik hängt in beiden Hallen aus, wird jedem neuen Mitarbeiter erläutert und steht Kunden auf "
                "Anfrage zur Verfügung. Spaichingen, 03.02.2025, Martin Kessler, Geschäftsführer.",
            ),
        ],
    )
    xlsx(
        KESSLER / hb / "Qualitätsziele 2026.xlsx",
        [
            (
                "Ziele 2026",
                ("Qualitätsziel", "Kennzahl", "Zielwert", "Verantwortlich", "Termin", "Stand 03/2026"),
                [
                    (
                        "Reklamationen senken",
                        "ppm beanstandete Teile",
                        "≤ 150 ppm",
                        "Petra Haug",
                        d("2026-12-31"),
                        "132 ppm",
                    ),
                    (
                        "Liefertreue halten",
                        "% termingerecht geliefert",
                        "≥ 96 %",
                        "Tobias Kessler",
                        d("2026-12-31"),
                        "95,1 %",
                    ),
                    ("Ausschuss senken", "% Ausschuss Fertigung", "≤ 1,2 %", "Uwe Schmid", d("2026-12-31"), "1,3 %"),
                    ("Rüstzeiten Langdreher", "Ø Rüstzeit in h", "≤ 3,5 h", "Uwe Schmid", d("2026-09-30"), "3,9 h"),
                ],
            )
        ],
        date_format="dd.mm.yyyy",
    )
    va = "02 Verfahrensanweisungen"
    for number, title, history, text in [
        (
            "VA-01",
            "Lenkung dokumentierter Information",
            [("3", "2024-06-10", "Ablage im Netzlaufwerk")],
            [
                "QM-Dokumente werden von der QMB erstellt und vom Geschäftsführer freigegeben. Jedes Dokument trägt "
                "Dokument-Nr., Revision, Gültig-ab-Datum und Status; die Freigabe steht in der Änderungshistorie.",
                "Ungültige Dokumente werden in den Ordner 'Ungültig' verschoben und dort zu Nachweiszwecken aufbewahrt. "
                "Leere Formblätter liegen im Ordner 'Vorlagen'.",
                "Die Dokumente werden bei Änderungen, spätestens alle drei Jahre, auf Aktualität überprüft.",
            ],
        ),
        (
            "VA-02",
            "Interne Audits",
            [("4", "2024-11-18", "Auditprogramm als Excel-Liste")],
            [
                "Jeder Prozess wird mindestens einmal im Kalenderjahr auditiert. Die QMB stellt das Auditprogramm im "
                "Dezember für das Folgejahr auf; der Geschäftsführer gibt es frei.",
                "Auditoren auditieren nicht ihre eigene Tätigkeit. Über jedes Audit wird ein Auditbericht nach Formblatt FB-12 "
                "erstellt; Abweichungen werden in die NC-Liste übernommen.",
            ],
        ),
        (
            "VA-03",
            "Nichtkonformitäten und Korrekturmaßnahmen",
            [("3", "2025-04-07", "NC-Liste ersetzt Fehlerbuch")],
            [
                "Fehlerhafte Teile werden mit rotem Sperrzettel gekennzeichnet und im Sperrlager abgestellt. Jede "
                "Nichtkonformität wird in der NC-Liste mit Sofortmaßnahme, Ursache, Korrekturmaßnahme, Termin und "
                "Wirksamkeitsprüfung erfasst.",
                "Kundenreklamationen werden mit 8D-Bericht bearbeitet und in der Reklamationsliste geführt.",
            ],
        ),
        (
            "VA-04",
            "Einkauf und Lieferantenbewertung",
            [("2", "2024-03-04", "Lieferantenklassen A/B/C")],
            [
                "Qualitätsrelevante Lieferanten (Material, Lohnbearbeitung, Werkzeuge, Kalibrierdienstleister, Spedition) "
                "werden vor der ersten Bestellung freigegeben und einmal jährlich nach Qualität, Termintreue und "
                "Zusammenarbeit bewertet (Punkte 0-100, Klasse A ab 85, B ab 70, C darunter). Das Ergebnis steht in der "
                "Lieferantenliste.",
                "Lieferanten ohne Einfluss auf die Produktqualität (Kantine, Gebäudereinigung, Büromaterial) sind in der "
                "Lieferantenliste als nicht qualitätsrelevant gekennzeichnet und werden nicht bewertet.",
            ],
        ),
        (
            "VA-05",
            "Prüfmittelüberwachung",
            [("5", "2025-01-13", "Prüfintervalle Lehrdorne 12 Monate")],
            [
                "Alle Prüfmittel sind in der Prüfmittelliste mit Nummer, Standort, Prüfintervall und nächstem "
                "Kalibriertermin erfasst. Die QMB lässt sie rechtzeitig vor dem Termin kalibrieren (DAkkS-Labor oder "
                "eigener Messraum gegen rückgeführte Normale).",
                "Ausgemusterte Prüfmittel werden in der Liste mit Status 'ausgemustert' geführt, rot gekennzeichnet und aus "
                "der Fertigung entfernt; sie werden nicht mehr kalibriert.",
            ],
        ),
        (
            "VA-06",
            "Kennzahlen und Managementbewertung",
            [("2", "2024-12-02", "Quartalsbericht statt Monatsbericht")],
            [
                "Die Prozesskennzahlen (ppm, Liefertreue, Ausschuss, Rüstzeit, Lieferantenleistung) werden quartalsweise "
                "ausgewertet. Die QMB erstellt bis zum 20. des Folgemonats den Quartalsbericht (Datei Kennzahlen "
                "Quartalsberichte, je Quartal ein Tabellenblatt) und bespricht ihn mit der Geschäftsführung.",
                "Die Managementbewertung findet einmal jährlich im Januar statt und behandelt alle Eingaben nach ISO 9001 "
                "Abschnitt 9.3.2; das Protokoll gibt der Geschäftsführer frei.",
            ],
        ),
    ]:
        _kessler_doc(va, number, title, history, [("h1", "Zweck und Ablauf"), *(("p", t) for t in text)])
    _kessler_doc(
        f"{va}/Ungültig",
        "VA-03",
        "Fehlermanagement",
        [("1", "2016-05-02", "Erstausgabe"), ("2", "2019-09-16", "Sperrlager")],
        [
            ("p", "UNGÜLTIG - ersetzt durch VA-03 Nichtkonformitäten und Korrekturmaßnahmen, Rev. 3 vom 07.04.2025."),
            ("h1", "Ablauf"),
            ("p", "Fehler werden im Fehlerbuch an der Endkontrolle eingetragen."),
        ],
        status="ungültig",
        stem="VA-03 Fehlermanagement Rev 2 (ungültig)",
    )
    _kessler_doc(
        "03 Arbeitsanweisungen",
        "AA-07",
        "Erstmusterprüfung",
        [("2", "2025-06-23", "Prüfumfang Medizintechnik")],
        [
            ("h1", "Ablauf"),
            (
                "p",
                "Nach jedem Einrichten prüft der Einrichter das erste Teil vollständig nach Zeichnung, bei "
                "Medizintechnik-Teilen zusätzlich im Messraum. Erst nach Freigabe im Erstteil-Protokoll läuft die Serie.",
            ),
        ],
    )
    docx(
        KESSLER / "04 Vorlagen" / "FB-12 Auditbericht.docx",
        "FB-12 Auditbericht",
        KESSLER_QMB,
        d("2024-11-18"),
        [("Bericht-Nr.", "IA-____"), ("Prozess", ""), ("Auditor", ""), ("Auditierte", ""), ("Datum", "TT.MM.JJJJ")],
        [
            ("h2", "Auditkriterien"),
            ("p", "[VA / Norm-Abschnitte]"),
            ("h2", "Feststellungen"),
            ("p", "[Abweichungen, Hinweise, Verbesserungspotenziale]"),
            ("h2", "Maßnahmen"),
            ("p", "[Maßnahme, verantwortlich, Termin]"),
        ],
    )
    nw = KESSLER / "05 Nachweise"
    xlsx(
        nw / "Prüfmittelliste 2026.xlsx",
        [
            (
                "Prüfmittel",
                (
                    "Prüfmittel-Nr.",
                    "Bezeichnung",
                    "Standort",
                    "Status",
                    "Prüfintervall (Monate)",
                    "Letzte Kalibrierung",
                    "Nächste Kalibrierung",
                    "Kalibrierschein",
                ),
                [
                    (
                        number,
                        name,
                        "Sperrschrank QS" if number == "PM-033" else where,
                        "ausgemustert" if number == "PM-033" else "in Gebrauch",
                        months,
                        d(last),
                        _months_later(d(last), months),
                        f"KS-{last[2:4]}-{100 + i * 7}",
                    )
                    for i, (number, name, where, months, last) in enumerate(KESSLER_GAUGES)
                ],
            )
        ],
        date_format="dd.mm.yyyy",
    )
    xlsx(
        nw / "Lieferantenliste.xlsx",
        [
            (
                "Lieferanten",
                (
                    "Lief.-Nr.",
                    "Lieferant",
                    "Lieferumfang",
                    "Qualitätsrelevant",
                    "Status",
                    "Freigegeben seit",
                    "Letzte Bewertung",
                    "Punkte",
                    "Klasse",
                    "Letzte Bestellung",
                ),
                [
                    (
                        "70011",
                        "Stahlhandel Neckar GmbH",
                        "Automatenstahl 11SMnPb30, Blankstahl",
                        "ja",
                        "freigegeben",
                        d("2009-04-01"),
                        None,
                        None,
                        None,
                        d("2026-03-24"),
                    ),
                    (
                        "70014",
                        "Messing-Werk Villingen",
                        "Messingstangen CuZn39Pb3",
                        "ja",
                        "freigegeben",
                        d("2012-10-15"),
                        None,
                        None,
                        None,
                        d("2026-03-18"),
                    ),
                    (
                        "70020",
                        "Edelstahl Zollern AG",
                        "Edelstahl 1.4305, 1.4404",
                        "ja",
                        "freigegeben",
                        d("2015-02-02"),
                        None,
                        None,
                        None,
                        d("2026-03-05"),
                    ),
                    (
                        "70032",
                        "Härterei Heuberg GmbH",
                        "Einsatzhärten, Vergüten (Lohnarbeit)",
                        "ja",
                        "freigegeben",
                        d("2011-06-20"),
                        None,
                        None,
                        None,
                        d("2026-03-26"),
                    ),
                    (
                        "70035",
                        "Galvanotechnik Primtal",
                        "Verzinken, Brünieren (Lohnarbeit)",
                        "ja",
                        "freigegeben",
                        d("2014-01-13"),
                        None,
                        None,
                        None,
                        d("2026-03-12"),
                    ),
                    (
                        "70041",
                        "WZ-Technik Trossingen",
                        "Wendeschneidplatten, Bohrer",
                        "ja",
                        "freigegeben",
                        d("2018-07-09"),
                        None,
                        None,
                        None,
                        d("2026-03-27"),
                    ),
                    (
                        "70052",
                        "Kalibrierlabor Rottweil",
                        "Kalibrierung Prüfmittel (DAkkS)",
                        "ja",
                        "freigegeben",
                        d("2016-03-21"),
                        None,
                        None,
                        None,
                        d("2026-02-09"),
                    ),
                    (
                        "70060",
                        "Spedition Baar-Logistik",
                        "Versand an Kunden",
                        "ja",
                        "freigegeben",
                        d("2017-05-29"),
                        None,
                        None,
                        None,
                        d("2026-03-30"),
                    ),
                    (
                        "80003",
                        "Kantine Schwarzwaldküche",
                        "Mittagessen Kantine",
                        "nein",
                        "nicht bewertungspflichtig",
                        None,
                        None,
                        None,
                        None,
                        d("2026-03-02"),
                    ),
                    (
                        "80007",
                        "Gebäudereinigung Hohner",
                        "Reinigung Büro und Sozialräume",
                        "nein",
                        "nicht bewertungspflichtig",
                        None,
                        None,
                        None,
                        None,
                        d("2026-03-01"),
                    ),
                    (
                        "80011",
                        "Büro-Fix Tuttlingen",
                        "Büromaterial",
                        "nein",
                        "nicht bewertungspflichtig",
                        None,
                        None,
                        None,
                        None,
                        d("2026-01-20"),
                    ),
                ],
            )
        ],
        date_format="dd.mm.yyyy",
    )
    quarters = [
        ("Q1 2025", "2025-04-14", ("168 ppm", "94,8 %", "1,5 %", "4,2 h", "2 Lieferverzüge Härterei")),
        ("Q2 2025", "2025-07-16", ("141 ppm", "95,9 %", "1,4 %", "4,0 h", "keine Auffälligkeiten")),
        ("Q3 2025", "2025-10-15", ("155 ppm", "96,3 %", "1,3 %", "3,9 h", "1 Reklamation Galvanik")),
        ("Q4 2025", "2026-01-19", ("129 ppm", "96,8 %", "1,2 %", "3,8 h", "keine Auffälligkeiten")),
    ]
    xlsx(
        nw / "Kennzahlen Quartalsberichte 2025.xlsx",
        [
            (
                sheet,
                ("Kennzahl", "Zielwert", "Istwert", "Bewertung", "Berichtsdatum", "Erstellt von"),
                [
                    (
                        "Reklamationen (ppm)",
                        "≤ 150 ppm",
                        values[0],
                        "Ziel erreicht" if int(values[0].split()[0]) <= 150 else "Ziel verfehlt",
                        d(issued),
                        KESSLER_QMB,
                    ),
                    ("Liefertreue", "≥ 96 %", values[1], "siehe Managementbewertung", d(issued), KESSLER_QMB),
                    ("Ausschuss Fertigung", "≤ 1,2 %", values[2], "siehe Managementbewertung", d(issued), KESSLER_QMB),
                    ("Rüstzeit Langdreher", "≤ 3,5 h", values[3], "Ziel verfehlt", d(issued), KESSLER_QMB),
                    ("Lieferantenleistung", "-", values[4], "-", d(issued), KESSLER_QMB),
                ],
            )
            for sheet, issued, values in quarters
        ],
        date_format="dd.mm.yyyy",
    )
    xlsx(
        nw / "Qualifikationsmatrix.xlsx",
        [
            (
                "Mitarbeiter",
                ("Name", "Funktion", "Abteilung", "Eintritt"),
                [
                    ("Uwe Schmid", "Fertigungsleiter", "Fertigung", d("1998-09-01")),
                    ("Jonas Weber", "Messtechniker", "Messraum", d("2019-04-01")),
                    ("Aylin Demir", "Einrichterin Langdreher", "Fertigung", d("2016-08-15")),
                    ("Klaus Maier", "Einrichter Kurzdreher", "Fertigung", d("2003-02-01")),
                    ("Milan Horvat", "Maschinenbediener", "Fertigung", d("2022-10-04")),
                    ("Petra Haug", "QMB", "Qualitätssicherung", d("2010-01-11")),
                    ("Nadine Storz", "Prüferin Endkontrolle", "Qualitätssicherung", d("2018-02-01")),
                    ("Ralf Engesser", "Maschinenbediener", "Fertigung", d("2012-05-14")),
                    ("Sandra Bühler", "Einkauf", "Verwaltung", d("2007-03-01")),
                    ("Tobias Kessler", "Vertrieb", "Verwaltung", d("2015-10-01")),
                    ("Martin Kessler", "Geschäftsführer", "Geschäftsführung", d("1996-01-01")),
                ],
            ),
            (
                "Qualifikationen",
                ("Name", "Qualifikation", "Nachweis", "Datum", "Gültig bis", "Bewertung"),
                [
                    ("Uwe Schmid", "Industriemeister Metall", "IHK-Zeugnis", d("2004-06-30"), None, "qualifiziert"),
                    (
                        "Jonas Weber",
                        "Bediener KMG Zeiss Contura / Calypso",
                        "Zeiss Schulungszertifikat",
                        d("2022-11-30"),
                        d("2025-11-30"),
                        "qualifiziert",
                    ),
                    (
                        "Jonas Weber",
                        "Zeichnungslesen und GPS (ISO 1101)",
                        "Schulung VDI",
                        d("2023-03-09"),
                        None,
                        "qualifiziert",
                    ),
                    (
                        "Aylin Demir",
                        "Einrichten Citizen L20 / Star SR-32",
                        "Einweisung intern",
                        d("2017-03-01"),
                        None,
                        "qualifiziert",
                    ),
                    (
                        "Aylin Demir",
                        "Erstmusterprüfung nach AA-07",
                        "Einweisung intern",
                        d("2025-07-01"),
                        None,
                        "qualifiziert",
                    ),
                    (
                        "Klaus Maier",
                        "Einrichten Index C100",
                        "Einweisung intern",
                        d("2004-01-15"),
                        None,
                        "qualifiziert",
                    ),
                    (
                        "Klaus Maier",
                        "Erstmusterprüfung nach AA-07",
                        "Einweisung intern",
                        d("2025-07-01"),
                        None,
                        "qualifiziert",
                    ),
                    (
                        "Milan Horvat",
                        "Bedienen Langdreher, Werkerselbstprüfung",
                        "Einweisung intern",
                        d("2023-01-20"),
                        None,
                        "qualifiziert",
                    ),
                    ("Milan Horvat", "Staplerschein", "Fahrausweis", d("2024-05-06"), d("2027-05-06"), "qualifiziert"),
                    (
                        "Petra Haug",
                        "Interne Auditorin ISO 9001",
                        "TÜV-Zertifikat",
                        d("2021-10-22"),
                        None,
                        "qualifiziert",
                    ),
                    (
                        "Uwe Schmid",
                        "Interner Auditor ISO 9001",
                        "DGQ-Zertifikat",
                        d("2023-05-12"),
                        None,
                        "qualifiziert",
                    ),
                    (
                        "Nadine Storz",
                        "Endkontrolle und Sichtprüfung",
                        "Einweisung intern",
                        d("2018-03-01"),
                        None,
                        "qualifiziert",
                    ),
                    (
                        "Ralf Engesser",
                        "Bedienen Kurzdreher, Werkerselbstprüfung",
                        "Einweisung intern",
                        d("2012-07-02"),
                        None,
                        "qualifiziert",
                    ),
                    ("Sandra Bühler", "Industriekauffrau", "IHK-Zeugnis", d("2006-07-15"), None, "qualifiziert"),
                    (
                        "Tobias Kessler",
                        "Technischer Betriebswirt",
                        "IHK-Zeugnis",
                        d("2014-06-30"),
                        None,
                        "qualifiziert",
                    ),
                    (
                        "Martin Kessler",
                        "Dipl.-Ing. (FH) Maschinenbau",
                        "Diplom HS Furtwangen",
                        d("1994-09-30"),
                        None,
                        "qualifiziert",
                    ),
                ],
            ),
        ],
        date_format="dd.mm.yyyy",
    )
    xlsx(
        nw / "NC-Liste 2025-2026.xlsx",
        [
            (
                "NC-Liste",
                (
                    "NC-Nr.",
                    "Datum",
                    "Herkunft",
                    "Beschreibung",
                    "Sofortmaßnahme",
                    "Ursache",
                    "Korrekturmaßnahme",
                    "Verantwortlich",
                    "Termin",
                    "Erledigt am",
                    "Wirksamkeit geprüft",
                    "Status",
                ),
                [
                    (
                        "NC-25-01",
                        d("2025-02-19"),
                        "Kunde",
                        "Gewinde M6 zu eng, 1.200 Teile (Los 25-0211)",
                        "Sortierung 100 %, Nacharbeit",
                        "Gewindeformer verschlissen",
                        "Standzeit Gewindeformer im NC-Programm begrenzt",
                        "Uwe Schmid",
                        d("2025-03-31"),
                        d("2025-03-20"),
                        "ja, 06/2025: keine Wiederholung",
                        "abgeschlossen",
                    ),
                    (
                        "NC-25-02",
                        d("2025-05-07"),
                        "Endkontrolle",
                        "Grat an Querbohrung (Los 25-0488)",
                        "Entgratet",
                        "Entgratwerkzeug fehlte im Einrichtblatt",
                        "Einrichtblatt ergänzt",
                        "Aylin Demir",
                        d("2025-06-06"),
                        d("2025-05-28"),
                        "ja, 08/2025: 10 Lose ohne Grat",
                        "abgeschlossen",
                    ),
                    (
                        "NC-25-03",
                        d("2025-08-26"),
                        "Lieferant",
                        "Schichtdicke Verzinkung zu gering",
                        "Zurück an Galvanik",
                        "Badführung beim Lieferanten",
                        "Schichtdickenmessung im Wareneingang",
                        "Sandra Bühler",
                        d("2025-09-30"),
                        d("2025-09-24"),
                        "ja, 12/2025: 6 Lieferungen i.O.",
                        "abgeschlossen",
                    ),
                    (
                        "NC-25-04",
                        d("2025-11-12"),
                        "internes Audit",
                        "Einrichtblatt Artikel 4711 nicht aktuell",
                        "Einrichtblatt aktualisiert",
                        "Änderung nicht rückgemeldet",
                        "Änderungsmeldung im ERP verpflichtend",
                        "Uwe Schmid",
                        d("2025-12-15"),
                        d("2025-12-10"),
                        "ja, 02/2026: Stichprobe 15 Artikel i.O.",
                        "abgeschlossen",
                    ),
                    (
                        "NC-26-01",
                        d("2026-03-09"),
                        "Endkontrolle",
                        "Rauheit Ra 1,2 statt 0,8 (Los 26-0231)",
                        "Sortiert, 40 Teile Ausschuss",
                        "Schneidplatte falsche Sorte",
                        "Sorte im Einrichtblatt festgelegt",
                        "Klaus Maier",
                        d("2026-04-30"),
                        None,
                        "geplant: 5 Lose prüfen",
                        "offen",
                    ),
                ],
            )
        ],
        date_format="dd.mm.yyyy",
    )
    xlsx(
        nw / "Reklamationen 2025-2026.xlsx",
        [
            (
                "Reklamationen",
                ("Rekl.-Nr.", "Kunde", "Eingang", "Beschreibung", "8D-Bericht", "Antwort an Kunde", "Status"),
                [
                    (
                        "R-25-01",
                        "Hydraulik Rems GmbH",
                        d("2025-02-18"),
                        "Gewinde M6 zu eng",
                        "8D-25-01 (NC-25-01)",
                        d("2025-03-04"),
                        "abgeschlossen",
                    ),
                    (
                        "R-25-02",
                        "MedTec Tuttlingen",
                        d("2025-06-10"),
                        "Verpackung beschädigt",
                        "8D-25-02",
                        d("2025-06-20"),
                        "abgeschlossen",
                    ),
                    (
                        "R-25-03",
                        "Autoteile Sulz",
                        d("2025-10-01"),
                        "Verzinkung fleckig",
                        "8D-25-03 (NC-25-03)",
                        d("2025-10-13"),
                        "abgeschlossen",
                    ),
                    (
                        "R-26-01",
                        "Hydraulik Rems GmbH",
                        d("2026-02-23"),
                        "Falsche Stückzahl geliefert",
                        "8D-26-01",
                        d("2026-03-05"),
                        "abgeschlossen",
                    ),
                ],
            )
        ],
        date_format="dd.mm.yyyy",
    )
    xlsx(
        nw / "Risiken und Chancen.xlsx",
        [
            (
                "Risiken und Chancen",
                ("Risiko / Chance", "Prozess", "Bewertung", "Maßnahme", "Verantwortlich", "Überprüfung", "Status"),
                [
                    (
                        "Ausfall Langdreher Citizen L20",
                        "Fertigung Drehen",
                        "hoch",
                        "Servicevertrag, Ersatzteile vor Ort",
                        "Uwe Schmid",
                        d("2026-06-30"),
                        "in Bearbeitung",
                    ),
                    (
                        "Wissen nur bei einem Einrichter (Index C100)",
                        "Fertigung Drehen",
                        "mittel",
                        "Zweite Person anlernen",
                        "Uwe Schmid",
                        d("2026-09-30"),
                        "in Bearbeitung",
                    ),
                    (
                        "Chance: Medizintechnik-Kunden",
                        "Vertrieb",
                        "hoch",
                        "Reinigung und Verpackung für Medizintechnik aufbauen",
                        "Tobias Kessler",
                        d("2026-12-31"),
                        "in Bearbeitung",
                    ),
                ],
            )
        ],
        date_format="dd.mm.yyyy",
    )
    audits = [
        ("IA-2025-01", "Vertrieb und Auftragsabwicklung", "Tobias Kessler", "Petra Haug", "2025-03-11"),
        ("IA-2025-02", "Einkauf und Lieferantenmanagement", "Sandra Bühler", "Petra Haug", "2025-05-06"),
        ("IA-2025-03", "Fertigung Drehen", "Uwe Schmid", "Petra Haug", "2025-07-08"),
        ("IA-2025-04", "Qualitätssicherung und Prüfmittel", "Petra Haug", "Petra Haug", "2025-09-16"),
        ("IA-2025-05", "Führung und QM-System", "Martin Kessler", "Uwe Schmid", "2025-11-11"),
    ]
    xlsx(
        KESSLER / "06 Interne Audits" / "Auditprogramm 2025.xlsx",
        [
            (
                "Auditprogramm",
                ("Prozess", "Prozessverantwortlich", "Auditor", "Geplant", "Durchgeführt am", "Bericht", "Status"),
                [
                    (proc, owner, auditor, d(when).replace(day=1), d(when), num, "durchgeführt")
                    for num, proc, owner, auditor, when in audits
                ],
            )
        ],
        date_format="dd.mm.yyyy",
    )
    findings = {
        "IA-2025-01": "Keine Abweichung. Hinweis: Angebotsprüfung bei Eilaufträgen im ERP dokumentieren.",
        "IA-2025-02": "Keine Abweichung. Hinweis: Lieferantenbewertung 2025 noch nicht durchgeführt, Termin mit Einkauf vereinbart.",
        "IA-2025-03": "Eine Abweichung: Einrichtblatt Artikel 4711 nicht aktuell (NC-25-04).",
        "IA-2025-04": "Keine Abweichung. Prüfmittelliste vollständig.",
        "IA-2025-05": "Keine Abweichung. Qualitätsziele 2025 mit Kennzahlen hinterlegt.",
    }
    for num, proc, owner, auditor, when in audits:
        docx(
            KESSLER / "06 Interne Audits" / f"{num} Auditbericht {proc}.docx",
            f"Auditbericht {num}",
            auditor,
            d(when),
            [
                ("Bericht-Nr.", num),
                ("Prozess", proc),
                ("Auditor", auditor),
                ("Auditierte", owner),
                ("Datum", _de(when)),
                ("Status", "abgeschlossen"),
            ],
            [
                ("h2", "Auditkriterien"),
                ("p", "ISO 9001:2015, QM-Handbuch und die zutreffenden Verfahrensanweisungen."),
                ("h2", "Feststellungen"),
                ("p", findings[num]),
                ("h2", "Maßnahmen"),
                (
                    "p",
                    "Abweichungen in die NC-Liste übernommen."
                    if "NC-" in findings[num]
                    else "Keine Maßnahmen erforderlich.",
                ),
            ],
        )
    docx(
        KESSLER / "07 Managementbewertung" / "Managementbewertung 2025.docx",
        "Protokoll Managementbewertung 2025",
        KESSLER_GF,
        d("2026-01-22"),
        [
            ("Datum", "22.01.2026"),
            ("Leitung", "Martin Kessler (GF)"),
            ("Teilnehmer", "Martin Kessler, Petra Haug, Uwe Schmid, Sandra Bühler, Tobias Kessler"),
            ("Berichtszeitraum", "01.01.2025 - 31.12.2025"),
            ("Status", "freigegeben"),
        ],
        [
            ("h1", "Eingaben"),
            ("h2", "Status der Maßnahmen aus der letzten Managementbewertung"),
            (
                "p",
                "Alle vier Maßnahmen aus 2024 erledigt (zweiter Langdreher-Einrichter angelernt, KMG-Software aktualisiert).",
            ),
            ("h2", "Veränderungen bei externen und internen Themen"),
            ("p", "Rückgang Verbrennerteile um 12 %; neue Medizintechnik-Kunden; Energiepreise stabil."),
            ("h2", "Kundenzufriedenheit und Rückmeldungen"),
            ("p", "Drei Reklamationen in 2025, Lieferantenbewertungen der Kunden: zweimal A, einmal B."),
            ("h2", "Erreichung der Qualitätsziele"),
            ("p", "ppm-Ziel erreicht (129 ppm in Q4), Liefertreue 95,9 % knapp verfehlt, Rüstzeit-Ziel verfehlt."),
            ("h2", "Prozessleistung und Produktkonformität"),
            ("p", "Ausschuss von 1,5 % auf 1,2 % gesenkt."),
            ("h2", "Nichtkonformitäten und Korrekturmaßnahmen"),
            ("p", "Vier NCs in 2025, alle abgeschlossen und auf Wirksamkeit geprüft."),
            ("h2", "Ergebnisse von Überwachung und Messung"),
            ("p", "Quartalsberichte Q1 bis Q4 2025 liegen vor und wurden jeweils mit der GF besprochen."),
            ("h2", "Ergebnisse der internen Audits"),
            ("p", "Fünf Audits nach Programm durchgeführt, eine Abweichung (NC-25-04), erledigt."),
            ("h2", "Angemessenheit der Ressourcen"),
            ("p", "Messraum ausgelastet; zweiter KMG-Bediener erforderlich."),
            ("h2", "Wirksamkeit der Maßnahmen zu Risiken und Chancen"),
            ("p", "Servicevertrag Citizen wirksam (Ausfallzeit halbiert)."),
            ("h2", "Möglichkeiten zur Verbesserung"),
            ("p", "Automatische Messung im Prozess an den Langdrehern."),
            ("h1", "Ergebnisse"),
            ("b", "Verbesserung: In-Prozess-Messung an zwei Langdrehern (Uwe Schmid, 30.09.2026)."),
            ("b", "Änderung QM-System: Reinraumverpackung Medizintechnik in AA aufnehmen (Petra Haug, 30.06.2026)."),
            ("b", "Ressourcen: zweiten KMG-Bediener schulen (Petra Haug, 30.04.2026)."),
        ],
    )


def main() -> None:
    talleres_ebro()
    officina_rossi()
    harwood_labels()
    drehteile_kessler()


if __name__ == "__main__":
    main()
