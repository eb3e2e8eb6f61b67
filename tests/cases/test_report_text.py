"""What the evidence report prints of hostile ad text: words and line breaks, never tags; every character
set in a face that has it; invisible characters made visible; astral characters still extractable."""

from __future__ import annotations

import io

import pypdf
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate

from lantern.evidence.adtext import ad_text
from lantern.evidence.fonts import BASE, char_name, fonts, markup, to_unicode_cmap


def test_ad_html_becomes_text_with_its_line_breaks() -> None:
    raw = "<p>Hi, I&#39;m <b>Rosa</b><br>call me<br/>now</p><script>alert(1)</script><ul><li>one</li></ul>"
    assert ad_text(raw) == "Hi, I'm Rosa\ncall me\nnow\n\n• one"
    assert ad_text("plain text\nkept") == "plain text\nkept"
    assert "<" not in ad_text("<unclosed <b>bold</i>") and "bold" in ad_text("<unclosed <b>bold</i>")


def test_markup_escapes_text_and_shows_invisible_characters() -> None:
    made = markup('<font name="x">hi</font>\u200b7\ufe0f\u20e3 ✨ Привет สวัสดี 中文 한국어 𝟕')
    assert "&lt;font" in made and '<font name="x">' not in made
    assert "‹U+200B›" in made and "U+FE0F" not in made  # a selector after a visible character is part of it
    chain = fonts()
    assert {chain.face_of(c) for c in "✨Пส中한𝟕"} == {"LanternEmoji", "LanternSans", "LanternThai", "LanternCJK",
                                                     "LanternHangul", "LanternMath"}  # fmt: skip
    assert char_name("✨") == "U+2728 SPARKLES"


def test_astral_characters_survive_text_extraction() -> None:
    assert "<00> <D83DDC95>" in to_unicode_cmap("F", [0x1F495])
    out = io.BytesIO()
    style = ParagraphStyle("t", fontName=BASE)
    SimpleDocTemplate(out).build([Paragraph(markup("Call 💕 𝟕𝟏𝟑 ✨ Лена"), style)])
    text = pypdf.PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text()
    assert "💕" in text and "𝟕𝟏𝟑" in text and "✨" in text and "Лена" in text
