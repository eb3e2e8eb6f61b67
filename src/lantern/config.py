"""Settings from ``LANTERN_*`` environment variables and an optional TOML file.

Environment wins over the file so that one deployment file can serve several shells and tests can
point a run at a throw-away data folder without editing anything.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Where Lantern keeps its data and how it reads records."""

    data_dir: Path
    database_url: str
    default_region: str = "US"
    batch_size: int = 2000
    ingest_workers: int = 0  # processes reading records at ingest; 0 lets `lantern ingest` choose
    quarantine_limit: int = 10_000  # records quarantined in a row after which a file is read no further
    max_image_bytes: int = 50 * 1024 * 1024
    max_image_pixels: int = 64_000_000
    image_roots: tuple[Path, ...] = field(default_factory=tuple)
    # Alerts (issue 9): SMTP for e-mail delivery, the pHash distance for watched images and CSAM lists.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "lantern@localhost"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    base_url: str | None = None
    webhook_timeout_s: float = 10.0
    watch_phash_distance: int = 8
    csam_phash_distance: int = 6

    @property
    def images_dir(self) -> Path:
        """Content-addressed image store: ``images/ab/cd/<sha256>``."""
        return self.data_dir / "images"


def _from_toml(path: Path | None) -> dict:
    if path is None or not path.exists():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle).get("lantern", {})


def load_settings(data_dir: str | Path | None = None, database_url: str | None = None) -> Settings:
    """Resolve settings: explicit arguments, then ``LANTERN_*`` variables, then the TOML file."""
    config_file = os.environ.get("LANTERN_CONFIG")
    file_values = _from_toml(Path(config_file) if config_file else None)
    chosen_dir = Path(
        data_dir or os.environ.get("LANTERN_DATA_DIR") or file_values.get("data_dir") or "./lantern-data"
    ).resolve()
    url = (
        database_url
        or os.environ.get("LANTERN_DATABASE_URL")
        or file_values.get("database_url")
        or f"sqlite:///{chosen_dir / 'lantern.db'}"
    )
    roots = os.environ.get("LANTERN_IMAGE_ROOTS") or file_values.get("image_roots") or ""
    if isinstance(roots, str):
        roots = [r for r in roots.split(os.pathsep) if r]
    return Settings(
        data_dir=chosen_dir,
        database_url=url,
        default_region=os.environ.get("LANTERN_DEFAULT_REGION") or file_values.get("default_region", "US"),
        batch_size=int(os.environ.get("LANTERN_BATCH_SIZE") or file_values.get("batch_size", 2000)),
        ingest_workers=int(os.environ.get("LANTERN_INGEST_WORKERS") or file_values.get("ingest_workers", 0)),
        quarantine_limit=int(
            os.environ.get("LANTERN_QUARANTINE_LIMIT") or file_values.get("quarantine_limit", 10_000)
        ),
        image_roots=tuple(Path(r).resolve() for r in roots),
        **_alert_settings(file_values),
    )


def _alert_settings(file_values: dict) -> dict:
    """SMTP and matching settings: ``LANTERN_SMTP_HOST`` etc., or ``smtp_host`` etc. in the file."""

    def value(name: str, default=None):
        return os.environ.get(f"LANTERN_{name.upper()}") or file_values.get(name, default)

    return {
        "smtp_host": value("smtp_host"),
        "smtp_port": int(value("smtp_port", 25)),
        "smtp_from": value("smtp_from", "lantern@localhost"),
        "smtp_user": value("smtp_user"),
        "smtp_password": value("smtp_password"),
        "smtp_starttls": str(value("smtp_starttls", "")).lower() in ("1", "true", "yes"),
        "base_url": value("base_url"),
        "webhook_timeout_s": float(value("webhook_timeout_s", 10.0)),
        "watch_phash_distance": int(value("watch_phash_distance", 8)),
        "csam_phash_distance": int(value("csam_phash_distance", 6)),
    }
