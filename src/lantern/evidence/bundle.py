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

from lantern.evidence.gather import CaseEvidence, Explain, city_stops, gather, itinerary
from lantern.evidence.pdf import write_pdf
from lantern.security import audit
from lantern.tabular import write_csv

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/bmp": "bmp",
    "image/tiff": "tif",
}
CSV_FIELDS = ["pk", "source", "record_id", "revision", "url", "title", "posted_at", "collected_at", "location",
              "author", "network_id", "in_case", "trafficking_score", "minor_score", "content_sha256", "phones", "emails",
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
        "city_stops": city_stops(evidence.records),
        "links": [{"record_a": a, "record_b": b, "shared": why} for a, b, why in evidence.links],
        "evidence_paths": {
            key: {
                "founder": founder,
                "hops": None
                if hops is None
                else [
                    {"from": h.source, "to": h.target, "kind": h.kind, "evidence": h.evidence} for h in hops
                ],
            }
            for key, (founder, hops) in evidence.paths.items()
        },
        "records": records,
    }
    return json.dumps(document, indent=2, ensure_ascii=False, default=_json_default).encode()


def _csv(evidence: CaseEvidence) -> bytes:
    """One row per record through the formula-safe writer (``lantern.tabular``): ad text that starts with
    ``=``, ``+``, ``-`` or ``@`` cannot run as a spreadsheet formula."""
    rows = []
    for row in evidence.records:
        kinds: dict[str, list[str]] = {}
        for kind, value in row["entities"]:
            kinds.setdefault(kind, []).append(value)
        rows.append(
            [row["id"], row["source"], row["record_id"], row["revision"], row["url"], row["title"],
             row["posted_at"], row["collected_at"], row["location"], row["author"], row["network_id"],
             "attached" if row.get("via_network") is None else f"via {row['via_network']}",
             row["trafficking_score"], row["minor_score"], row["content_sha256"], " ".join(kinds.get("phone", [])),
             " ".join(kinds.get("email", [])), " ".join(kinds.get("handle", [])),
             " ".join(i["sha256"] for i in row["images"]), row["id"] in evidence.flagged_records]
        )  # fmt: skip
    out = io.StringIO()
    write_csv(out, CSV_FIELDS, rows)
    return out.getvalue().encode("utf-8")


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
    explain: Explain | None = None,
) -> ExportResult:
    """Write the zipped bundle to ``out`` and audit the export (``explain``, when the linker's state is
    loaded, gives each network member its evidence path)."""
    evidence = gather(engine, case_id, images_dir, explain)
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
