"""Extraction benchmark: phone and age quality by technique, and speed against PhoneNumberMatcher.

Run: ``.venv/bin/python bench/bench_extract.py [--seed N] [--per-technique N] [--world-records N]
[--rounds N]``

Throughput is measured twice: on the labelled texts below, and on records of a world written by the
independent generator (``lantern.synth``), so the speed figure does not rest only on texts this file
writes. On the world, ``extract_record`` (URL, title and body, every field type) is timed against
``PhoneNumberMatcher`` over the same three texts (a phone in a URL slug is one a user would want found),
after a warm-up on another world and with the phone-validation cache emptied before each of several
rounds (``world_throughput`` says why).

The labelled texts are generated here, deterministically from the seed, and are clearly fictional:
NANP numbers only in NXX-555-0100..0199, UK numbers in Ofcom's drama range 07700 900xxx, Australian
numbers in ACMA's fictional 0491 570 xxx range, neutral wording. Each INDICATORS.md §4.1 technique has
its own slice; a false-positive slice holds prices, heights, measurements, weights, dates, times, 24/7,
420, ZIP codes and order numbers and no phone at all.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import phonenumbers

from lantern.extract import ExtractConfig, extract_record, extract_text, native
from lantern.extract.phones import validate
from lantern.records import InputRecord
from lantern.synth import generate

AREA_CODES = ["713", "212", "305", "404", "312", "415", "702", "214", "617", "206", "503", "602", "615"]
WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
LEET = {"zero": ["zer0", "z3ro"], "one": ["0ne", "on3"], "two": ["tw0"], "three": ["thr33", "thr3e"],
        "four": ["f0ur", "fuor"], "five": ["f1ve", "fiv3"], "six": ["s1x"], "seven": ["sev3n", "s3ven"],
        "eight": ["e1ght"], "nine": ["n1ne", "nin3"]}  # fmt: skip
TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen"]  # fmt: skip
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
FILLERS = [
    "Sweet and friendly, recent pics, {p} for appointments.",
    "New in town this week. Text {p} anytime.",
    "Relaxing company, upscale and discreet. Call me {p} ok",
    "Available now {p} no games, real photos",
    "Hi gentlemen, {p} is the number to reach me. Incall and outcall.",
    "Rates: $150 hh, $250 hr. Contact {p} thanks",
    "{p}\nReal pics, 5'6\" 125lbs, open 10am-10pm",
]
EMOJI = ["💋", "⭐", "❤️", "💓", "🌸", "✨"]


@dataclass
class Item:
    text: str
    expected: set[str]
    technique: str
    obscured: bool
    field: str = "body"
    region: str = "US"


def nanp(rng: random.Random) -> str:
    return f"{rng.choice(AREA_CODES)}555{rng.randint(100, 199):04d}"


def e164_us(d: str) -> str:
    return "+1" + d


def fmt_plain(d: str, rng: random.Random) -> str:
    return rng.choice([
        f"{d[:3]}-{d[3:6]}-{d[6:]}", f"({d[:3]}) {d[3:6]}-{d[6:]}", f"{d[:3]}.{d[3:6]}.{d[6:]}",
        f"{d[:3]} {d[3:6]} {d[6:]}", d, f"+1 {d[:3]} {d[3:6]} {d[6:]}", f"1-{d[:3]}-{d[3:6]}-{d[6:]}",
    ])  # fmt: skip


def groups(parts: list[str], rng: random.Random, seps: tuple[str, ...] = (" ", "-", " - ")) -> str:
    sep = rng.choice(seps)
    return sep.join(parts)


def spell(d: str, rng: random.Random, leet: bool = False, oh: bool = False) -> str:
    out = []
    for c in d:
        w = WORDS[int(c)]
        if oh and c == "0":
            w = "oh"
        elif leet and rng.random() < 0.6:
            w = rng.choice(LEET[w])
        if rng.random() < 0.2:
            w = w.upper()
        out.append(w)
    chunks = [" ".join(out[:3]), " ".join(out[3:6]), " ".join(out[6:])]
    return groups(chunks, rng, (" ", " - ", ", "))


def mixed(d: str, rng: random.Random) -> str:
    chars = []
    for i, c in enumerate(d):
        use_word = rng.random() < 0.5 or (i == 1 and all(not x.isalpha() for x in chars))
        chars.append(WORDS[int(c)] if use_word else c)
        if rng.random() < 0.2 and use_word:
            chars[-1] = chars[-1].upper()
    return " ".join(["".join(chars[:3]), "".join(chars[3:6]), "".join(chars[6:])])


def tens(d: str, rng: random.Random) -> str:
    area = " ".join(WORDS[int(c)] for c in d[:3])
    exch = "five fifty-five"
    last2 = int(d[8:])
    if last2 < 10:
        tail = f"oh {WORDS[last2]}"
    elif last2 < 20:
        tail = TEENS[last2 - 10]
    elif last2 % 10 == 0:
        tail = TENS[last2 // 10]
    else:
        tail = f"{TENS[last2 // 10]}-{WORDS[last2 % 10]}"
    return f"{area} {exch} oh one {tail}"


def lookalike(d: str, rng: random.Random) -> str:
    s = list(f"{d[:3]}-{d[3:6]}-{d[6:]}")
    idx = [i for i, c in enumerate(s) if c in "01" and 0 < i < len(s) - 1]
    for i in rng.sample(idx, k=min(len(idx), rng.randint(1, 2))):
        s[i] = rng.choice("Oo") if s[i] == "0" else rng.choice("lI")
    return "".join(s)


def separators(d: str, rng: random.Random) -> str:
    style = rng.randrange(5)
    if style == 0:
        return " ".join(d)
    if style == 1:
        return ".".join(d)
    if style == 2:
        return f"{d[:3]}/{d[3:6]}/{d[6:]}"
    if style == 3:
        return f"{d[:3]}_{d[3:6]}_{d[6:8]}_{d[8:]}"
    return f"{d[:3]} . {d[3:6]} . {d[6:]}"


def emoji_sep(d: str, rng: random.Random) -> str:
    e = rng.choice(EMOJI)
    return f"{d[:3]}{e}{d[3:6]}{e}{d[6:]}"


def mapped(d: str, table: dict[str, str], rng: random.Random) -> str:
    s = fmt_plain(d, rng).replace("+1 ", "").replace("1-", "", 1) if rng.random() < 0.5 else d
    return "".join(table.get(c, c) for c in s)


FULLWIDTH = {str(i): chr(0xFF10 + i) for i in range(10)}
MATH = {str(i): chr(0x1D7CE + i) for i in range(10)}
CIRCLED = {"0": "⓪", **{str(i): chr(0x2460 + i - 1) for i in range(1, 10)}}
DINGBAT = {"0": "⓿", **{str(i): chr(0x2776 + i - 1) for i in range(1, 10)}}
ARABIC = {str(i): chr(0x0660 + i) for i in range(10)}
DEVANAGARI = {str(i): chr(0x0966 + i) for i in range(10)}
KEYCAP = {str(i): f"{i}\ufe0f\u20e3" for i in range(10)}


def zero_width(d: str, rng: random.Random) -> str:
    s = list(f"{d[:3]}-{d[3:6]}-{d[6:]}")
    for _ in range(rng.randint(2, 4)):
        s.insert(rng.randint(1, len(s) - 1), rng.choice("\u200b\u200c\u200d\u2060"))
    return "".join(s)


def confusable(d: str, rng: random.Random) -> str:
    s = f"{d[:3]} {d[3:6]} {d[6:]}"
    return s.replace("0", "О", 1)  # Cyrillic capital O


def combo(d: str, rng: random.Random) -> str:
    words = spell(d, rng, leet=rng.random() < 0.5)
    zw = list(words)
    for _ in range(2):
        pos = rng.randint(1, len(zw) - 1)
        zw.insert(pos, "\u200b") if zw[pos - 1] == " " else None
    return "".join(zw).replace(" ", rng.choice([" ", " ⭐ ", "  "]), 2)


TECHNIQUES = {
    "plain": (lambda d, r: fmt_plain(d, r), False),
    "spelled_digits": (lambda d, r: spell(d, r), True),
    "misspelled_digits": (lambda d, r: spell(d, r, leet=True), True),
    "oh_for_zero": (lambda d, r: spell(d, r, oh=True), True),
    "tens_words": (tens, True),
    "mixed_words_digits": (mixed, True),
    "letter_lookalike": (lookalike, True),
    "separators": (separators, True),
    "emoji_separators": (emoji_sep, True),
    "fullwidth": (lambda d, r: mapped(d, FULLWIDTH, r), True),
    "mathematical": (lambda d, r: mapped(d, MATH, r), True),
    "circled": (lambda d, r: mapped(d, CIRCLED, r), True),
    "dingbat_circled": (lambda d, r: mapped(d, DINGBAT, r), True),
    "unicode_digits": (lambda d, r: mapped(d, r.choice([ARABIC, DEVANAGARI]), r), True),
    "keycap_emoji": (lambda d, r: "".join(KEYCAP[c] for c in d), True),
    "zero_width": (zero_width, True),
    "confusable": (confusable, True),
    "combination": (combo, True),
}


def phone_items(rng: random.Random, n: int) -> list[Item]:
    items: list[Item] = []
    for name, (render, obscured) in TECHNIQUES.items():
        for _ in range(n):
            d = nanp(rng)
            text = rng.choice(FILLERS).format(p=render(d, rng))
            items.append(Item(text, {e164_us(d)}, name, obscured))
    for _ in range(n):  # numbers in URL slugs only
        d = nanp(rng)
        slug = rng.choice([f"{d[:3]}-{d[3:6]}-{d[6:]}", d, "-".join(WORDS[int(c)] for c in d)])
        text = f"https://example.com/houston/sweet-and-new-call-{slug}-today/"
        items.append(Item(text, {e164_us(d)}, "url_slug", "-" in slug and slug[0].isalpha(), field="url"))
    for _ in range(n):  # two numbers, a booker and a provider
        d1, d2 = nanp(rng), nanp(rng)
        text = f"Call {fmt_plain(d1, rng)} or text {spell(d2, rng)} for details"
        items.append(Item(text, {e164_us(d1), e164_us(d2)}, "multiple", True))
    for _ in range(n):  # international formats, region from the record
        k = rng.randrange(3)
        if k == 0:
            sub = f"{rng.randint(0, 999):03d}"
            text = f"London visit. Call 07700 {sub[:1]}00{sub[1:]}".replace(
                f"07700 {sub[:1]}00{sub[1:]}", f"07700 900{sub}"
            )
            items.append(Item(text + " now", {f"+447700900{sub}"}, "international", False, region="GB"))
        elif k == 1:
            last = rng.choice(["006", "156", "157", "158", "159", "110"])
            text = f"Sydney this week, ring 0491 570 {last} anytime"
            items.append(Item(text, {f"+61491570{last}"}, "international", False, region="AU"))
        else:
            sub = f"{rng.randint(0, 999):03d}"
            text = f"WhatsApp +44 7700 900{sub} (travelling)"
            items.append(Item(text, {f"+447700900{sub}"}, "international", False))
    return items


FP_TEXTS = [
    "Rates $150/200/300, {h} tall, 120lbs, 34-24-36.",
    "Available 24/7, appointments 10:30pm to 2am, 420 friendly.",
    "Located in Houston, TX 77002. Order #{o} confirmed.",
    "Special on 12/25/2025 and 01/01/2026 only, 200 roses hh, 300 roses hr.",
    "Stats: 5'4\" 118 lbs 36C-26-38, age 24, open 9am-11pm, 100% real.",
    "Ref no. {o} - listing 2024-11-05, price £120 per hour, 80kg.",
    "Visiting 3/14-3/18, hh 150 hr 250 ovn 1200, zip code 10001-1234.",
    "Call between 10 and 11, $200 donation, 1,500 followers, 95% reviews.",
]


def fp_items(rng: random.Random, n: int) -> list[Item]:
    out = []
    for _ in range(n):
        o = f"{rng.choice(AREA_CODES)}555{rng.randint(100, 199):04d}"
        h = rng.choice(["5'4\"", "5 ft 7", "5'10"])
        out.append(Item(rng.choice(FP_TEXTS).format(o=o, h=h), set(), "false_positive", False))
    return out


def spelled_age(n: int) -> str:
    if n < 20:
        return TEENS[n - 10]
    return TENS[n // 10] + ("" if n % 10 == 0 else "-" + WORDS[n % 10])


AGE_POS = [
    ("age: {n}", 1), ("{n} years old", 1), ("I'm {n} and new here", 1), ("{n}yo petite", 1),
    ("i am {s} years old", 1), ("Age {n}-{m}", 2), ("sweet {n} yrs", 1), ("im {s}, friendly", 1),
]  # fmt: skip
AGE_NEG = [
    "Gentlemen 30+ only", "gentlemen over 40 preferred", "34-24-36 curvy", "5'4\" and 120lbs",
    "clients 25-60 welcome", "must be 21+ to call", "$200 special", "open 24/7", "men 40 and older",
    "I'm 5'6 tall", "rated 10/10", "mature gents 45+",
]  # fmt: skip


def age_items(rng: random.Random, n: int) -> list[tuple[str, list[int]]]:
    out: list[tuple[str, list[int]]] = []
    for _ in range(n):
        tmpl, k = rng.choice(AGE_POS)
        a = rng.randint(16, 45)
        b = a + rng.randint(1, 4)
        text = tmpl.format(n=a, m=b, s=spelled_age(a))
        out.append((f"Hello there. {text}. {rng.choice(AGE_NEG)}.", [a, b][:k]))
    for _ in range(n // 2):
        out.append((f"{rng.choice(AGE_NEG)}. {rng.choice(AGE_NEG)}.", []))
    return out


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def matcher_phones(text: str) -> set[str]:
    return {
        phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
        for m in phonenumbers.PhoneNumberMatcher(text, "US")
    }


def _texts_round(texts: list[tuple[str, str, str]], cfg: ExtractConfig) -> tuple[float, float]:
    """Seconds spent by each side on the labelled texts, in alternating blocks of 50 (timing only)."""
    validate.cache_clear()
    t_ours = t_theirs = 0.0
    for lo in range(0, len(texts), 50):
        block = texts[lo : lo + 50]
        t0 = time.perf_counter()
        for t, f, r in block:
            extract_text(t, cfg, field=f, region=r)
        t1 = time.perf_counter()
        for t, _, _ in block:
            matcher_phones(t)
        t2 = time.perf_counter()
        t_ours += t1 - t0
        t_theirs += t2 - t1
    return t_ours, t_theirs


def _world(records: int, seed: int) -> list[InputRecord]:
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), records, seed=seed, images=False)
        lines = (Path(tmp) / "records.jsonl").read_text("utf-8").splitlines()
    return [InputRecord.model_validate(json.loads(line)) for line in lines]


def _joined(recs: list[InputRecord]) -> list[str]:
    return ["\n".join(filter(None, (r.url, r.title, r.body))) for r in recs]


def _world_round(recs: list[InputRecord], texts: list[str]) -> tuple[float, float]:
    """Seconds spent by each side on the whole world, timed in alternating blocks of 50 records."""
    validate.cache_clear()  # no head start from numbers already validated in an earlier round
    t_ours = t_theirs = 0.0
    for lo in range(0, len(recs), 50):
        t0 = time.perf_counter()
        for rec in recs[lo : lo + 50]:
            extract_record(rec)
        t1 = time.perf_counter()
        for text in texts[lo : lo + 50]:
            for _ in phonenumbers.PhoneNumberMatcher(text, "US"):
                pass
        t2 = time.perf_counter()
        t_ours += t1 - t0
        t_theirs += t2 - t1
    return t_ours, t_theirs


def world_throughput(records: int, seed: int, rounds: int) -> None:
    """Records per second on a generated synthetic world: full extraction vs PhoneNumberMatcher alone.

    Both sides first read 500 records of *another* world (seed + 1), as a running ingest would have:
    lazily loaded metadata, lexicons and the gazetteer, and the stated-location cache warm for the cities
    sites repeat. The phone-validation cache is emptied before each round, so no number of the timed
    world is known in advance. Rounds are repeated because a shared machine moves single runs by +-5 %;
    the median ratio is the figure.
    """
    recs, warm = _world(records, seed), _world(500, seed + 1)
    _world_round(warm, _joined(warm))
    texts = _joined(recs)
    n = len(recs)
    print(f"\nthroughput on {n} records of a synthetic world (lantern.synth, seed {seed}), {rounds} rounds:")
    ratios = []
    for i in range(rounds):
        t_ours, t_theirs = _world_round(recs, texts)
        ratios.append(t_theirs / t_ours)
        print(f"  round {i + 1}: lantern.extract extract_record {n / t_ours:,.0f} records/s, "
              f"PhoneNumberMatcher(US) (URL + title + body) {n / t_theirs:,.0f} records/s, "
              f"ratio {ratios[-1]:.2f}x")  # fmt: skip
    print(f"  ratio (ours / matcher), median of {rounds} : {statistics.median(ratios):.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--per-technique", type=int, default=60)
    ap.add_argument("--world-records", type=int, default=2000, help="0 skips the synthetic-world figure")
    ap.add_argument("--rounds", type=int, default=5, help="timed rounds, texts and world (median ratio)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    items = phone_items(rng, args.per_technique) + fp_items(rng, args.per_technique * 4)
    ages = age_items(rng, args.per_technique * 5)
    cfg = ExtractConfig(default_region="US")

    # warm-up (gazetteer and lexicons load lazily once)
    extract_text("warm up 713-555-0142 in Houston, TX", cfg)
    build = "compiled (mypyc)" if native.is_active() else "pure Python"
    print(
        f"lantern.extract build: {build} (LANTERN_PURE_PYTHON=1 for pure Python; see lantern/extract/native.py)"
    )

    # Timed in alternating blocks so that load from other processes hits both sides alike.
    texts = [(it.text, it.field, it.region) for it in items] + [(t, "body", "US") for t, _ in ages]
    results: list[dict] = []
    theirs_all: list[set[str]] = []
    t_ours = t_theirs = 0.0
    for lo in range(0, len(texts), 50):
        block = texts[lo : lo + 50]
        t0 = time.perf_counter()
        results += [extract_text(t, cfg, field=f, region=r) for t, f, r in block]
        t1 = time.perf_counter()
        theirs_all += [matcher_phones(t) for t, _, _ in block]
        t2 = time.perf_counter()
        t_ours += t1 - t0
        t_theirs += t2 - t1
    ours = [set(r["phones"]) for r in results[: len(items)]]
    age_out = [r["ages"] for r in results[len(items) :]]
    theirs = theirs_all[: len(items)]
    n_texts = len(items) + len(ages)

    def score(pred: list[set[str]], label: str) -> None:
        by_tech: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        tot = [0, 0, 0]
        obs = [0, 0, 0]
        for it, got in zip(items, pred, strict=True):
            tp, fp, fn = len(got & it.expected), len(got - it.expected), len(it.expected - got)
            for acc in (by_tech[it.technique], tot) + ((obs,) if it.obscured else ()):
                acc[0] += tp
                acc[1] += fp
                acc[2] += fn
        print(f"\n== {label} ==")
        print(f"{'technique':<22}{'recall':>8}{'precision':>11}{'n':>6}")
        for tech, (tp, fp, fn) in by_tech.items():
            if tech == "false_positive":
                continue
            p, r, _ = prf(tp, fp, fn)
            print(f"{tech:<22}{r:>8.3f}{p:>11.3f}{tp + fn:>6}")
        fp_counts = by_tech["false_positive"][1]
        fp_texts = sum(
            1 for it, got in zip(items, pred, strict=True) if it.technique == "false_positive" and got
        )
        n_fp = sum(1 for it in items if it.technique == "false_positive")
        print(f"false-positive set: {fp_counts} spurious phones in {fp_texts}/{n_fp} texts "
              f"(precision on that set: {1.0 if not fp_counts else 0.0:.3f})")  # fmt: skip
        p, r, f = prf(*tot)
        print(f"phones overall   P={p:.3f} R={r:.3f} F1={f:.3f}")
        p, r, f = prf(*obs)
        print(f"phones obscured  P={p:.3f} R={r:.3f} F1={f:.3f}")

    score(ours, "lantern.extract (full extraction, all types)")
    score(theirs, 'phonenumbers.PhoneNumberMatcher(text, "US")')

    tp = fp = fn = 0
    for (_, exp), got in zip(ages, age_out, strict=True):
        tp += len(set(got) & set(exp))
        fp += len(set(got) - set(exp))
        fn += len(set(exp) - set(got))
    p, r, f = prf(tp, fp, fn)
    print(
        f"\nages  P={p:.3f} R={r:.3f} F1={f:.3f}  ({len(ages)} texts, incl. client-age/measurement negatives)"
    )
    print(f"\nthroughput on {n_texts} texts, {args.rounds} rounds (the first one scored above):")
    ratios = [t_theirs / t_ours]
    for i in range(args.rounds):
        if i:
            t_ours, t_theirs = _texts_round(texts, cfg)
            ratios.append(t_theirs / t_ours)
        print(f"  round {i + 1}: lantern.extract full extraction {n_texts / t_ours:,.0f} texts/s, "
              f"PhoneNumberMatcher(US) phones {n_texts / t_theirs:,.0f} texts/s, ratio {ratios[-1]:.2f}x")  # fmt: skip
    print(f"  ratio (ours / matcher), median of {len(ratios)} : {statistics.median(ratios):.2f}x")
    if args.world_records:
        world_throughput(args.world_records, args.seed, args.rounds)


if __name__ == "__main__":
    main()
