"""Find an uploaded picture among stored images: exact by SHA-256, near-duplicates by pHash distance.

All pHashes sit in one numpy ``uint64`` array, so a query is one XOR and one popcount over the whole
store (about a millisecond per million images) instead of a SQL scan. The array is rebuilt only when the
number of images changes, and that number is checked at most every few seconds.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import Connection

from lantern.extract import fingerprint_image
from lantern.store.schema import images

DEFAULT_MAX_DISTANCE = 10
MAX_MATCHES = 50
RECHECK_S = 5.0


class UnreadableImage(ValueError):
    """The upload is not an image Lantern accepts (wrong format, too big, a decompression bomb)."""


@dataclass(frozen=True, slots=True)
class Fingerprint:
    sha256: str
    phash: str


def fingerprint_upload(data: bytes, max_pixels: int) -> Fingerprint:
    """Hash an uploaded picture defensively: it is as hostile as any ad content."""
    sha256 = hashlib.sha256(data).hexdigest()
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                width, height = probe.size
                if width * height > max_pixels:
                    raise UnreadableImage(f"image is {width}x{height} pixels, over the limit")
                probe.verify()
            phash = fingerprint_image(data).phash
        except UnreadableImage:
            raise
        except Exception as error:  # Pillow raises many types for corrupt or hostile files
            raise UnreadableImage(f"not a readable image ({type(error).__name__})") from error
    return Fingerprint(sha256=sha256, phash=phash)


def _popcount(values: np.ndarray) -> np.ndarray:
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(values)
    table = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)
    return table[values.view(np.uint8).reshape(-1, 8)].sum(axis=1)


class PhashIndex:
    """The images table's pHashes in memory, refreshed when the table's size changes."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._shas: list[str] = []
        self._hashes = np.zeros(0, dtype=np.uint64)
        self._count = -1
        self._checked = 0.0

    def _refresh(self, connection: Connection) -> None:
        """Reload when the images table's size changed; uses the caller's connection so a request never
        needs a second pooled connection (which deadlocks a busy pool)."""
        now = time.monotonic()
        if now - self._checked < RECHECK_S and self._count >= 0:
            return
        with self._lock:
            if time.monotonic() - self._checked < RECHECK_S and self._count >= 0:
                return
            count = connection.execute(select(func.count()).select_from(images)).scalar_one()
            if count != self._count:
                rows = connection.execute(
                    select(images.c.sha256, images.c.phash).where(images.c.phash.is_not(None))
                ).all()
                shas, values = [], []
                for sha, phash in rows:
                    try:
                        values.append(int(phash, 16))
                    except (TypeError, ValueError):
                        continue
                    shas.append(sha)
                self._shas = shas
                self._hashes = np.array(values, dtype=np.uint64)
                self._count = count
            self._checked = time.monotonic()

    @property
    def size(self) -> int:
        return len(self._shas)

    def nearest(
        self, connection: Connection, phash: str, max_distance: int = DEFAULT_MAX_DISTANCE
    ) -> list[tuple[str, int]]:
        """Stored images within ``max_distance`` bits of ``phash``, closest first."""
        self._refresh(connection)
        hashes, shas = self._hashes, self._shas
        if not len(hashes):
            return []
        distances = _popcount(np.bitwise_xor(hashes, np.uint64(int(phash, 16))))
        hits = np.flatnonzero(distances <= max_distance)
        if len(hits) > MAX_MATCHES:
            hits = hits[np.argpartition(distances[hits], MAX_MATCHES)[:MAX_MATCHES]]
        order = hits[np.argsort(distances[hits], kind="stable")]
        return [(shas[i], int(distances[i])) for i in order]


def search_image(connection: Connection, index: PhashIndex, fingerprint: Fingerprint, max_distance: int):
    """Exact and near-duplicate stored images for an uploaded picture, with the records using them."""
    from lantern.web.models import ImageMatch, ImageSearchResponse
    from lantern.web.views.images import image_info, image_rows, records_using_images

    near = index.nearest(connection, fingerprint.phash, max_distance)
    distances = dict(near)
    if fingerprint.sha256 not in distances and image_info(connection, fingerprint.sha256):
        distances = {fingerprint.sha256: 0, **distances}
    shas = list(distances)
    infos = image_rows(connection, shas)
    uses = records_using_images(connection, [s for s in shas if s in infos])
    matches = []
    for sha in shas:
        info = infos.get(sha)
        if info is None:
            continue
        summaries, count = uses.get(sha, ([], 0))
        matches.append(
            ImageMatch(
                image=info,
                distance=distances[sha],
                exact=sha == fingerprint.sha256,
                records=summaries,
                record_count=count,
            )
        )
    matches.sort(key=lambda m: (not m.exact, m.distance))
    return ImageSearchResponse(
        sha256=fingerprint.sha256,
        phash=fingerprint.phash,
        max_distance=max_distance,
        images_indexed=index.size,
        matches=matches,
    )
