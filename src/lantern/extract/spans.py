"""A set of character spans with a fast overlap test.

Later extractors skip text an earlier one claimed (phone digits are not ages). Hostile input can hold
thousands of claimed spans, so the test is a binary search, not a scan.
"""

from __future__ import annotations

from bisect import bisect_left, insort


class SpanSet:
    """Half-open ``[start, end)`` spans; ``overlaps`` answers in O(log n)."""

    __slots__ = ("_ends", "_spans")

    def __init__(self, spans: list[tuple[int, int]] | None = None) -> None:
        self._spans: list[tuple[int, int]] = sorted(spans or [])
        self._ends: list[int] = []
        self._rebuild()

    def _rebuild(self) -> None:
        # prefix maximum of ends, so any span starting before ``e`` that reaches past ``s`` is found
        best = -1
        self._ends = []
        for _, end in self._spans:
            best = max(best, end)
            self._ends.append(best)

    def add(self, start: int, end: int) -> None:
        if not self._spans or start >= self._spans[-1][0]:
            self._spans.append((start, end))
            self._ends.append(max(end, self._ends[-1] if self._ends else -1))
        else:
            insort(self._spans, (start, end))
            self._rebuild()

    def union(self, spans: list[tuple[int, int]]) -> SpanSet:
        """A new set holding these spans and ``spans``."""
        return SpanSet(self._spans + spans)

    def overlaps(self, start: int, end: int) -> bool:
        """True if any stored span overlaps ``[start, end)``."""
        i = bisect_left(self._spans, (end, -1)) - 1  # last span starting before ``end``
        return i >= 0 and self._ends[i] > start

    def contains_point(self, pos: int) -> bool:
        return self.overlaps(pos, pos + 1)
