"""Phone numbers, including disguised ones (INDICATORS.md §4.1 O01-O15, §4.3 steps 3-6).

Pipeline over one normalised field:

1. Exclusions (§4.3 step 5): prices, heights, measurements, weights, dates, times, ``24/7``, ``420``,
   ZIP codes, percentages and order numbers are found first; digits inside them can never be phone digits.
2. Tokens, from one regex scan: ASCII digit runs, number words (spelled, misspelled, leet, ``oh``, tens,
   ``double``) and letter lookalikes (``O l I i | ! s``). A lookalike glued to a digit (``O142``, ``S55``)
   counts like a digit; a free-standing one, like a homophone (``for``/``to``), is *weak* and counts only
   between other digit tokens. Tokens carry the trace step that their disguise implies.
3. Runs: tokens separated by at most a few non-alphanumeric characters (any separators, emoji).
4. Windows: inside a run, windows of whole tokens with a plausible length are validated with
   ``phonenumbers`` for the record's regions, longest first. A cheap shape check comes first so that
   ``phonenumbers`` is never called on something that cannot be a phone, and results are cached.

Fictional numbers (NANP 555-0100..0199, Ofcom's 07700 900xxx drama range) are accepted when they are
*possible* even if ``phonenumbers`` calls them invalid: demos, tests and training use them by design.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from itertools import pairwise
from typing import Final

import phonenumbers

from lantern.extract import numwords
from lantern.extract.normalise import Normalised, fold_case
from lantern.extract.scan import LETTERS, WORD, matches_not_after
from lantern.extract.spans import SpanSet
from lantern.extract.trie import trie_pattern

NANP_REGIONS: Final = frozenset({"US", "CA", "PR", "GU", "VI", "AS", "MP", "BS", "BB", "JM", "TT", "DO"})
MIN_DIGITS: Final = 8
MAX_DIGITS: Final = 15

_FICTIONAL: Final = re.compile(r"^\+1[2-9]\d\d55501\d\d$|^\+447700900\d{3}$")

_WORDISH: Final = (
    rf"(?P<{{w}}>(?:{numwords.WORD_ALT})+)(?![a-z])"
    r"|(?P<{l}>[olis|!]{{1,8}})(?![a-z])"
)
_TOKEN: Final = re.compile(
    r"[^a-z](?:(?<=\d)(?P<d>\d*)(?:" + _WORDISH.format(w="w2", l="l2") + ")?"
    r"|(?<!\d)(?:" + _WORDISH.format(w="w", l="l") + "))",
    re.ASCII,
)
_TOKEN_AT_START: Final = re.compile(_WORDISH.format(w="w", l="l"), re.ASCII)
"""The tokenizer: one scan finds every digit run, number-word run and letter-lookalike group. A word or
lookalike must start the text or follow a non-letter (``5five5`` and ``O142`` qualify, ``someone`` does
not); consuming that character instead of asserting it lets the engine reject a letter inside an
ordinary word with two one-character tests, so ordinary words never reach Python. The whole pattern
opens with one character class (a digit run's first digit, or the non-letter before a word), which lets
``re`` skip from one candidate to the next in C; a leading group or alternation would not. It runs on the
``fold_case`` copy (same offsets) and is written in lower case: ``(?i:)`` cost a third of the scan."""

_UNITS_AFTER: Final = (
    "roses|usd|dollars|bucks|gbp|eur|aud|quid|hh|hhr|hr|hrs|hour|hours|h|min|mins|minutes|qv|ovn|overnight"
    "|donation"
)
# Every branch starts by consuming a digit or currency symbol, so ``re`` can skip ahead to candidate
# positions instead of trying each branch at every character; ``(?<!\w\d)`` then stands for the
# ``\b`` that would otherwise sit before the first digit.
_EXCL_NUM: Final = re.compile(
    r"[$£€₹\d](?:"  # one leading character class: ``re`` skips to the next digit or currency sign in C
    r"(?<=[$£€₹])\s?\d[\d,]*(?:\.\d+)?(?:k\b)?(?:\s*[/,]\s*[$£€₹]?\d[\d,]*(?:\.\d+)?)*"  # "$150/250"
    r"|(?<=\d)(?<!\w\d)(?:"
    rf"\d{{1,3}}(?:\.\d\d)?\s*(?:{trie_pattern(_UNITS_AFTER.split('|'))})\b"  # "200 roses", "150hh"
    r"|\s*(?:'|’|ft|feet|foot)\s*\d{0,2}\s*(?:\"|”|''|in\b|inches)?"  # heights 5'4"
    r"|\d\s?[a-z]{0,3}\s*[-/]\s*\d{2}\s*[-/]\s*\d{2}\b"  # 34-24-36, 34D-24-36
    r"|\d{1,2}\s*(?:lbs?|pounds|kg|kgs|kilos|cm)\b"  # weights, centimetres
    r"|\d?[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b|\d{3}-\d{2}-\d{2}\b"  # dates
    r"|\d?(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\d?:\d{2}\b"  # times
    r"|(?<=2)4\s*[/\\-]\s*7\b|(?<=2)4\s*hrs?\b"  # 24/7
    r"|(?<=4)(?<!\+4)20\b(?!\s*[-.]?\s*\d)"  # 420
    r"|\d{0,2}(?:\.\d+)?\s*%"  # percentages
    r"))",
)


def _by_first_letter(alternatives: list[str]) -> str:
    """``alternatives`` joined with the first letter of each group written once: ``h(?:h…|r…|our…)``.

    ``re`` tries a plain alternation branch by branch at every position whose letter opens any branch
    (most letters here); grouped, it tries only the branches of that letter. The branches of one letter
    keep their order, and branches of different letters never match at the same position, so what
    matches is unchanged."""
    groups: dict[str, list[str]] = {}
    for alternative in alternatives:
        groups.setdefault(alternative[0], []).append(alternative[1:])
    return "|".join(f"{letter}(?:{'|'.join(rests)})" for letter, rests in groups.items())


_EXCL_WORD: Final = re.compile(
    _by_first_letter(
        [rf"{w}\s?\d[\d,]*(?:\.\d+)?" for w in ("usd", "aud", "gbp", "eur", "cad")]
        # "hh 150 hr 250"; not "$180/hr 602 555 0174", where "hr" ends a price and a number follows
        + [rf"{w}(?<!/{w})\s*[:=-]?\s*\$?\d{{2,3}}(?![\d,]|[^\w$£€]{{1,6}}\d)"
           for w in ("hh", "hhr", "hr", "hour", "qv", "min")]
        + [rf"{w}\s*(?:code)?\s*[:#]?\s*\d{{5}}(?:-\d{{4}})?\b" for w in ("zip", "postal", "post")]
        + [rf"{w}\s*(?:no\.?|num(?:ber)?|id)?\s*[:#]?\s*#?\s*\d[\d-]{{3,}}"
           for w in ("order", "ref", "reference", "invoice", "tracking", "confirmation", "ticket", "case",
                     "listing", "item", "ad", "post", "id", "sku")]
    )
)  # fmt: skip
"""Keyword-led exclusions, each keyword not after a letter (``scan.matches_not_after``). Every
alternative opens with a literal letter, so ``re`` skips ahead in C to the letters that open one; a
leading look-behind would make it try the pattern at every character. Like ``_EXCL_NUM`` and
``_URL_IDS`` it is written in lower case and runs on the ``fold_case`` copy of the window:
``re.IGNORECASE`` made it four times slower."""
_ZIP: Final = re.compile(r"[A-Z]{2},?\s+\d{5}(?:-\d{4})?\b")
"""A state code and a ZIP code, not glued to a word before it: tested in Python (``scan.matches_not_after``),
since a leading ``\\b`` would stop ``re`` from skipping ahead to capitals."""
_URL_IDS: Final = re.compile(
    r"(?<=/)\d{6,}(?=[/?&#.]|$)|[?&](?P<key>[a-z_]{0,20})=(?P<value>\d{6,})(?=[&#]|$)"
)
_ID_KEYS: Final = frozenset({"id", "p", "post", "ad", "listing", "item", "page", "pg", "n", "no", "num", "ts", "t",
                      "time", "timestamp", "v", "ver", "cb", "_", "ref_id", "refid"})  # fmt: skip
"""Numbers that are whole URL path segments (``/ad/7135550142``) or the value of an id-like query key are
record ids. Other query values (``?ref=``, ``?phone=``, ``?q=``) may well carry the poster's number."""

_STANDARD: Final = re.compile(
    r"^(?:\+?\d{1,3}(?:\s?[.-]\s?|\s)?)?(?:\(\d{2,5}\)\s?|\d{2,5}(?:\s?[.-]\s?|\s)?)\d{2,5}"
    r"(?:(?:\s?[.-]\s?|\s)?\d{2,5}){0,2}$"
)
"""Ordinary phone formatting; anything else between the digits is the ``separators`` disguise."""

MAX_GAP: Final = 6
_ALNUM: Final = re.compile(r"[^\W_]")


class _Token:
    """One digit-bearing piece of a field: its normalised span, the digits it stands for, the disguises
    that produced it, and whether it is weak (a lone lookalike), a number word, or a multiplier word.

    A plain class rather than a dataclass (see ``normalise.TraceStep``): the tokenizer makes one per digit
    group."""

    __slots__ = ("digits", "end", "mult", "start", "steps", "weak", "word")

    def __init__(self, start: int, end: int, digits: str, steps: frozenset[str], weak: bool = False,
                 word: bool = False, mult: int = 0) -> None:  # fmt: skip
        self.start = start
        self.end = end
        self.digits = digits
        self.steps = steps
        self.weak = weak
        self.word = word
        self.mult = mult

    def __repr__(self) -> str:
        return f"_Token({self.start}, {self.end}, {self.digits!r}, weak={self.weak}, word={self.word})"


class PhoneMatch:
    """A phone found in one field: E.164 value, normalised span and the disguises that hid it.

    A plain class rather than a dataclass, as ``normalise.TraceStep`` says why."""

    __slots__ = ("e164", "end", "start", "techniques")

    def __init__(self, e164: str, start: int, end: int, techniques: list[str] | None = None) -> None:
        self.e164 = e164
        self.start = start
        self.end = end
        self.techniques: list[str] = techniques or []

    def __repr__(self) -> str:
        return f"PhoneMatch({self.e164!r}, {self.start}, {self.end}, {self.techniques!r})"

    @property
    def obscured(self) -> bool:
        return any(t != "url_slug" for t in self.techniques)


def _exclusion_spans(text: str, low: str, field_name: str) -> list[tuple[int, int]]:
    """Spans of ``text`` (a window of the field; ``low`` the same window of its ``fold_case`` copy) that
    cannot hold phone digits."""
    spans = [m.span() for m in _EXCL_NUM.finditer(low)]
    spans += [m.span() for m in matches_not_after(_EXCL_WORD, low, LETTERS)]
    spans += [m.span() for m in matches_not_after(_ZIP, text, WORD)]
    if field_name == "url":
        for m in _URL_IDS.finditer(low):
            key = m.group("key")
            if key is None:
                spans.append(m.span())
            elif key in _ID_KEYS or key.endswith("id"):
                spans.append(m.span("value"))
    return spans


_PLAIN: Final[frozenset[str]] = frozenset()
"""The steps of a plain digit run: none (one shared object, since most tokens are plain digits)."""
_DIGITS: Final = frozenset("0123456789")
_SYMBOLS: Final = frozenset("|!")
_SPACE: Final = frozenset(" \t\n\r")
_LOOKALIKE_WORDS: Final = frozenset(
    {"is", "so", "oil", "ill", "lol", "sis", "sol", "loo", "lo", "oi", "li", "io"}
)
"""Lookalike groups that are ordinary words: never read as digits unless glued to a digit."""


def _tokens(text: str) -> list[_Token | None]:
    """Tokenise digit-like material with one regex scan (no per-character Python loop). ``text`` is the
    field's ``fold_case`` copy; every token reads the same in either case.

    Digit runs, number words (``five``, ``f1ve``, ``5five5``) and letter lookalikes (``O l I | ! s``) come
    from ``_TOKEN``. A lookalike glued to a digit (``O142``, ``4l2``, ``S55``) is as strong as a digit, as
    pnmatcher reads ``o,i,l,s`` flanked by digits; a free-standing one (``SsS``) is weak and counts only
    between digits. ``|`` or ``!`` with spaces on both sides is a separator (``832 | 555 | 0185``). An ``s``
    alone after a digit does not bind, since ``90s`` is a plural.
    """
    out: list[_Token | None] = []
    counts = [0, 0]  # digits, words
    pos = 0
    if text[:1].isalpha() and (head := _TOKEN_AT_START.match(text)):
        _emit(text, head, "w", "l", out, counts)
        pos = head.end()
    for m in _TOKEN.finditer(text, pos):
        if m.start("d") >= 0:  # a digit run: the class consumed its first digit
            s, e = m.start(), m.end("d")
            out.append(_Token(s, e, text[s:e], _PLAIN))
            counts[0] += e - s
            if m.end() > e:
                _emit(text, m, "w2", "l2", out, counts)
        else:
            _emit(text, m, "w", "l", out, counts)
    if not counts[1]:
        return out if counts[0] >= 7 else []  # no number words: nothing to compose
    return _compose(out)


def _emit(text: str, m: re.Match[str], wg: str, lg: str, out: list[_Token | None], counts: list[int]) -> None:
    """Append the word or lookalike token that group ``wg`` or ``lg`` of ``m`` matched."""
    s, e = m.span(wg)
    if s >= 0:
        chunk = m.group(wg)
        proto = _WORD_PROTO.get(chunk.lower())
        if proto is not None:
            out.append(_Token(s, e, proto.digits, proto.steps, proto.weak, True, proto.mult))
        else:
            for ps, pe, part in numwords.split_words(chunk):
                out.append(_word_token(s + ps, s + pe, part))
        counts[1] += 1
        return
    s, e = m.span(lg)
    chunk = m.group(lg)
    before = text[s - 1] if s else " "
    after = text[e] if e < len(text) else " "
    low = chunk.lower()
    if before in _SPACE and after in _SPACE and _SYMBOLS.issuperset(chunk):
        return  # a free-standing | or ! between spaced groups separates them
    glued = after in _DIGITS or (before in _DIGITS and low != "s")
    if not glued and low in _LOOKALIKE_WORDS:
        return
    tok = _lookalike(s, e, chunk, glued)
    out.append(tok)
    counts[0] += len(tok.digits)


def _lookalike(s: int, e: int, chars: str, glued: bool = False) -> _Token:
    table = {"o": "0", "s": "5"}
    digits = "".join(table.get(c, "1") for c in chars.lower())
    return _Token(s, e, digits, frozenset({"letter_lookalike"}), weak=not glued)


def _word_token(s: int, e: int, word: str) -> _Token:
    low = word.lower()
    steps = {"spelled_digits"}
    weak = False
    if numwords.is_misspelled(low):
        steps = {"misspelled_digits"}
    elif numwords.is_homophone(low):
        steps = {"homophone"}
        weak = True
    elif low == "oh":
        steps.add("oh_for_zero")
    digits = numwords.word_digits(low)
    if digits is None:  # multiplier words such as "double": resolved in _compose
        return _Token(s, e, "", frozenset(steps), word=True, mult=numwords.multiplier(low))
    return _Token(s, e, digits, frozenset(steps), weak=weak, word=True)


_WORD_PROTO: Final[dict[str, _Token]] = {w.lower(): _word_token(0, 0, w) for w in numwords.ALL_WORDS}
"""Prebuilt token for each single number word: one dict lookup per word in the hot loop."""


def _compose(tokens: list[_Token | None]) -> list[_Token | None]:
    """Apply tens composition (``fifty-five`` -> 55) and multipliers (``double five`` -> 55)."""
    out: list[_Token | None] = []
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < n else None
        if tok is not None and tok.word and nxt is not None and nxt.start - tok.end <= 1:
            if tok.mult and len(nxt.digits) == 1:  # "double five" -> 55
                out.append(
                    _Token(tok.start, nxt.end, nxt.digits * tok.mult, tok.steps | nxt.steps, word=True)
                )
                i += 2
                continue
            if (
                len(tok.digits) == 2
                and tok.digits.endswith("0")
                and tok.digits[0] != "1"
                and nxt.word
                and len(nxt.digits) == 1
                and nxt.digits != "0"
                and not nxt.weak
            ):
                out.append(
                    _Token(
                        tok.start,
                        nxt.end,
                        tok.digits[0] + nxt.digits,
                        tok.steps | nxt.steps | {"tens_words"},
                        word=True,
                    )
                )
                i += 2
                continue
        if tok is not None and tok.word and len(tok.digits) == 2 and tok.digits[0] != "1":
            tok = _Token(tok.start, tok.end, tok.digits, tok.steps | {"tens_words"}, word=True)
        if tok is None or tok.digits:
            out.append(tok)
        i += 1
    return out


def _mark_excluded(tokens: list[_Token | None], spans: list[tuple[int, int]]) -> list[_Token | None]:
    if not spans:
        return tokens
    out: list[_Token | None] = []
    j = 0
    for tok in tokens:
        if tok is None:
            out.append(None)
            continue
        while j < len(spans) and spans[j][1] <= tok.start:
            j += 1
        k = j
        hit = False
        while k < len(spans) and spans[k][0] < tok.end:
            if spans[k][1] > tok.start:
                hit = True
                break
            k += 1
        out.append(None if hit else tok)
    return out


def _runs(text: str, tokens: list[_Token | None]) -> list[list[_Token]]:
    runs: list[list[_Token]] = []
    current: list[_Token] = []
    for tok in tokens:
        if tok is None:
            if current:
                runs.append(current)
            current = []
            continue
        if current:
            gap_len = tok.start - current[-1].end
            if gap_len > MAX_GAP or (gap_len and _ALNUM.search(text, current[-1].end, tok.start)):
                runs.append(current)
                current = []
        current.append(tok)
    if current:
        runs.append(current)
    out: list[list[_Token]] = []
    for run in runs:
        if len(run) == 1 and len(run[0].digits) < 7:
            continue  # a lone short number (a price, an age): the common case, settled without a loop
        for piece in _drop_stray_weak(run) if any(t.weak for t in run) else (run,):
            if sum(len(t.digits) for t in piece) >= 7:
                out.append(piece)
    return out


MAX_WEAK_DIGITS: Final = 4


def _drop_stray_weak(run: list[_Token]) -> list[list[_Token]]:
    """Weak tokens count only between strong ones; elsewhere they split the run.

    A group of consecutive weak tokens (``34s-SSS-0l65``) is kept when strong tokens flank it and it
    stands for at most ``MAX_WEAK_DIGITS`` digits, so a stray ``to`` or ``I`` between numbers still splits.
    """
    pieces: list[list[_Token]] = []
    current: list[_Token] = []
    i, n = 0, len(run)
    while i < n:
        tok = run[i]
        if not tok.weak:
            current.append(tok)
            i += 1
            continue
        j = i
        while j < n and run[j].weak:
            j += 1
        group = run[i:j]
        if i > 0 and j < n and sum(len(t.digits) for t in group) <= MAX_WEAK_DIGITS:
            current.extend(group)
        else:
            if current:
                pieces.append(current)
            current = []
        i = j
    if current:
        pieces.append(current)
    return pieces


def _plausible(digits: str, plus: bool, region: str) -> bool:
    """Shape check before ``phonenumbers``: cheap, and rejects nearly every non-phone."""
    n = len(digits)
    if n < MIN_DIGITS or n > MAX_DIGITS + (0 if plus else 2):
        return False
    if plus:
        return digits[0] != "0"
    if region in NANP_REGIONS:
        if n == 11 and digits[0] == "1":
            digits = digits[1:]
        elif n != 10:
            return digits.startswith("011")
        return digits[0] in "23456789" and digits[3] in "23456789"
    return True


@lru_cache(maxsize=65536)
def validate(digits: str, plus: bool, region: str) -> str | None:
    """E.164 for a digit string if it is a valid (or fictional but possible) number, else None."""
    if not _plausible(digits, plus, region):
        return None
    nanp = digits[1:] if len(digits) == 11 and digits[0] == "1" else digits
    if len(nanp) == 10 and ((plus and digits[0] == "1") or (not plus and region in NANP_REGIONS)):
        # The common case skips ``phonenumbers.parse`` (half the cost of a new number): a NANP national
        # number is the country code 1 plus ten digits, nothing to infer.
        e164 = "+1" + nanp
        num = phonenumbers.PhoneNumber(country_code=1, national_number=int(nanp))
        if phonenumbers.is_valid_number(num) or _FICTIONAL.match(e164):
            return e164
        return None
    try:
        num = phonenumbers.parse(("+" if plus else "") + digits, None if plus else region)
    except phonenumbers.NumberParseException:
        return None
    e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    if phonenumbers.is_valid_number(num):
        return e164
    if _FICTIONAL.match(e164) and phonenumbers.is_possible_number(num):
        return e164
    return None


def _has_plus(text: str, pos: int) -> int:
    """Position of a ``+`` directly before ``pos`` (spaces allowed), or -1."""
    i = pos - 1
    while i >= 0 and i > pos - 3 and text[i] == " ":
        i -= 1
    return i if i >= 0 and text[i] == "+" else -1


def _windows(text: str, run: list[_Token], regions: tuple[str, ...]) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    n = len(run)
    s = 0
    while s < n:
        if run[s].weak:
            s += 1
            continue
        plus = _has_plus(text, run[s].start) >= 0
        best: tuple[int, str] | None = None
        digits = ""
        for e in range(s, n):
            digits += run[e].digits
            if len(digits) > MAX_DIGITS + 2:
                break
            if len(digits) < MIN_DIGITS or run[e].weak:
                continue
            for region in regions:
                e164 = validate(digits, plus, region)
                if e164:
                    best = (e, e164)
                    break
        if best is None:
            s += 1
            continue
        found.append((s, best[0], best[1]))
        s = best[0] + 1
    return found


def find_phones(
    norm: Normalised, regions: tuple[str, ...], field_name: str, low: str | None = None
) -> list[PhoneMatch]:
    """Every phone in one normalised field, with normalised spans and disguise techniques.

    ``low`` is ``fold_case(norm.text)`` when the caller has it.
    """
    text = norm.text
    low = fold_case(text) if low is None else low
    tokens = _tokens(low)
    if not tokens:
        return []
    candidates = _runs(text, tokens)
    if not candidates:
        return []
    # Exclusions are only looked for around runs that hold a valid number without them: excluding
    # tokens only splits runs, so a run with no valid window cannot gain one.
    hot = [(run, found) for run in candidates if (found := _windows(text, run, regions))]
    if not hot:
        return []
    spans: list[tuple[int, int]] = []
    for lo, hi in _merge_windows([(r[0].start - 40, r[-1].end + 40) for r, _ in hot], len(text)):
        spans += [(a + lo, b + lo) for a, b in _exclusion_spans(text[lo:hi], low[lo:hi], field_name)]
    spans.sort()
    excluded = SpanSet(spans)
    starts = [a for a, _ in spans]
    longest = max((b - a for a, b in spans), default=0)
    readings: list[tuple[list[_Token], list[tuple[int, int, str]]]] = []
    for run, found in hot:
        if spans and any(excluded.overlaps(t.start, t.end) for t in run):
            # Only a run an exclusion touches is split and read again, against only the exclusions
            # near it (all of them would make a megabyte of repeated ads quadratic).
            near = spans[bisect_left(starts, run[0].start - longest) : bisect_left(starts, run[-1].end)]
            for piece in _runs(text, _mark_excluded(list(run), near)):
                readings.append((piece, _windows(text, piece, regions)))
        else:
            readings.append((run, found))
    matches: list[PhoneMatch] = []
    for run, found in readings:
        for s, e, e164 in found:
            toks = run[s : e + 1]
            start, end = toks[0].start, toks[-1].end
            plus_at = _has_plus(text, start)
            if plus_at >= 0:
                start = plus_at
            elif start > 0 and text[start - 1] == "(" and ")" in text[start:end]:
                start -= 1
            matches.append(PhoneMatch(e164, start, end, _techniques(norm, toks, start, end, field_name)))
    return matches


def _merge_windows(windows: list[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(windows):
        lo, hi = max(0, lo), min(size, hi)
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _techniques(norm: Normalised, toks: list[_Token], start: int, end: int, field_name: str) -> list[str]:
    steps: set[str] = set()
    words = False
    plain_digits = False
    for t in toks:
        steps |= t.steps
        if t.word:
            words = True
        elif not t.steps:
            plain_digits = True
    if words and plain_digits:
        steps.add("mixed_words_digits")
    if all(not t.word and not t.weak for t in toks) and not _STANDARD.match(norm.text[start:end]):
        steps.add("separators")
    if words and any(norm.text[a.end : b.start] not in ("", " ", "-") for a, b in pairwise(toks)):
        steps.add("separators")
    steps |= norm.steps_in(start, end)
    if field_name == "url":
        steps.add("url_slug")
    return sorted(steps)
