"""The kinds of evidence that link records: shared identifiers, near-duplicate images, template text."""

from lantern.link.evidence.base import Evidence
from lantern.link.evidence.identifiers import IdentifierEvidence
from lantern.link.evidence.images import ImageEvidence
from lantern.link.evidence.text import TextEvidence

__all__ = ["Evidence", "IdentifierEvidence", "ImageEvidence", "TextEvidence"]
