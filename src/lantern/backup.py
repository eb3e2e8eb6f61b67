"""``lantern backup OUT`` and ``lantern restore OUT``: a consistent copy of a Lantern installation.

A backup is a folder:

* ``database.sqlite`` — SQLite's online backup of the store (a consistent snapshot while others read and
  write), or ``database.pgdump`` — ``pg_dump --format=custom`` of the PostgreSQL database (one snapshot
  transaction);
* ``data/`` — everything else in the data folder: the content-addressed images (each checked against its
  SHA-256 name as it is copied), the linker's state, the watch state, crawl captures, site rules;
* ``manifest.json`` — the format, the schema revision, the database kind, and the size and SHA-256 of every
  file; its own SHA-256 is printed, to be kept apart from the backup (as ``lantern audit anchor``'s is).

Restore checks every hash before writing anything, and only into an empty data folder and an empty
database: it never merges into or overwrites a store. A backup from an older schema restores as it was;
``lantern db upgrade`` then moves it on. The store is copied first and the files after: images are
write-once and named by their hash, so every image the copied store names is in the copy.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import URL

from lantern.config import Settings
from lantern.files import private_folder
from lantern.store.db import current_revision, make_engine
from lantern.store.urls import parse_url

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_COPY = "database.sqlite"
PG_DUMP = "database.pgdump"
DATA = "data"
SKIPPED = {"lantern.db", "lantern.db-wal", "lantern.db-shm", "lantern.db-journal"}
"""Files of the SQLite store itself (copied through the backup API, never byte by byte)."""
CHUNK = 1 << 20


class BackupError(RuntimeError):
    """The backup cannot be written or restored; the message says why in one line."""


@dataclass
class BackupSummary:
    folder: Path
    database: str
    schema: str | None
    files: int
    bytes: int
    manifest_sha256: str

    def line(self) -> str:
        return (
            f"backed up the {self.database} store (schema {self.schema}) and {self.files} files "
            f"({self.bytes:,} bytes) to {self.folder}; manifest SHA-256 {self.manifest_sha256}"
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _copy(source: Path, target: Path) -> tuple[int, str]:
    """Copy one file, returning its size and SHA-256 (read once)."""
    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as reader, target.open("wb") as writer:
        while block := reader.read(CHUNK):
            digest.update(block)
            writer.write(block)
            size += len(block)
    shutil.copystat(source, target)
    return size, digest.hexdigest()


def _empty_folder(folder: Path, what: str) -> None:
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{what} {folder} is not empty; choose an empty or new folder")


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def postgres_tool(name: str) -> str:
    """``pg_dump`` or ``pg_restore``: from PATH, else Debian's newest ``/usr/lib/postgresql/*/bin``."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    if not candidates:
        raise BackupError(f"{name} not found: install PostgreSQL's client tools (Debian: postgresql-client)")
    return candidates[-1]


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment carrying the password and
    TLS settings (never on the command line, where ``ps`` shows it)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    names = {
        "sslmode": "PGSSLMODE",
        "sslrootcert": "PGSSLROOTCERT",
        "sslcert": "PGSSLCERT",
        "sslkey": "PGSSLKEY",
    }
    for key, variable in names.items():
        value = url.query.get(key)
        if isinstance(value, str):
            env[variable] = value
    target = url.set(drivername="postgresql", password=None, query={})
    return target.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise BackupError(f"{what} failed: {last}")


def backup(
    settings: Settings, out: Path, *, on_file: Callable[[Path], None] = lambda path: None
) -> BackupSummary:
    """Write a backup of ``settings``' store and data folder into the new or empty folder ``out``."""
    _empty_folder(out, "backup folder")
    private_folder(out)
    url = parse_url(settings.database_url)
    engine = make_engine(settings.database_url)
    schema = current_revision(engine)
    engine.dispose()
    files: list[dict[str, Any]] = []
    if url.get_backend_name() == "sqlite":
        kind = "sqlite"
        source = sqlite3.connect(_sqlite_path(url))
        target = sqlite3.connect(out / SQLITE_COPY)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        database_file = SQLITE_COPY
    else:
        kind = "postgresql"
        dsn, env = _libpq(url)
        _run([postgres_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              f"--file={out / PG_DUMP}", f"--dbname={dsn}"], env, "pg_dump")  # fmt: skip
        database_file = PG_DUMP
    database = out / database_file
    files.append({"path": database_file, "bytes": database.stat().st_size, "sha256": _sha256(database)})
    total = files[0]["bytes"]
    data = settings.data_dir
    if data.exists():
        for path in sorted(p for p in data.rglob("*") if p.is_file()):
            relative = path.relative_to(data)
            if (len(relative.parts) == 1 and path.name in SKIPPED) or any(
                part.startswith(".") for part in relative.parts
            ):
                continue  # the SQLite store (copied above) and temporary files
            size, digest = _copy(path, out / DATA / relative)
            if relative.parts[0] == "images" and path.name != digest:
                raise BackupError(
                    f"image {relative} does not match its SHA-256 name: the image store is damaged"
                )
            files.append({"path": f"{DATA}/{relative.as_posix()}", "bytes": size, "sha256": digest})
            total += size
            on_file(relative)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "lantern": _version(),
        "database": kind,
        "schema": schema,
        "files": files,
    }
    text = json.dumps(manifest, indent=1, sort_keys=True).encode()
    (out / MANIFEST).write_bytes(text)
    return BackupSummary(out, kind, schema, len(files) - 1, total, hashlib.sha256(text).hexdigest())


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("lantern-ht")
    except PackageNotFoundError:
        return "unknown"


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a backup, every file's size and hash checked; BackupError naming the first bad one."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{folder} holds no {MANIFEST}: not a Lantern backup") from None
    except ValueError as error:
        raise BackupError(f"{folder / MANIFEST}: not valid JSON ({error})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"{folder / MANIFEST}: backup format {manifest.get('format')!r}, this Lantern reads {FORMAT}"
        )
    for entry in manifest["files"]:
        path = folder / entry["path"]
        if ".." in Path(entry["path"]).parts or Path(entry["path"]).is_absolute():
            raise BackupError(f"{MANIFEST} names a file outside the backup: {entry['path']!r}")
        if not path.is_file():
            raise BackupError(f"{entry['path']}: missing from the backup")
        if path.stat().st_size != entry["bytes"] or _sha256(path) != entry["sha256"]:
            raise BackupError(f"{entry['path']}: does not match the manifest (changed or damaged)")
    return manifest


def restore(settings: Settings, folder: Path) -> dict[str, Any]:
    """Bring a backup back into ``settings``' empty data folder and empty database; returns the manifest."""
    manifest = read_manifest(folder)
    url = parse_url(settings.database_url)
    kind = "sqlite" if url.get_backend_name() == "sqlite" else "postgresql"
    if manifest["database"] != kind:
        raise BackupError(f"the backup holds a {manifest['database']} store and database_url names {kind}")
    _empty_folder(settings.data_dir, "data folder")
    if kind == "sqlite":
        target = _sqlite_path(url)
        if target.exists():
            raise BackupError(f"{target} exists; restore only into a new store")
    else:
        engine = make_engine(settings.database_url)
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
        engine.dispose()
        if tables:
            raise BackupError(
                "the PostgreSQL database is not empty; create a new one (createdb) to restore into"
            )
    private_folder(settings.data_dir)
    for entry in manifest["files"]:
        relative = Path(entry["path"])
        if relative.parts[0] == DATA:
            _copy(folder / relative, settings.data_dir.joinpath(*relative.parts[1:]))
    if kind == "sqlite":
        private_folder(target.parent)
        _copy(folder / SQLITE_COPY, target)
    else:
        dsn, env = _libpq(url)
        _run([postgres_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", f"--dbname={dsn}", str(folder / PG_DUMP)], env, "pg_restore")  # fmt: skip
    return manifest
