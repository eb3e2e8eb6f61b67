"""The zipped evidence bundle: PDF, JSON and CSV, original raw records and images, and a hash manifest.

Layout inside the zip (every name is generated here, never taken from an ad)::

    report.pdf                      the human-readable report
    case.json                       case, notes, feedback, records with every revision and image
    records.csv                     one row per record (current revision)
    raw/record-<pk>-r<rev>.<fmt>    each revision's raw line, byte for byte as collected
    images/<sha256>.<ext>           each image as preserved (never one that matched a CSAM hash list)
    manifest.json                   SHA-256 and size of every file above, and what was withheld
    SHA256SUMS                      the same hashes in ``sha256sum -c`` format

The export is audited (``case.export``) with the zip's own SHA-256, so the exported copy can later be
matched to the log entry.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from sqlalchemy import Engine

from lantern.evidence.gather import CaseEvidence, gather, itinerary
from lantern.evidence.pdf import write_pdf
from lantern.instants import stated_iso
from lantern.security import audit

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/bmp": "bmp",
    "image/tiff": "tif",
}
CSV_FIELDS = ["pk", "source", "record_id", "revision", "url", "title", "posted_at", "collected_at", "location",
              "author", "network_id", "trafficking_score", "minor_score", "content_sha256", "phones", "emails",
              "handles", "image_sha256s", "csam_flagged"]  # fmt: skip


@dataclass
class ExportResult:
    path: Path
    sha256: str
    files: int
    records: int
    images: int
    withheld_images: int


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return value.hex()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def _case_json(evidence: CaseEvidence) -> bytes:
    records = []
    for row in evidence.records:
        item = {k: v for k, v in row.items() if k not in ("entities",)}
        item["csam_flagged"] = row["id"] in evidence.flagged_records
        item["images"] = [
            {**image, "withheld": image["sha256"] in evidence.withheld_images} for image in row["images"]
        ]
        records.append(item)
    document = {
        "format": "lantern-case-export",
        "version": 1,
        "exported_at": datetime.now(UTC).isoformat(),
        "case": {k: v for k, v in evidence.case.items() if k != "records"},
        "itinerary": itinerary(evidence.records),
        "links": [{"record_a": a, "record_b": b, "shared": why} for a, b, why in evidence.links],
        "records": records,
    }
    return json.dumps(document, indent=2, ensure_ascii=False, default=_json_default).encode()


def _csv(evidence: CaseEvidence) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_FIELDS)
    writer.writeheader()
    for row in evidence.records:
        kinds: dict[str, list[str]] = {}
        for kind, value in row["entities"]:
            kinds.setdefault(kind, []).append(value)
        writer.writerow(
            {
                "pk": row["id"], "source": row["source"], "record_id": row["record_id"],
                "revision": row["revision"], "url": row["url"], "title": _csv_safe(row["title"]),
                "posted_at": stated_iso(row["posted_at"], row["posted_at_offset"]) or "",
                "collected_at": stated_iso(row["collected_at"], row["collected_at_offset"]) or "",
                "location": _csv_safe(row["location"]), "author": _csv_safe(row["author"]),
                "network_id": row["network_id"], "trafficking_score": row["trafficking_score"],
                "minor_score": row["minor_score"], "content_sha256": row["content_sha256"],
                "phones": " ".join(kinds.get("phone", [])), "emails": " ".join(kinds.get("email", [])),
                "handles": " ".join(kinds.get("handle", [])),
                "image_sha256s": " ".join(i["sha256"] for i in row["images"]),
                "csam_flagged": row["id"] in evidence.flagged_records,
            }
        )  # fmt: skip
    return out.getvalue().encode()


def _csv_safe(value: Any) -> str:
    """Ad text opened in a spreadsheet must not run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_case(
    engine: Engine,
    case_id: int,
    out: Path,
    *,
    images_dir: Path,
    user_id: int | None = None,
    agency_id: int | None = None,
    exported_by: str | None = None,
    actor: dict[str, Any] | None = None,
) -> ExportResult:
    """Write the zipped bundle to ``out`` and audit the export."""
    evidence = gather(engine, case_id, images_dir)
    files: dict[str, bytes | Path] = {}
    with TemporaryDirectory() as work:
        pdf_path = Path(work) / "report.pdf"
        write_pdf(evidence, pdf_path, exported_by=exported_by)
        files["report.pdf"] = pdf_path.read_bytes()
    files["case.json"] = _case_json(evidence)
    files["records.csv"] = _csv(evidence)
    for row in evidence.records:
        for revision in row["revisions"]:
            fmt = "".join(ch for ch in revision["raw_format"] if ch.isalnum())[:8] or "txt"
            files[f"raw/record-{row['id']}-r{revision['revision']}.{fmt}"] = revision["raw"].encode("utf-8")
    for sha, path in evidence.image_files.items():
        ext = EXTENSIONS.get(evidence.image_meta[sha]["media_type"], "bin")
        files[f"images/{sha}.{ext}"] = path
    manifest_files = {}
    for name, content in files.items():
        data = content.read_bytes() if isinstance(content, Path) else content
        manifest_files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    manifest = {
        "case_id": case_id,
        "created_at": datetime.now(UTC).isoformat(),
        "exported_by": exported_by,
        "files": manifest_files,
        "withheld_images": sorted(evidence.withheld_images),
        "withheld_reason": "matched a CSAM hash list: never stored, shown or exported (docs/csam.md)",
    }
    sums = "".join(f"{entry['sha256']}  {name}\n" for name, entry in sorted(manifest_files.items()))
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.tmp")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            if isinstance(content, Path):
                archive.write(content, name)
            else:
                archive.writestr(name, content)
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        archive.writestr("SHA256SUMS", sums)
    temporary.replace(out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    audit.record(
        engine,
        "case.export",
        user_id=user_id,
        agency_id=agency_id if agency_id is not None else evidence.case["agency_id"],
        target=f"case:{case_id}",
        detail={
            "zip_sha256": digest,
            "records": len(evidence.records),
            "images": len(evidence.image_files),
            "withheld_images": len(evidence.withheld_images),
            **(actor or {}),
        },
    )
    return ExportResult(out, digest, len(files) + 2, len(evidence.records), len(evidence.image_files),
                        len(evidence.withheld_images))  # fmt: skip
