"""Fonts for the evidence PDF, and text set in them: every script and symbol an ad uses is printed.

A PDF font covers some characters only, and reportlab picks no fallback by itself, so the text is cut
into runs, each set in the first font of :data:`CHAIN` that has every character of the run (Noto Sans
first, then symbols, emoji, the scripts, Korean and Chinese). Thai and Arabic are shaped (uharfbuzz).
Invisible characters (zero-width spaces and joiners, direction marks, variation selectors) are what
disguises are made of: they are printed as a small visible ``‹U+200B›`` so that the report shows them;
a character no font has is printed the same way, never as an empty box.

Fonts are OFL Noto faces from the ``manimgx-fonts`` package and the few vendored in ``fonts/`` (see its
README); nothing is fetched.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import manimgx_fonts
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

PACKAGED = Path(manimgx_fonts.__file__).parent
VENDORED = Path(__file__).parent / "fonts"

CHAIN: tuple[tuple[str, Path], ...] = (
    ("LanternSans", PACKAGED / "NotoSans[wght].ttf"),
    ("LanternSymbols", PACKAGED / "NotoSansSymbols[wght].ttf"),
    ("LanternSymbols2", VENDORED / "NotoSansSymbols2-Regular.ttf"),
    ("LanternMath", VENDORED / "NotoSansMath-Alphanumeric.ttf"),
    ("LanternEmoji", PACKAGED / "NotoEmoji[wght].ttf"),
    ("LanternThai", PACKAGED / "NotoSansThai[wght].ttf"),
    ("LanternArabic", PACKAGED / "NotoSansArabic[wght].ttf"),
    ("LanternHebrew", PACKAGED / "NotoSansHebrew[wght].ttf"),
    ("LanternDevanagari", PACKAGED / "NotoSansDevanagari[wght].ttf"),
    ("LanternBengali", PACKAGED / "NotoSansBengali[wght].ttf"),
    ("LanternTamil", PACKAGED / "NotoSansTamil[wght].ttf"),
    ("LanternTelugu", PACKAGED / "NotoSansTelugu[wght].ttf"),
    ("LanternKhmer", PACKAGED / "NotoSansKhmer[wght].ttf"),
    ("LanternLao", PACKAGED / "NotoSansLao[wght].ttf"),
    ("LanternMyanmar", PACKAGED / "NotoSansMyanmar[wght].ttf"),
    ("LanternArmenian", PACKAGED / "NotoSansArmenian[wght].ttf"),
    ("LanternGeorgian", PACKAGED / "NotoSansGeorgian[wght].ttf"),
    ("LanternEthiopic", PACKAGED / "NotoSansEthiopic[wght].ttf"),
    ("LanternHangul", VENDORED / "NotoSansKR-Hangul.ttf"),
    ("LanternCJK", VENDORED / "DroidSansFallbackFull.ttf"),
)
BASE = CHAIN[0][0]
MARKER_FONT = BASE
SHAPED = frozenset({"LanternThai", "LanternArabic", "LanternHebrew", "LanternDevanagari", "LanternBengali",
                    "LanternTamil", "LanternTelugu", "LanternKhmer", "LanternLao", "LanternMyanmar"})  # fmt: skip
"""Faces whose scripts need shaping (ligatures, joining, mark placement); the others are set as they are."""


@dataclass(frozen=True)
class Fonts:
    """The registered chain: each face's name and the characters it has."""

    names: tuple[str, ...]
    covers: tuple[frozenset[int], ...]

    def face_of(self, char: str) -> str | None:
        code = ord(char)
        for name, covered in zip(self.names, self.covers, strict=True):
            if code in covered:
                return name
        return None


def _utf16_hex(code: int) -> str:
    try:
        return chr(code).encode("utf-16-be", "surrogatepass").hex().upper()
    except (ValueError, OverflowError):
        return "FFFD"


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap, with each character as UTF-16 as the PDF standard requires: reportlab
    writes a code point above U+FFFF (emoji such as 💕, the mathematical digits 𝟕 of a disguise) as five
    hex digits, which readers reject, so copying or extracting the report's text lost those characters."""
    head = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
            f"<< /Registry ({fontname})", f"/Ordering ({fontname})", "/Supplement 0", ">> def",
            f"/CMapName /{fontname} def", "/CMapType 2 def", "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>", "endcodespacerange", f"{len(subset)} beginbfchar"]  # fmt: skip
    pairs = [f"<{i:02X}> <{_utf16_hex(v)}>" for i, v in enumerate(subset)]
    tail = ["endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(head + pairs + tail)


ttfonts.makeToUnicodeCMap = to_unicode_cmap


@cache
def fonts() -> Fonts:
    """Register the chain with reportlab once per process (the CJK face alone is 4 MB to parse)."""
    names, covers = [], []
    for name, path in CHAIN:
        if name not in pdfmetrics.getRegisteredFontNames():
            font = TTFont(name, str(path), shapable=name in SHAPED)
            pdfmetrics.registerFont(font)
        font = pdfmetrics.getFont(name)
        names.append(name)
        covers.append(frozenset(c for c in font.face.charToGlyph if c > 0x1F))
    return Fonts(tuple(names), tuple(covers))


def invisible(char: str) -> bool:
    """A character that prints nothing: format characters (zero-width, joiners, direction marks),
    variation selectors, and other controls."""
    category = unicodedata.category(char)
    return category in ("Cf", "Cc") or 0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF


def char_name(char: str) -> str:
    """``U+2728 SPARKLES``: how the report names a character that mattered."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'UNNAMED CHARACTER')}"


def markup(text: str) -> str:
    """``text`` as reportlab paragraph markup: escaped, each run in a face that has its characters,
    invisible and unprintable characters shown as ``‹U+XXXX›``, line breaks kept."""
    chain = fonts()
    out: list[str] = []
    run: list[str] = []
    face: str | None = None

    def flush() -> None:
        if run:
            out.append(f'<font name="{face}">{escape("".join(run))}</font>')
            run.clear()

    for char in text:
        if char == "\n":
            flush()
            out.append("<br/>")
            continue
        if char == "\t":
            char = " "
        # a variation selector right after a visible character is part of it (7️⃣, ❤️); alone it is shown
        if 0xFE00 <= ord(char) <= 0xFE0F and face is not None:
            continue
        chosen = None if invisible(char) else chain.face_of(char)
        if chosen is None:
            flush()
            out.append(
                f'<font name="{MARKER_FONT}" color="#8a2b0e" size="7">{escape(f"‹U+{ord(char):04X}›")}</font>'
            )
            face = None
            continue
        if chosen != face:
            flush()
            face = chosen
        run.append(char)
    flush()
    return "".join(out)
