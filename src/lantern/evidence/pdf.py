"""The case report as PDF: records with their preserved text, capture times, hashes, images, a network
diagram and an itinerary.

All ad text is hostile: it is XML-escaped before reportlab's paragraph markup sees it and bounded in
length. Images come only from the content-addressed store (the bytes as collected), never from a URL,
and CSAM-blocked images are named as withheld, never drawn.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lantern.evidence.gather import CaseEvidence, itinerary
from lantern.instants import format_instant

MAX_TEXT = 20_000
MAX_DIAGRAM_NODES = 60


def _p(text: Any, style) -> Paragraph:
    value = "" if text is None else str(text)
    if len(value) > MAX_TEXT:
        value = value[:MAX_TEXT] + " …[truncated in the report; the bundle holds the full text]"
    return Paragraph(escape(value).replace("\n", "<br/>"), style)


def _when(value: Any, offset: int | None = 0) -> str:
    return format_instant(value, offset, seconds=True)


def network_diagram(evidence: CaseEvidence, width: float = 16 * cm, height: float = 10 * cm) -> Drawing:
    """Records on a circle, joined where they share an identifier (the case's own link evidence)."""
    drawing = Drawing(width, height)
    nodes = [row["id"] for row in evidence.records][:MAX_DIAGRAM_NODES]
    if not nodes:
        drawing.add(String(10, height / 2, "No records attached."))
        return drawing
    cx, cy, radius = width / 2, height / 2, min(width, height) / 2 - 30
    position = {}
    for index, pk in enumerate(nodes):
        angle = 2 * math.pi * index / len(nodes)
        position[pk] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
    for left, right, _ in evidence.links:
        if left in position and right in position:
            (x1, y1), (x2, y2) = position[left], position[right]
            drawing.add(Line(x1, y1, x2, y2, strokeColor=colors.grey, strokeWidth=0.6))
    for pk, (x, y) in position.items():
        flagged = pk in evidence.flagged_records
        drawing.add(
            Circle(x, y, 6, fillColor=colors.red if flagged else colors.steelblue, strokeColor=colors.black)
        )
        drawing.add(String(x + 8, y - 3, f"#{pk}", fontSize=7))
    if len(evidence.records) > MAX_DIAGRAM_NODES:
        drawing.add(
            String(5, 5, f"first {MAX_DIAGRAM_NODES} of {len(evidence.records)} records shown", fontSize=7)
        )
    return drawing


def write_pdf(evidence: CaseEvidence, path: Path, *, exported_by: str | None) -> None:
    """Write the report to ``path``."""
    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["Code"]
    case = evidence.case
    story: list[Any] = [
        Paragraph(escape(f"Case {case['id']}: {case['title']}"), styles["Title"]),
        _p(
            f"Status: {case['status']}. Exported {datetime.now(UTC).isoformat(timespec='seconds')}"
            f" by {exported_by or 'unknown'}. Records: {len(evidence.records)}.",
            body,
        ),
        _p(
            "Leads, not verdicts: indicators raise records for human review and decide nothing. Every record "
            "below is reproduced as preserved at capture, with the SHA-256 of the raw bytes collected.",
            body,
        ),
        Spacer(1, 0.4 * cm),
        Paragraph("Network diagram (shared identifiers)", styles["Heading2"]),
        network_diagram(evidence),
        Paragraph("Itinerary", styles["Heading2"]),
    ]
    stops = itinerary(evidence.records)
    table_rows = [["Posted", "Location", "Record"]] + [
        [
            _p(_when(s["posted_at"], s["posted_at_offset"]), small),
            _p(s["location"], small),
            _p(f"{s['source']}/{s['record_id']}", small),
        ]
        for s in stops
    ]
    table = Table(table_rows, colWidths=[5 * cm, 5 * cm, 7 * cm], repeatRows=1)
    table.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    story += [table, Paragraph("Records", styles["Heading2"])]
    for row in evidence.records:
        story.append(
            Paragraph(escape(f"#{row['id']} {row['source']} / {row['record_id']}"), styles["Heading3"])
        )
        if row["id"] in evidence.flagged_records:
            story.append(
                _p("FLAGGED: an image of this record matched a CSAM hash list; it is withheld.", body)
            )
        story.append(_p(f"URL (not fetched): {row['url'] or ''}", small))
        story.append(
            _p(
                f"Posted: {_when(row['posted_at'], row['posted_at_offset'])}   Location: {row['location'] or ''}",
                small,
            )
        )
        for revision in row["revisions"]:
            story.append(
                _p(
                    f"Revision {revision['revision']}: captured {_when(revision['collected_at'], revision['collected_at_offset'])}, ingested "
                    f"{_when(revision['ingested_at'])}, raw SHA-256 {revision['raw_sha256']}, content SHA-256 "
                    f"{revision['content_sha256']}",
                    small,
                )
            )
        story.append(_p(f"Title: {row['title'] or ''}", body))
        story.append(_p(row["body"] or "", body))
        for image in row["images"]:
            sha = image["sha256"]
            if sha in evidence.withheld_images:
                story.append(_p(f"Image {sha}: withheld (hash-list match; never stored or shown).", small))
                continue
            file = evidence.image_files.get(sha)
            if file is None:
                story.append(_p(f"Image {sha}: not in the store.", small))
                continue
            scale = min(1.0, (8 * cm) / max(image["width"], 1), (8 * cm) / max(image["height"], 1))
            try:
                story.append(Image(str(file), width=image["width"] * scale, height=image["height"] * scale))
            except Exception:  # a format reportlab cannot draw: the bundle still holds the original
                story.append(_p(f"Image {sha}: cannot be drawn in the PDF; see the bundle.", small))
            story.append(_p(f"Image SHA-256 {sha} ({image['media_type']}, {image['width']}x{image['height']}), "
                            f"revision {image['revision']}, as referenced: {image['original_ref']}", small))  # fmt: skip
        story.append(Spacer(1, 0.3 * cm))
    if case["notes"]:
        story.append(Paragraph("Notes", styles["Heading2"]))
        for note in case["notes"]:
            story.append(
                _p(f"{_when(note['created_at'])} {note.get('username') or ''}: {note['body']}", body)
            )
    SimpleDocTemplate(str(path), pagesize=A4, title=f"Lantern case {case['id']}").build(story)
