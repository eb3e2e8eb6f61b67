"""Image fingerprints: SHA-256 for exact identity (evidence) and a perceptual hash for near-duplicates.

The ingest stage decides which files are images and guards against decompression bombs; this module
still opens images defensively (Pillow's own bomb limit stays on, and the image is fully loaded inside a
context manager so no file handle or partial decode escapes).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import imagehash
from PIL import Image


@dataclass(frozen=True, slots=True)
class ImageFingerprint:
    """Hashes and size of one image; ``phash`` is 16 hex characters (64-bit DCT hash)."""

    sha256: str
    phash: str
    width: int
    height: int


def fingerprint_image(data: bytes) -> ImageFingerprint:
    """Hash image bytes already validated by ingest; raises ``PIL.UnidentifiedImageError`` if unreadable."""
    sha = hashlib.sha256(data).hexdigest()
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        width, height = img.size
        frame = img.convert("RGB") if img.mode not in ("RGB", "L") else img
        phash = str(imagehash.phash(frame))
    return ImageFingerprint(sha256=sha, phash=phash, width=width, height=height)
