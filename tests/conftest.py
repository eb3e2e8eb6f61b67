"""Shared fixtures: a fresh data folder per test and small fictional records and images."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from PIL import Image


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throw-away Lantern data folder, selected through the environment as a user would."""
    folder = tmp_path / "lantern-data"
    monkeypatch.setenv("LANTERN_DATA_DIR", str(folder))
    monkeypatch.delenv("LANTERN_DATABASE_URL", raising=False)
    return folder


def write_jsonl(path: Path, rows: list) -> Path:
    """Write rows as JSON lines; a ``str`` or ``bytes`` row is written as-is (for malformed lines)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        for row in rows:
            if isinstance(row, bytes):
                handle.write(row + b"\n")
            elif isinstance(row, str):
                handle.write(row.encode() + b"\n")
            else:
                handle.write(json.dumps(row).encode() + b"\n")
    return path


def make_image(path: Path, seed: int = 0, size: tuple[int, int] = (64, 64), fmt: str = "PNG") -> Path:
    """An abstract image (coloured blocks, no people), different for each seed."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    for _ in range(6):
        x0, y0 = rng.randrange(size[0] // 2), rng.randrange(size[1] // 2)
        box = (x0, y0, x0 + rng.randrange(8, size[0] // 2), y0 + rng.randrange(8, size[1] // 2))
        image.paste((rng.randrange(256), rng.randrange(256), rng.randrange(256)), box)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, fmt)
    return path


def ad(number: int, **fields) -> dict:
    """A neutral fictional ad; phone numbers only from the 555-01XX range reserved for fiction."""
    record = {
        "id": f"ad-{number}",
        "source": "example-classifieds",
        "kind": "ad",
        "url": f"https://classifieds.example.com/houston/ad-{number}",
        "posted_at": "2026-03-01T10:00:00Z",
        "collected_at": "2026-03-01T12:00:00Z",
        "title": f"New in town, friendly company {number}",
        "body": f"Call or text 713-555-01{number % 100:02d}. Available today.",
        "location": "Houston, TX",
    }
    record.update(fields)
    return record
