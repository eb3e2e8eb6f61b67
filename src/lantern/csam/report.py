"""The mandated-report package: what a supervisor needs to file a CyberTipline report, and no image.

US providers report apparent CSAM to NCMEC's CyberTipline (18 U.S.C. § 2258A); other countries have
their own hotlines (INHOPE members). The package gathers the metadata such a report asks for (where and
when the content was found, its hashes, the ad's identifiers and the capture's integrity hashes) so the
supervisor can file it through the official channel. It never contains the image's bytes: Lantern did
not store them, and the report's recipient obtains the content under its own legal authority.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from lantern.instants import stated_iso
from lantern.security import audit
from lantern.store.schema import (
    csam_blocked_images,
    csam_hash_lists,
    csam_matches,
    images,
    record_revisions,
    records,
)

PACKAGE_VERSION = 1


class MatchNotFound(LookupError):
    """No CSAM match has that id."""


def build_report(engine: Engine, match_id: int, *, actor: dict[str, Any] | None = None) -> dict[str, Any]:
    """Assemble (and audit) the report package for one match; marks the match ``report_prepared``."""
    now = datetime.now(UTC)
    with audit.write_transaction(engine) as connection:
        match = (
            connection.execute(select(csam_matches).where(csam_matches.c.id == match_id)).mappings().first()
        )
        if match is None:
            raise MatchNotFound(f"no CSAM match {match_id}")
        blocked = (
            connection.execute(
                select(csam_blocked_images, csam_hash_lists.c.name.label("list_name"))
                .join(csam_hash_lists, csam_hash_lists.c.id == csam_blocked_images.c.list_id, isouter=True)
                .where(csam_blocked_images.c.sha256 == match["image_sha256"])
            )
            .mappings()
            .first()
        )
        meta = (
            connection.execute(select(images).where(images.c.sha256 == match["image_sha256"]))
            .mappings()
            .first()
        )
        record = (
            connection.execute(select(records).where(records.c.id == match["record_pk"])).mappings().first()
        )
        revision = None
        if record is not None:
            revision = (
                connection.execute(
                    select(
                        record_revisions.c.revision,
                        record_revisions.c.raw_sha256,
                        record_revisions.c.content_sha256,
                        record_revisions.c.collected_at,
                        record_revisions.c.ingested_at,
                        record_revisions.c.origin_file,
                        record_revisions.c.origin_line,
                    ).where(
                        record_revisions.c.record_pk == record["id"],
                        record_revisions.c.revision == match["revision"],
                    )
                )
                .mappings()
                .first()
            )
        extracted = (record or {}).get("extracted") or {}
        package = {
            "package": "lantern-csam-report",
            "version": PACKAGE_VERSION,
            "prepared_at": now.isoformat(),
            "match_id": match_id,
            "image_included": False,
            "note": "No image bytes: Lantern never stores, shows or exports material that matched a hash list.",
            "incident": {
                "type": "apparent child sexual abuse material (hash-list match)",
                "found_at": _iso(match["found_at"]),
                "hash_list": (blocked or {}).get("list_name"),
                "matched_hash_kind": (blocked or {}).get("hash_kind"),
                "matched_hash_value": (blocked or {}).get("matched_value"),
                "perceptual_distance": (blocked or {}).get("distance"),
            },
            "file": {
                "sha256": match["image_sha256"],
                "md5": (blocked or {}).get("md5"),
                "phash": (blocked or {}).get("phash"),
                "media_type": (meta or {}).get("media_type"),
                "width": (meta or {}).get("width"),
                "height": (meta or {}).get("height"),
                "size_bytes": (meta or {}).get("size_bytes"),
                "original_reference": match["original_ref"],
            },
            "location_online": {
                "source": match["source"],
                "record_id": match["record_id"],
                "url": (record or {}).get("url"),
                "posted_at": stated_iso(
                    (record or {}).get("posted_at"), (record or {}).get("posted_at_offset")
                ),
                "collected_at": stated_iso(
                    (record or {}).get("collected_at"), (record or {}).get("collected_at_offset")
                ),
                "stated_location": (record or {}).get("location"),
                "author": (record or {}).get("author"),
            },
            "identifiers_in_ad": {
                "phones": extracted.get("phones", []),
                "emails": extracted.get("emails", []),
                "handles": extracted.get("handles", []),
                "payments": extracted.get("payments", []),
                "urls": extracted.get("urls", []),
            },
            "capture_integrity": {
                "revision": match["revision"],
                "raw_sha256": (revision or {}).get("raw_sha256"),
                "content_sha256": (revision or {}).get("content_sha256"),
                "ingested_at": _iso((revision or {}).get("ingested_at")),
                "origin_file": (revision or {}).get("origin_file"),
                "origin_line": (revision or {}).get("origin_line"),
            },
            "reporter": {"organisation": None, "contact": None, "filled_by_supervisor": True},
        }
        connection.execute(
            csam_matches.update()
            .where(csam_matches.c.id == match_id)
            .values(status="report_prepared", report_prepared_at=now)
        )
        audit.append(
            connection,
            "csam.report",
            target=f"csam_match:{match_id}",
            detail={"image_sha256": match["image_sha256"], **(actor or {})},
        )
    return package


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
