"""The linker's input: one small, flat record per ad, filled by the core from the store.

The linker never reads the store or the raw record; it sees only what links records (contacts, image
hashes, text) and what summaries need (source, time, city, names). Keeping the input this narrow lets the
same code run in the CLI, in tests and inside a batch job.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class LinkDoc:
    """One record as the linker sees it.

    ``slots=True`` keeps the per-instance cost low: the core may build a million of these.
    """

    key: str
    """``source:id``, the record's identity."""
    source: str
    posted_at: str | None = None
    """ISO 8601; records without a time sort after all timed ones."""
    city: str | None = None
    """First geocoded place name, or the location field as written."""
    phones: list[str] = field(default_factory=list)
    """E.164 strings, as extraction normalised them."""
    emails: list[str] = field(default_factory=list)
    handles: list[str] = field(default_factory=list)
    """``platform:handle``."""
    payments: list[str] = field(default_factory=list)
    """``platform:handle`` or ``bitcoin:address``."""
    names: list[str] = field(default_factory=list)
    """Shown in summaries; never linking evidence (common first names would join strangers)."""
    image_phashes: list[str] = field(default_factory=list)
    """64-bit perceptual hashes as 16 hex characters (imagehash ``str(phash)``)."""
    image_sha256: list[str] = field(default_factory=list)
    text: str = ""
    """Title and body as plain text."""

    @property
    def record_id(self) -> str:
        """The record's ``id`` within its source (the key without the ``source:`` prefix)."""
        prefix = self.source + ":"
        return self.key[len(prefix) :] if self.key.startswith(prefix) else self.key
