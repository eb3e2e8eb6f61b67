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
