"""Preserving a record's images: confine paths, refuse non-images and decompression bombs, store by SHA-256.

Image paths come from adversarial records, so a path may only point inside the record file's folder
(or a configured image root); nothing named by a URL is fetched. Accepted files are copied verbatim into
a content-addressed store so the bytes an investigator sees are the bytes that were collected.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PIL import Image

from lantern.ingest.parse import Problem

if TYPE_CHECKING:
    from lantern.csam.blocklist import Blocklist, BlockMatch

ALLOWED_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
}


@dataclass(slots=True, frozen=True)
class StoredImage:
    """An image accepted into the store, as the ingest needs to record it."""

    sha256: str
    media_type: str
    width: int
    height: int
    size_bytes: int
    phash: str | None
    original_ref: str
    md5: str = ""
    # Set when the image is on a loaded CSAM hash list: its bytes were not stored (docs/csam.md).
    blocked: BlockMatch | None = None


def is_remote(ref: str) -> bool:
    """References with a URL scheme are kept as text only: Lantern never fetches what an ad names."""
    scheme = urlsplit(ref).scheme
    return len(scheme) > 1  # one letter is a Windows drive, not a scheme


def store_path(images_dir: Path, sha256: str) -> Path:
    return images_dir / sha256[:2] / sha256[2:4] / sha256


def _confine(ref: str, base_dir: Path, roots: tuple[Path, ...]) -> Path | Problem:
    if "\x00" in ref:
        return Problem("images", f"image path contains a NUL byte: {ref[:80]!r}")
    candidate = (base_dir / ref).resolve()
    for root in (base_dir.resolve(), *roots):
        if candidate == root or root in candidate.parents:
            return candidate
    return Problem("images", f"image path escapes the record's folder: {ref[:200]!r}")


class ImagePreserver:
    """Validates and stores images, remembering files already handled in this run.

    The cache is keyed by resolved path, size and modification time, because one photo file is often
    referenced by hundreds of records and must not be decoded hundreds of times. With no ``images_dir``
    it only validates and fingerprints (``lantern extract`` writes nothing).
    """

    def __init__(
        self,
        images_dir: Path | None,
        *,
        max_bytes: int,
        max_pixels: int,
        roots: tuple[Path, ...] = (),
        blocklist: Blocklist | None = None,
    ):
        self.images_dir = images_dir
        self.blocklist = blocklist
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self.roots = roots
        self._cache: dict[tuple[str, int, int], StoredImage | Problem] = {}

    def preserve(self, ref: str, base_dir: Path) -> StoredImage | Problem | None:
        """Store one referenced image; None for a remote reference that is deliberately not fetched."""
        if is_remote(ref):
            return None
        path = _confine(ref, base_dir, self.roots)
        if isinstance(path, Problem):
            return path
        try:
            stat = path.stat()
        except OSError as error:
            return Problem("images", f"image {ref!r} cannot be read: {error.strerror or error}")
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        if key not in self._cache:
            self._cache[key] = self._load(path, ref, stat.st_size)
        cached = self._cache[key]
        if isinstance(cached, StoredImage) and cached.original_ref != ref:
            return replace(cached, original_ref=ref)
        return cached

    def _load(self, path: Path, ref: str, size: int) -> StoredImage | Problem:
        if not path.is_file():
            return Problem("images", f"image {ref!r} is not a file")
        if size > self.max_bytes:
            return Problem("images", f"image {ref!r} is {size} bytes, over the {self.max_bytes}-byte limit")
        try:
            data = path.read_bytes()
        except OSError as error:
            return Problem("images", f"image {ref!r} cannot be read: {error.strerror or error}")
        sha256 = hashlib.sha256(data).hexdigest()
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        checked = self._check_image(data, ref)
        if self.blocklist:
            # Checked before anything is written: a listed image's bytes never reach the store, even
            # when the file cannot be decoded (then only the exact hashes can match).
            phash = None if isinstance(checked, Problem) else checked[3]
            match = self.blocklist.match(sha256, md5, phash)
            if match is not None:
                if isinstance(checked, Problem):
                    checked = ("application/octet-stream", 0, 0, None)
                media_type, width, height, phash = checked
                return StoredImage(sha256, media_type, width, height, len(data), phash, ref, md5, match)
        if isinstance(checked, Problem):
            return checked
        media_type, width, height, phash = checked
        self._write(sha256, data)
        return StoredImage(sha256, media_type, width, height, len(data), phash, ref, md5)

    def _check_image(self, data: bytes, ref: str) -> tuple[str, int, int, str | None] | Problem:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                with Image.open(io.BytesIO(data)) as probe:
                    media_type = ALLOWED_FORMATS.get(probe.format or "")
                    if media_type is None:
                        return Problem("images", f"image {ref!r} is of unsupported format {probe.format}")
                    width, height = probe.size
                    if width * height > self.max_pixels:
                        return Problem(
                            "images",
                            f"image {ref!r} is a decompression bomb ({width}x{height} pixels, "
                            f"limit {self.max_pixels:,})",
                        )
                    probe.verify()
                phash = _perceptual_hash(data)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                return Problem("images", f"image {ref!r} is a decompression bomb")
            except Exception as error:  # Pillow raises many types for corrupt files
                return Problem("images", f"image {ref!r} is not a readable image: {type(error).__name__}")
        return media_type, width, height, phash

    def _write(self, sha256: str, data: bytes) -> None:
        if self.images_dir is None:
            return
        target = store_path(self.images_dir, sha256)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{sha256}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)


def _perceptual_hash(data: bytes) -> str | None:
    from lantern.extract import fingerprint_image

    return fingerprint_image(data).phash
