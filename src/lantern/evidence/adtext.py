"""Ad HTML as the text a reader saw: line breaks where the page broke lines, tags never printed.

Ad bodies are HTML written by adversaries; a report must show their words, not their markup. ``<br>``
and block elements (paragraphs, list items, headings, table rows, divisions) become line breaks,
entities are decoded, scripts and styles are dropped with their content, and every other tag is
dropped. Written on the standard library's tolerant HTML parser: malformed markup still gives text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

BREAKS = frozenset({"br", "hr"})
BLOCKS = frozenset({"p", "div", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
                    "blockquote", "pre", "section", "article", "header", "footer", "dd", "dt"})  # fmt: skip
HIDDEN = frozenset({"script", "style", "template", "head", "title"})
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in HIDDEN:
            self.hidden += 1
        elif tag in BREAKS:
            self.parts.append("\n")
        elif tag in BLOCKS:
            self.parts.append("\n")
            if tag == "li":
                self.parts.append("• ")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in BREAKS or tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data.replace("\n", " "))


def ad_text(raw: str | None) -> str:
    """The plain text of an ad field, with its line breaks; plain text without tags comes back as it is
    (its own newlines kept)."""
    if not raw:
        return ""
    if "<" not in raw and "&" not in raw:
        return raw.strip()
    parser = _Text()
    parser.feed(raw)
    parser.close()
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(parser.parts).split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
