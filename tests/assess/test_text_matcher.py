"""Text rules run only when their keywords are present: the keyword index must keep that exact rule."""

from __future__ import annotations

from lantern.assess.catalogue import Rule
from lantern.assess.text import TextMatcher


def rule(rule_id: str, pattern: str, keywords: tuple[str, ...] = ()) -> Rule:
    return Rule(
        id=rule_id, name=rule_id, category="test", tier="C", direction="up", score="trafficking", weight=1.0,
        kind="text", explanation="fictional test rule", sources=(), patterns=(pattern,), keywords=keywords,
    )  # fmt: skip


MATCHER = TextMatcher(
    [
        rule("R1", r"\btown\b", ("new town",)),  # a keyword of two words needs both
        rule("R2", r"\bsweet\b"),  # no keywords: always tried
        rule("R3", r"\bcall\b", ("call", "ring me")),  # any one keyword is enough
    ]
)


def fired(text: str) -> list[str]:
    return [hit.rule.id for hit in MATCHER.run("body", text)]


def test_a_keyword_of_several_words_needs_all_of_them() -> None:
    assert fired("New in town this week") == ["R1"]
    assert fired("Downtown, in town now") == []  # "town" matches, but the keyword "new town" is incomplete


def test_rules_without_keywords_always_run_and_hits_keep_catalogue_order() -> None:
    assert fired("Call me, sweet and new in town") == ["R1", "R2", "R3"]
    assert fired("ring me, I will call back") == ["R3"]
    assert fired("nothing here") == []


def test_a_pattern_that_names_a_capital_still_matches_in_any_case() -> None:
    matcher = TextMatcher([rule("R4", r"\bNew\s+Girl\b"), rule("R5", r"\x4eow\b"), rule("R6", r"\Sx\S")])
    assert [hit.rule.id for hit in matcher.run("body", "A NEW GIRL here now, 3x5")] == ["R4", "R5", "R6"]
    assert [hit.text for hit in matcher.run("body", "new girl")] == ["new girl"]


def test_dropping_the_case_flag_changes_no_hit_of_the_shipped_catalogue(tmp_path, monkeypatch) -> None:
    """The shipped patterns are lower case and compiled without ``re.IGNORECASE``; on a synthetic world
    (mixed case, emoji, disguised numbers) every hit equals the one the flag would give."""
    import json
    import re

    from lantern.assess import Assessor
    from lantern.assess import text as text_module
    from lantern.synth import generate

    generate(tmp_path / "world", 600, seed=21, images=False)
    fields = []
    for line in (tmp_path / "world" / "records.jsonl").read_text("utf-8").splitlines():
        record = json.loads(line)
        fields += [record.get("title") or "", record.get("body") or ""]
    fields += ["NEW IN TOWN, INCALL ONLY", "Young & Fresh 💋 Available 24/7", "COME SEE US at the SPA"]
    rules = Assessor.load(use_env=False).catalogue
    fast = TextMatcher(rules)
    assert not any(pattern.flags & re.IGNORECASE for _, _, pattern, _ in fast._regex)
    monkeypatch.setattr(text_module, "_compile", lambda pattern: re.compile(pattern, re.IGNORECASE))
    flagged = TextMatcher(rules)
    hits = 0
    for text in fields:
        got = [(h.rule.id, h.start, h.end, h.text) for h in fast.run("body", text)]
        assert got == [(h.rule.id, h.start, h.end, h.text) for h in flagged.run("body", text)], text
        hits += len(got)
    assert hits > 300


def test_which_patterns_keep_the_case_flag() -> None:
    from lantern.assess.text import _case_dependent

    for caseless in (rb"\bnew\s+in\s+town\b", rb"\bi\W?m\b", rb"\S+\D\B\A\Z", rb"[a-z0-9]{2,}", rb"a\\b"):
        assert not _case_dependent(caseless), caseless
    for cased in (rb"New", rb"[A-Z]", rb"\x4e", rb"\112", rb"(\w)\1", rb"a\\W", rb"(?P<Name>x)", rb"\Gx"):
        assert _case_dependent(cased), cased
