"""A hostile-input corpus for ingest, generated (no real data; fictional, neutral wording).

Each case is one or more input files in which a bad record, page, member or stream sits between good
records, and says what a user must see: which records are stored (those after the bad one above all)
and what the reason for the bad one says. ``python -m tests.hostile.corpus OUT`` writes the corpus
into the folder OUT, one sub-folder per case, to try by hand with ``lantern ingest``.
"""

from __future__ import annotations

import bz2
import gzip
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.sources.fixtures import SITE, ad_html, cdr_line, write_warc

SOURCE = "hostile-probe"


def ad(number: int, **fields: object) -> dict:
    """A neutral fictional ad; phone numbers only from the 555-01XX range reserved for fiction."""
    record = {
        "id": f"ad-{number}",
        "source": SOURCE,
        "title": f"Friendly company {number}",
        "body": f"Call 713-555-01{number % 100:02d}. Available today.",
        "location": "Houston, TX",
        "posted_at": "2026-03-01T10:00:00Z",
    }
    record.update(fields)
    return record


def line(record: dict) -> bytes:
    return json.dumps(record).encode()


def lines(*rows: bytes, end: bytes = b"\n") -> bytes:
    return b"".join(row + end for row in rows)


def nested(depth: int) -> str:
    """JSON text of objects nested ``depth`` deep (as text: Python's own encoder stops near 1,000)."""
    return '{"k": ' * (depth - 1) + '{"leaf": "x"}' + "}" * (depth - 1)


def with_field(record: bytes, name: str, json_text: str) -> bytes:
    """A JSON object's text with one more field given as JSON text."""
    return record[:-1] + f', "{name}": {json_text}}}'.encode()


@dataclass
class Case:
    """Files to ingest in order, the records that must be stored, and what the refusals must say."""

    files: list[Path]
    stored: set[str]
    reasons: list[str] = field(default_factory=list)
    quarantined: int | None = None
    env: dict[str, str] = field(default_factory=dict)


def _jsonl(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _after(folder: Path, number: int = 900) -> Path:
    """A later, good file: reading must reach it."""
    return _jsonl(folder, "zz-after.jsonl", lines(line(ad(number))))


def hostile_charsets(folder: Path) -> Case:
    """Pages declaring charsets that are no text encoding, with a byte that is not UTF-8."""
    pages = [(f"{SITE}/ad/1", ad_html(1), "text/html; charset=utf-8", "200 OK")]
    for number, charset in enumerate(("rot13", "zlib", "hex", "base64", "unicode_escape"), start=2):
        page = ad_html(number, charset="latin-1", extra=" caf\xe9 \\x")
        pages.append((f"{SITE}/ad/{number}", page, f"text/html; charset={charset}", "200 OK"))
    meta = ad_html(7, charset="latin-1", extra=" caf\xe9").replace(b"charset='latin-1'", b"charset='rot13'")
    pages.append((f"{SITE}/ad/7", meta, "text/html", "200 OK"))
    pages.append((f"{SITE}/ad/8", ad_html(8), "text/html", "200 OK"))
    warc = write_warc(folder / "pages.warc.gz", pages)
    return Case([warc, _after(folder)], {str(n) for n in range(1, 9)} | {"ad-900"}, quarantined=0)


def deep_nesting(folder: Path) -> Case:
    """Unknown fields nested 300 and 1,000 levels deep (each record well under 10 kB)."""
    deep = [with_field(line(ad(n)), "extra_field", nested(depth)) for n, depth in ((2, 300), (3, 1000))]
    data = lines(line(ad(1)), *deep)
    data += lines(line(ad(4)))
    return Case(
        [_jsonl(folder, "deep.jsonl", data), _after(folder)],
        {"ad-1", "ad-4", "ad-900"},
        ["deep.jsonl:2: extra_field: nested more than 64 levels deep", "deep.jsonl:3: extra_field: nested"],
        quarantined=2,
    )


def deep_cdr(folder: Path) -> Case:
    """CDR provenance carries arbitrary JSON: a team nested 1,000 levels deep."""
    deep = with_field(cdr_line(2, team=None).encode(), "team", nested(1000))
    data = lines(cdr_line(1).encode(), deep, cdr_line(3).encode())
    return Case(
        [_jsonl(folder, "memex.jsonl", data), _after(folder)],
        {"1", "3", "ad-900"},
        ["memex.jsonl:2: team: nested more than 64 levels deep"],
        quarantined=1,
    )


def oversized_keys(folder: Path) -> Case:
    """The 1 MB field limit through dict keys and through many unknown fields."""
    big_key = ad(2, extra_field={"k" * 1_100_000: 1})
    many = ad(3, **{f"field_{n}": "v" * 1000 for n in range(1100)})
    data = lines(line(ad(1)), line(big_key), line(many), line(ad(4)))
    return Case(
        [_jsonl(folder, "keys.jsonl", data)],
        {"ad-1", "ad-4"},
        [
            "keys.jsonl:2: extra_field: field is over the 1,000,000-byte limit",
            "keys.jsonl:3: extra: unknown fields together are over",
        ],
        quarantined=2,
    )


def truncated_gzip(folder: Path) -> Case:
    """A .gz cut in half: its readable records stay, the break is said, the next file is read."""
    data = gzip.compress(lines(*(line(ad(n)) for n in range(1, 301))))
    cut = _jsonl(folder, "cut.jsonl.gz", data[: len(data) // 2])
    return Case([cut, _after(folder)], {"ad-1", "ad-50", "ad-900"}, ["ends early"], quarantined=1)


def corrupt_gzip(folder: Path) -> Case:
    """A .gz whose deflate stream is damaged in the middle."""
    data = bytearray(gzip.compress(lines(*(line(ad(n, body=f"text {n} " * 40)) for n in range(1, 301)))))
    middle = len(data) // 2
    data[middle : middle + 16] = b"\xff" * 16
    broken = _jsonl(folder, "broken.jsonl.gz", bytes(data))
    return Case([broken, _after(folder)], {"ad-1", "ad-900"}, ["broken.jsonl.gz:"], quarantined=1)


def truncated_bz2(folder: Path) -> Case:
    data = bz2.compress(lines(*(line(ad(n)) for n in range(1, 301))))
    cut = _jsonl(folder, "cut.jsonl.bz2", data[: len(data) - 40])
    return Case([cut, _after(folder)], {"ad-900"}, ["cut.jsonl.bz2:"], quarantined=1)


def csv_stray_quote(folder: Path) -> Case:
    """A stray quote in a title must not swallow the 50 rows after it."""
    rows = ["id,source,title,body,location"]
    rows.append(f'q-1,{SOURCE},"Friendly company 1,Call 713-555-0101,Houston')  # the quote never closes here
    rows += [f"q-{n},{SOURCE},Friendly company {n},Call 713-555-01{n:02d},Dallas" for n in range(2, 52)]
    rows.append(f'q-52,{SOURCE},"Quoted, properly",Call 713-555-0152,Austin')
    path = _jsonl(folder, "stray.csv", ("\n".join(rows) + "\n").encode())
    stored = {f"q-{n}" for n in range(2, 53)}
    return Case([path], stored, ["stray.csv:2: record: unbalanced quote"], quarantined=1)


def csv_unclosed_quote(folder: Path) -> Case:
    """A quote that never closes, in the last row but one."""
    rows = ["id,source,title", f"u-1,{SOURCE},Fine", f'u-2,{SOURCE},"never closed', f"u-3,{SOURCE},Also fine"]
    path = _jsonl(folder, "unclosed.csv", ("\n".join(rows) + "\n").encode())
    return Case(
        [path], {"u-1", "u-3"}, ["unclosed.csv:3: record: unbalanced quote", "never closes"], quarantined=1
    )


def lookalike_first_record(folder: Path) -> Case:
    """A first Lantern record carrying CDR's or X's keys must not reroute the whole file."""
    cdr_like = lines(line(ad(0, raw_content="<html></html>")), *(line(ad(n)) for n in range(1, 40)))
    tweet_like = lines(line(ad(100, author_id="12", text="hello")), *(line(ad(n)) for n in range(101, 140)))
    files = [_jsonl(folder, "cdr-like.jsonl", cdr_like), _jsonl(folder, "tweet-like.jsonl", tweet_like)]
    stored = {f"ad-{n}" for n in [*range(0, 40), *range(100, 140)]}
    return Case(files, stored, quarantined=0)


def mixed_formats(folder: Path) -> Case:
    """A file whose lines really are of different formats: each read by its own."""
    data = (cdr_line(1) + "\n").encode() + lines(line(ad(2)), line(ad(3)))
    return Case([_jsonl(folder, "mixed.jsonl", data)], {"1", "ad-2", "ad-3"}, quarantined=0)


def bare_cr(folder: Path) -> Case:
    """Bare CR line endings: one record per line, in JSON lines and in CSV."""
    jsonl = _jsonl(folder, "mac.jsonl", lines(*(line(ad(n)) for n in range(1, 6)), end=b"\r"))
    csv_rows = "\r".join(["id,source,title", *(f"cr-{n},{SOURCE},Title {n}" for n in range(1, 4))]) + "\r"
    csv = _jsonl(folder, "mac.csv", csv_rows.encode())
    stored = {f"ad-{n}" for n in range(1, 6)} | {"cr-1", "cr-2", "cr-3"}
    return Case([jsonl, csv], stored, quarantined=0)


def bom(folder: Path) -> Case:
    path = _jsonl(folder, "bom.jsonl", b"\xef\xbb\xbf" + lines(line(ad(1)), line(ad(2))))
    return Case([path], {"ad-1", "ad-2"}, quarantined=0)


def not_warc(folder: Path) -> Case:
    """A .warc that is not WARC: a reason, not silence; the next file is read."""
    path = _jsonl(folder, "notes.warc", b"These are plain notes, not a web archive.\n" * 5)
    return Case(
        [path, _after(folder)], {"ad-900"}, ["notes.warc:1: record:", "not a WARC file"], quarantined=1
    )


def warc_garbage(folder: Path) -> Case:
    """Garbage between WARC records: its true byte offset, and the records after it read."""
    first = write_warc(folder / "part1.warc", [(f"{SITE}/ad/1", ad_html(1), "text/html", "200 OK")])
    rest = write_warc(
        folder / "part2.warc", [(f"{SITE}/ad/{n}", ad_html(n), "text/html", "200 OK") for n in (2, 3)]
    )
    head = first.read_bytes()
    path = folder / "garbage.warc"
    path.write_bytes(head + b"\x00\x01 not a record at all \r\n\r\n" * 4 + rest.read_bytes())
    first.unlink()
    rest.unlink()
    return Case([path], {"1", "2", "3"}, [f"unreadable WARC data at byte offset {len(head)}"], quarantined=1)


def empty_objects(folder: Path) -> Case:
    """A small .gz of ``{}`` lines writes a bounded number of quarantine rows, then stops, and says so."""
    path = _jsonl(folder, "empty.jsonl.gz", gzip.compress(b"{}\n" * 200_000))
    return Case(
        [path, _after(folder)],
        {"ad-900"},
        ["stopped reading", "after 50 records in a row were quarantined"],
        quarantined=51,
        env={"LANTERN_QUARANTINE_LIMIT": "50"},
    )


def newlines(folder: Path) -> Case:
    """A .gz of millions of newlines, then one record: counted, not stepped through."""
    data = gzip.compress(b"\n" * 5_000_000 + line(ad(1)) + b"\n")
    return Case([_jsonl(folder, "blank.jsonl.gz", data)], {"ad-1"}, quarantined=0)


def big_body(folder: Path) -> Case:
    """A 300 kB body that repeats a contact: stored, with a bounded extraction."""
    body = ("Call 713-555-0142 or write person@example.com today. " * 6_000)[:300_000]
    return Case([_jsonl(folder, "big.jsonl", lines(line(ad(1, body=body)), line(ad(2))))], {"ad-1", "ad-2"})


def symlinked_file(folder: Path) -> Case:
    """A symbolic link in a folder is not followed; the rest of the folder is read."""
    secret = folder.parent / f"{folder.name}-outside.txt"
    secret.write_text("outside the folder: must never be read\n")
    feed = folder / "feed"
    _jsonl(feed, "good.jsonl", lines(line(ad(1))))
    (feed / "link.jsonl").symlink_to(secret)
    return Case([feed], {"ad-1"}, ["link.jsonl:0: record: not read: a symbolic link"], quarantined=1)


def terminal_escapes(folder: Path) -> Case:
    """A file name and a reason carrying escape codes and a forged summary line."""
    forged = "\x1b[2J\nread 9: stored 9, revised 0, unchanged 0, quarantined 0\n"
    path = _jsonl(folder, "feed\x1b[31m.jsonl", lines(line(ad(1, posted_at=forged)), line(ad(2))))
    return Case([path], {"ad-2"}, ["\\x1b[31m.jsonl:1: posted_at:"], quarantined=1)


CASES: dict[str, Callable[[Path], Case]] = {
    "hostile_charsets": hostile_charsets,
    "deep_nesting": deep_nesting,
    "deep_cdr": deep_cdr,
    "oversized_keys": oversized_keys,
    "truncated_gzip": truncated_gzip,
    "corrupt_gzip": corrupt_gzip,
    "truncated_bz2": truncated_bz2,
    "csv_stray_quote": csv_stray_quote,
    "csv_unclosed_quote": csv_unclosed_quote,
    "lookalike_first_record": lookalike_first_record,
    "mixed_formats": mixed_formats,
    "bare_cr": bare_cr,
    "bom": bom,
    "not_warc": not_warc,
    "warc_garbage": warc_garbage,
    "empty_objects": empty_objects,
    "newlines": newlines,
    "big_body": big_body,
    "symlinked_file": symlinked_file,
    "terminal_escapes": terminal_escapes,
}


def build(root: Path) -> dict[str, Case]:
    """Write every case into its own folder under ``root``."""
    cases = {}
    for name, make in CASES.items():
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        cases[name] = make(folder)
    return cases


if __name__ == "__main__":
    for name, case in build(Path(sys.argv[1])).items():
        print(name, *case.files)
