"""Turn character spans and search markers into highlighted HTML without ever trusting the text.

Ad text is hostile, so HTML is never built by inserting tags into the text and escaping afterwards
(that breaks on ``<`` inside a span, and marker characters the ad itself contains). Instead the text is
cut into segments at every span boundary, each segment is escaped on its own, and only our constant
tags are added around the escaped pieces.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

# Markers the full-text engine puts around matches. Control characters rather than ``[`` ``]`` so that
# brackets typed in an ad are not mistaken for highlights.
MARK_OPEN = "\x02"
MARK_CLOSE = "\x03"


@dataclass(frozen=True, slots=True)
class Annotation:
    """A span of a field with what it is (``css``) and why it matters (``label``)."""

    start: int
    end: int
    css: str
    label: str


@dataclass(slots=True)
class Segment:
    """A run of text covered by the same annotations (none for plain text)."""

    text: str
    css: tuple[str, ...] = ()
    labels: tuple[str, ...] = field(default_factory=tuple)

    @property
    def marked(self) -> bool:
        return bool(self.css)


def clamp_span(span: object, length: int) -> tuple[int, int] | None:
    """A valid ``(start, end)`` within ``length``, or None for a malformed span (stored JSON is data too)."""
    if not isinstance(span, (list, tuple)) or len(span) != 2:
        return None
    start, end = span
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool):
        return None
    start, end = max(0, start), min(length, end)
    return (start, end) if start < end else None


def split_by_annotations(text: str, annotations: Iterable[Annotation]) -> list[Segment]:
    """Cut ``text`` at every annotation boundary; overlapping annotations share the inner segments."""
    spans = [a for a in annotations if 0 <= a.start < a.end <= len(text)]
    if not spans:
        return [Segment(text)] if text else []
    cuts = sorted({0, len(text), *(a.start for a in spans), *(a.end for a in spans)})
    segments: list[Segment] = []
    for left, right in itertools.pairwise(cuts):
        covering = [a for a in spans if a.start <= left and right <= a.end]
        css = tuple(dict.fromkeys(a.css for a in covering))
        labels = tuple(dict.fromkeys(a.label for a in covering))
        piece = text[left:right]
        if segments and segments[-1].css == css and segments[-1].labels == labels:
            segments[-1].text += piece
        else:
            segments.append(Segment(piece, css, labels))
    return segments


def split_markers(text: str, open_marker: str = MARK_OPEN, close_marker: str = MARK_CLOSE) -> list[Segment]:
    """Segments of a search-engine snippet; unbalanced or nested markers never leak into the output."""
    segments: list[Segment] = []
    buffer: list[str] = []
    inside = False
    for char in text:
        if char in (open_marker, close_marker):
            if buffer:
                segments.append(Segment("".join(buffer), ("match",) if inside else ()))
                buffer = []
            inside = char == open_marker
            continue
        buffer.append(char)
    if buffer:
        segments.append(Segment("".join(buffer), ("match",) if inside else ()))
    return segments


def render_segments(segments: Sequence[Segment]) -> Markup:
    """HTML for segments: each piece escaped on its own; ``<mark>`` only around annotated pieces."""
    parts: list[str] = []
    for segment in segments:
        body = escape(segment.text)
        if not segment.marked:
            parts.append(body)
            continue
        classes = " ".join(f"hl-{c}" for c in segment.css)
        title = escape("; ".join(segment.labels)) if segment.labels else ""
        title_attr = f' title="{title}"' if title else ""
        parts.append(f'<mark class="{escape(classes)}"{title_attr}>{body}</mark>')
    return Markup("".join(parts))


def render_snippet(text: str) -> Markup:
    """A full-text snippet with the engine's markers shown as ``<mark>``, escaped first."""
    return render_segments(split_markers(text))


def render_annotated(text: str, annotations: Iterable[Annotation]) -> Markup:
    """A whole field with entity and indicator spans highlighted and explained on hover."""
    return render_segments(split_by_annotations(text, annotations))


def window(text: str, start: int, end: int, radius: int = 80) -> tuple[str, int, int]:
    """A piece of ``text`` around ``[start, end)``, and the span's offsets inside that piece."""
    left = max(0, start - radius)
    right = min(len(text), end + radius)
    prefix = "…" if left > 0 else ""
    suffix = "…" if right < len(text) else ""
    piece = prefix + text[left:right] + suffix
    return piece, start - left + len(prefix), end - left + len(prefix)


def plain_marks(segments: Sequence[Segment]) -> tuple[str, list[tuple[int, int]]]:
    """The text of segments and the offsets of the marked ones, for the JSON API."""
    text_parts: list[str] = []
    marks: list[tuple[int, int]] = []
    position = 0
    for segment in segments:
        if segment.marked:
            marks.append((position, position + len(segment.text)))
        text_parts.append(segment.text)
        position += len(segment.text)
    return "".join(text_parts), marks


# ------------------------------------------------------------------------------------- plain snippets

_TOKEN = re.compile(r"<[^<>]{0,2000}>|&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?|\s+")
_BLOCK_TAG = re.compile(
    r"</?(?:p|br|div|li|ul|ol|tr|td|th|table|h[1-6]|hr|section|article|header|footer|blockquote|pre|dd|dt)\b",
    re.IGNORECASE,
)


def plain_text(raw: str) -> tuple[str, list[int]]:
    """Ad HTML as plain text (tags dropped, entities decoded, whitespace collapsed), with offsets.

    ``positions[i]`` is where raw character ``i`` lands in the plain text (``positions[len(raw)]`` is its
    length), so spans found in the raw field can be shown in the plain snippet. The result is text, not
    HTML: it is escaped again when rendered.
    """
    out: list[str] = []
    positions = [0] * (len(raw) + 1)
    length = 0
    cursor = 0

    def emit(piece: str) -> None:
        nonlocal length
        if piece == " " and (not out or out[-1].endswith(" ")):
            return
        out.append(piece)
        length += len(piece)

    def emit_run(start: int, end: int) -> None:
        # Text between tokens holds no whitespace, so it is kept whole, one offset per character
        # (a character at a time, this was most of a phone search's time).
        nonlocal length
        if start < end:
            positions[start:end] = range(length, length + end - start)
            out.append(raw[start:end])
            length += end - start

    for match in _TOKEN.finditer(raw):
        emit_run(cursor, match.start())
        positions[match.start() : match.end()] = [length] * (match.end() - match.start())
        token = match.group()
        if token.startswith("<"):
            if _BLOCK_TAG.match(token):
                emit(" ")
        elif token[0].isspace():
            emit(" ")
        else:
            decoded = html.unescape(token)
            emit(" " if decoded.isspace() else decoded)
        cursor = match.end()
    emit_run(cursor, len(raw))
    positions[len(raw)] = length
    return "".join(out), positions


def plain(raw: str) -> str:
    """Plain text of ad HTML, trimmed (for list snippets)."""
    return plain_text(raw)[0].strip()


def plain_segments(segments: Sequence[Segment], cut: bool = False) -> list[Segment]:
    """A search-engine snippet's segments as plain text. When the engine cut the snippet (``cut``), a
    tag it cut in half at either end is dropped too."""
    pieces = [Segment(s.text, s.css, s.labels) for s in segments]
    if cut and pieces:
        first = pieces[0].text
        close = first.find(">")
        if close >= 0 and "<" not in first[:close]:
            pieces[0].text = first[close + 1 :]
        last = pieces[-1].text
        opening = last.rfind("<")
        if opening >= 0 and ">" not in last[opening:]:
            pieces[-1].text = last[:opening]
    out: list[Segment] = []
    for piece in pieces:
        text_value = plain_text(piece.text)[0]
        if text_value:
            out.append(Segment(text_value, piece.css, piece.labels))
    if out:
        out[0].text = out[0].text.lstrip()
        out[-1].text = out[-1].text.rstrip()
    return [s for s in out if s.text]
