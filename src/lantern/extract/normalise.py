"""Unicode de-obfuscation with an offset map back to the original text (INDICATORS.md §4.3 steps 1-2).

Every extracted fact must point at the characters an investigator can show in the original ad, so the
normaliser never rewrites text blindly: it records, for each stretch of normalised text, where it came
from, and a trace of which de-obfuscation steps fired where. The trace is evidence in its own right (an
obscured phone number is a validated indicator), so each step has a stable name.

Only the Unicode stage lives here. The lexical stage (number words, letter lookalikes) is contextual and
belongs to the phone tokenizer, which reads this module's output.

Case is preserved (EIP-55 checksums and names need it). Case-insensitive matchers run on ``fold_case``'s
copy, which has the same length, so their spans index the normalised text unchanged; ``re.IGNORECASE``
is several times slower on the same patterns.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache
from typing import Final

ZERO_WIDTH: Final = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\u2064")
"""Invisible characters inserted to break up numbers and words; removed and traced as ``zero_width``."""

VARIATION_SELECTORS: Final = frozenset("\ufe0e\ufe0f")
"""Emoji presentation selectors: removed silently, since ordinary emoji carry them."""

KEYCAP: Final = "\u20e3"

# Small confusables table (Unicode TR39 skeletons for the letters that matter: ones that stand in for
# Latin letters in number words and for digits). Applied only next to ASCII letters or digits so that
# genuine Cyrillic or Greek text is left alone.
CONFUSABLES: Final = {
    "о": "o", "О": "O", "ο": "o", "Ο": "O", "а": "a", "А": "A", "е": "e", "Е": "E", "і": "i",
    "І": "I", "ӏ": "l", "Ι": "I", "ι": "i", "ѕ": "s", "Ѕ": "S", "с": "c", "С": "C", "р": "p",
    "Р": "P", "х": "x", "Х": "X", "у": "y", "Т": "T", "Н": "H", "К": "K", "М": "M", "В": "B",
    "ν": "v", "Ζ": "Z", "Β": "B", "Ε": "E", "Η": "H", "Κ": "K", "Μ": "M", "Ν": "N", "Τ": "T",
    "Χ": "X", "Υ": "Y", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ɡ": "g", "ı": "i",
}  # fmt: skip

_NON_ASCII: Final = re.compile(r"[^\x00-\x7f]+")


class TraceStep:
    """One de-obfuscation step that fired: its name and the normalised span it produced.

    The extractor's per-mention classes are plain classes, not dataclasses: compiled, their constructors
    are native, while a dataclass ``__init__`` stays interpreted Python (mypyc issue 817)."""

    __slots__ = ("end", "start", "step")

    def __init__(self, step: str, start: int, end: int) -> None:
        self.step = step
        self.start = start
        self.end = end

    def __repr__(self) -> str:
        return f"TraceStep({self.step!r}, {self.start}, {self.end})"


class Normalised:
    """Normalised text plus a piecewise map back to the original.

    The map is a list of segments sorted by normalised start. A *linear* segment copies characters one
    for one (offsets shift by a constant); a replacement segment maps every normalised character in it to
    the whole original span it replaced. Identity text (pure ASCII) has a single linear segment, so the
    common case costs nothing.
    """

    __slots__ = (
        "_linear",
        "_norm_starts",
        "_orig_ends",
        "_orig_starts",
        "_trace_starts",
        "original",
        "text",
        "trace",
    )  # fmt: skip

    def __init__(
        self,
        original: str,
        text: str,
        trace: list[TraceStep] | None = None,
        norm_starts: list[int] | None = None,
        orig_starts: list[int] | None = None,
        orig_ends: list[int] | None = None,
        linear: list[bool] | None = None,
    ) -> None:
        self.original = original
        self.text = text
        self.trace: list[TraceStep] = trace or []
        self._norm_starts: list[int] = norm_starts or []
        self._orig_starts: list[int] = orig_starts or []
        self._orig_ends: list[int] = orig_ends or []
        self._linear: list[bool] = linear or []
        self._trace_starts: list[int] = []

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised ``[start, end)`` span to the original text's ``[start, end)``."""
        if not self._norm_starts:
            return start, end
        return self._orig_pos(start, is_end=False), self._orig_pos(end, is_end=True)

    def _orig_pos(self, pos: int, *, is_end: bool) -> int:
        probe = pos - 1 if is_end else pos
        if probe < 0:
            return 0
        i = bisect_right(self._norm_starts, probe) - 1
        if i < 0:
            return 0
        if self._linear[i]:
            return self._orig_starts[i] + (pos - self._norm_starts[i])
        return self._orig_ends[i] if is_end else self._orig_starts[i]

    def steps_in(self, start: int, end: int) -> set[str]:
        """Names of trace steps whose output overlaps the normalised span ``[start, end)``.

        Zero-width removals have an empty output span at the removal point; they count when the point
        lies strictly inside the span (a zero-width character before or after a number is not hiding it).
        """
        found: set[str] = set()
        if not self.trace:
            return found
        if len(self._trace_starts) != len(self.trace):
            self._trace_starts = [t.start for t in self.trace]
        # Trace steps are appended in text order and never longer than a few characters (an NFKC
        # expansion), so only steps starting shortly before ``start`` can reach into the span.
        lo = bisect_right(self._trace_starts, start - 16)
        hi = bisect_right(self._trace_starts, end)
        for step in self.trace[lo:hi]:
            if step.start == step.end:
                if start < step.start < end:
                    found.add(step.step)
            elif step.start < end and step.end > start:
                found.add(step.step)
        return found


@lru_cache(maxsize=4096)
def _classify(ch: str) -> tuple[str, str]:
    """Replacement text and trace step for one non-ASCII character ('' step: no change)."""
    if ch in ZERO_WIDTH:
        return "", "zero_width"
    if ch in VARIATION_SELECTORS:
        return "", ""
    code = ord(ch)
    if 0xFF10 <= code <= 0xFF19:
        return chr(code - 0xFF10 + 48), "fullwidth"
    if 0x1D7CE <= code <= 0x1D7FF:
        return str((code - 0x1D7CE) % 10), "mathematical"
    if ch == "🔟":
        return "10", "keycap_emoji"
    name = unicodedata.name(ch, "")
    value = unicodedata.digit(ch, None)
    if value is not None:
        if "CIRCLED" in name or "PARENTHESIZED" in name or "DINGBAT" in name:
            step = "circled"
        elif "SUPERSCRIPT" in name or "SUBSCRIPT" in name:
            step = "superscript"
        elif "FULLWIDTH" in name:
            step = "fullwidth"
        elif "MATHEMATICAL" in name:
            step = "mathematical"
        else:
            step = "unicode_digits"
        nfkc = unicodedata.normalize("NFKC", ch)
        if nfkc.isascii() and nfkc.strip("()."):
            return nfkc, step
        return str(value), step
    if ch in CONFUSABLES:
        return CONFUSABLES[ch], "confusable"
    nfkc = unicodedata.normalize("NFKC", ch)
    if nfkc != ch:
        if "FULLWIDTH" in name:
            return nfkc, "fullwidth"
        if "MATHEMATICAL" in name:
            return nfkc, "mathematical"
        if "CIRCLED" in name or "PARENTHESIZED" in name:
            return nfkc, "circled"
        return nfkc, "nfkc"
    return ch, ""


def fold_case(text: str) -> str:
    """Lower-case ``text`` keeping every character at its offset.

    ``str.lower`` grows a handful of characters (``İ`` becomes two); those keep only their first
    character, so a span found in the folded text is the same span in ``text``.
    """
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch.lower()[:1] or ch for ch in text)


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _all_kept(text: str) -> bool:
    """Whether every non-ASCII character of ``text`` stays as written (ordinary emoji, accented letters),
    so the normalised text is the text itself and needs no map. Most ads that are not ASCII are so only
    for their emoji; building a one-character segment for each costs more than all the steps."""
    for m in _NON_ASCII.finditer(text):
        for ch in m.group(0):
            if ch == KEYCAP or ch in VARIATION_SELECTORS:
                return False
            repl, step = _classify(ch)
            if step or repl != ch:
                return False
    return True


def normalise(text: str) -> Normalised:
    """De-obfuscate the Unicode layer of ``text`` and keep a map back to it.

    Steps (trace names): ``zero_width``, ``keycap_emoji`` (``5️⃣`` and ``🔟``), ``fullwidth``,
    ``mathematical``, ``circled``, ``superscript``, ``unicode_digits`` (Arabic-Indic, Devanagari...),
    ``confusable`` (Cyrillic/Greek lookalikes next to Latin text) and ``nfkc`` (other compatibility forms).
    """
    if text.isascii() or _all_kept(text):
        return Normalised(original=text, text=text)
    out: list[str] = []
    norm_starts: list[int] = []
    orig_starts: list[int] = []
    orig_ends: list[int] = []
    linear: list[bool] = []
    trace: list[TraceStep] = []
    npos = 0
    last = 0

    def copy(a: int, b: int) -> None:
        nonlocal npos
        if b > a:
            out.append(text[a:b])
            norm_starts.append(npos)
            orig_starts.append(a)
            orig_ends.append(b)
            linear.append(True)
            npos += b - a

    for m in _NON_ASCII.finditer(text):
        copy(last, m.start())
        i, end = m.start(), m.end()
        while i < end:
            ch = text[i]
            width = 1
            nxt = text[i + 1] if i + 1 < len(text) else ""
            # Keycap sequence: ASCII digit already copied before this run, so handle "d FE0F 20E3" here
            # by looking back; a keycap mark after a digit turns that digit into keycap evidence.
            if ch == KEYCAP or (ch in VARIATION_SELECTORS and nxt == KEYCAP):
                if ch != KEYCAP:
                    width = 2
                if norm_starts and out and out[-1][-1:].isdigit():
                    trace.append(TraceStep("keycap_emoji", npos - 1, npos))
                    # Extend the mapping of the previous digit over the keycap marks.
                    _extend_last(out, norm_starts, orig_starts, orig_ends, linear, npos, i + width)
                i += width
                continue
            repl, step = _classify(ch)
            if step == "confusable":
                prev = text[i - 1] if i > 0 else ""
                if not (
                    _is_ascii_alnum(prev) or _is_ascii_alnum(nxt) or prev in CONFUSABLES or nxt in CONFUSABLES
                ):
                    repl, step = ch, ""
                elif not (_is_ascii_alnum(prev) or _is_ascii_alnum(nxt)):
                    # Only confusables around: a wholly Cyrillic/Greek word, keep it as written.
                    repl, step = ch, ""
            if repl == ch and not step:
                # Unchanged: copy as a linear one-character segment.
                copy(i, i + 1)
            else:
                if repl:
                    out.append(repl)
                    norm_starts.append(npos)
                    orig_starts.append(i)
                    orig_ends.append(i + width)
                    linear.append(False)
                if step:
                    trace.append(TraceStep(step, npos, npos + len(repl)))
                npos += len(repl)
            i += width
        last = end
    copy(last, len(text))
    return Normalised(
        original=text,
        text="".join(out),
        trace=trace,
        norm_starts=norm_starts,
        orig_starts=orig_starts,
        orig_ends=orig_ends,
        linear=linear,
    )


def _extend_last(
    out: list[str],
    norm_starts: list[int],
    orig_starts: list[int],
    orig_ends: list[int],
    linear: list[bool],
    npos: int,
    new_orig_end: int,
) -> None:
    """Make the last normalised character map to the original up to ``new_orig_end`` (keycap marks)."""
    last_start = norm_starts[-1]
    if linear[-1] and npos - last_start > 1:
        # Split the linear segment: all but its last character stay linear.
        keep = npos - 1 - last_start
        orig_last = orig_starts[-1] + keep
        orig_ends[-1] = orig_last
        norm_starts.append(npos - 1)
        orig_starts.append(orig_last)
        orig_ends.append(new_orig_end)
        linear.append(False)
    else:
        orig_ends[-1] = new_orig_end
        linear[-1] = False
